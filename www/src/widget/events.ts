// The element's events (docs/widget.md, "Events"): CustomEvents that bubble and cross the
// shadow boundary (composed), so a listener on the element or on any ancestor hears them.
import { el } from '../views/ui';
import type { VaePlaygroundEventMap } from './types';

type Detail<K extends keyof VaePlaygroundEventMap> = VaePlaygroundEventMap[K] extends CustomEvent<infer D> ? D : never;

export function emit<K extends keyof VaePlaygroundEventMap>(host: HTMLElement, type: K, detail: Detail<K>): void {
  host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

/** Every message the widget's banner shows a person is also an `error` event: one place
 * hears all of them (a bad attribute, a checkpoint that did not load, a worker that failed). */
export function errorsAsEvents(host: HTMLElement, root: ShadowRoot): MutationObserver {
  const text = el('error-text', root);
  const banner = el('error', root);
  const seen = new MutationObserver(() => {
    if (text.textContent) emit(host, 'error', { message: text.textContent, kind: banner.dataset.kind || null });
  });
  seen.observe(text, { childList: true, characterData: true, subtree: true });
  return seen;
}
