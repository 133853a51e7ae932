// The widget bundle's entry (dist/vae-playground.js): defines <vae-playground>. Importing
// the module twice (two script tags, two copies of dist) defines it once. Its declarations
// (dist/vae-playground.d.ts, emitted by scripts/build-dist.sh) are the package's types.
import { VaePlayground } from './element';
import type { VaePlaygroundAttributes } from './types';

declare global {
  interface HTMLElementTagNameMap {
    'vae-playground': VaePlayground;
  }
  // JSX users (Preact, Solid, React before 19's React.JSX; docs/widget.md shows React 19's).
  namespace JSX {
    interface IntrinsicElements {
      'vae-playground': VaePlaygroundAttributes;
    }
  }
}

if (!customElements.get('vae-playground')) customElements.define('vae-playground', VaePlayground);

export { VaePlayground };
export type * from './types';
