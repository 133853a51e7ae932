// The widget bundle's entry (dist/vae-playground.js): defines <vae-playground>. Importing
// the module twice (two script tags, two copies of dist) defines it once.
import { VaePlayground } from './element';

declare global {
  interface HTMLElementTagNameMap {
    'vae-playground': VaePlayground;
  }
}

if (!customElements.get('vae-playground')) customElements.define('vae-playground', VaePlayground);

export { VaePlayground };
