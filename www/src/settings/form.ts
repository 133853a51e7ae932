// The settings form mirrors the store (store.ts): a choice in it is written to the store,
// and every other change of the store (a URL, a rollback, a loaded model) is shown in it.
// The form holds no state of its own. `root` is the page or a widget's shadow root.
import { KEYS, parseValue, formatValue, type Key } from '../pure/settings';
import { find, type Root } from '../views/ui';
import type { SettingsStore } from './store';

/** The form control behind each setting (ids in the markup, app/sections-train.ts). */
const control = (key: Key) => `opt-${key}`;

/** Sets a select to `v`, adding the option when the form does not offer it (a URL asked
 * for 3 latent dimensions, a loaded file has 300 hidden units). */
function choose(s: HTMLSelectElement, v: string): void {
  if (![...s.options].some((o) => o.value === v)) s.add(new Option(v, v));
  s.value = v;
}

function show(store: SettingsStore, keys: readonly Key[], root: Root): void {
  for (const key of keys) {
    const c = find<HTMLSelectElement>(control(key), root);
    if (c) choose(c, formatValue(store.get(key)));
  }
}

/** Shows the store in the form under `root` and sends the form's choices to the store. */
export function bindForm(store: SettingsStore, root: Root): void {
  show(store, KEYS, root);
  store.subscribe((changed, source) => source !== 'form' && show(store, changed, root));
  for (const key of KEYS) {
    const c = find<HTMLSelectElement>(control(key), root);
    c?.addEventListener('change', () => {
      const v = parseValue(key, c.value);
      if (v !== undefined) store.set({ [key]: v }, 'form');
    });
  }
}
