// Shareable URL state for the page, as TensorFlow Playground does it: the settings and the
// panel in view live in the hash (index.html#latent=2&hidden=400&lr=0.001&view=manifold).
// The hash follows the settings store (history.replaceState: no history entry per click);
// opening such a URL, or editing the hash, writes the store, and architecture settings
// build that fresh model so the view matches what the sender saw.
import type { ModelHolder } from '../app/model-holder';
import { chooseModel, download, provenance } from '../app/model-source';
import type { SectionName } from '../app/sections';
import { hashFor, readHash, type UrlState } from '../pure/hash';
import { architecture, ARCHITECTURE_KEYS, sameArchitecture, settingsOf, type Settings } from '../pure/settings';
import { errorKind, Model } from '../shared/wasm';
import { errorMessage, randomSeed, showError } from '../views/ui';
import type { SettingsStore } from './store';

export function scrollToView(view: SectionName | null): void {
  document.querySelector(`section[data-view="${view}"]`)?.scrollIntoView({ block: 'start' });
}

/** Keeps the hash in step with the store and the store with an edited hash. onReplaced: the
 * model was rebuilt from the hash (the training panel starts over). Returns a function that
 * writes the hash now (a saved run shown at start-up spells out its settings). */
export function followUrl(holder: ModelHolder, store: SettingsStore, initial: UrlState, onReplaced: () => void): () => void {
  let view = initial.view;
  // The link keeps naming its model until another replaces it (a file, training from scratch).
  let model = initial.model;
  const write = () => {
    const hash = hashFor(store.all(), view, model);
    if (hash !== location.hash) history.replaceState(history.state, '', hash);
  };
  // Not the hash's own values: rewriting it as it is being read would spell out every default.
  store.subscribe((_, source) => source !== 'url' && write());
  // A loaded file or "Train from scratch" can change the architecture shown; once training
  // moves the parameters the model is no longer the checkpoint the link named either (and
  // after a reload the saved run, not that checkpoint, is what the page should show).
  holder.subscribe((change) => {
    if (change === 'params' && model === null) return;
    model = null;
    write();
  });
  // The panel someone works in becomes the link's view.
  const main = document.getElementById('main');
  const track = (e: Event) => {
    const section = (e.target as Element | null)?.closest?.('section[data-view]');
    const name = section?.getAttribute('data-view') as SectionName | undefined;
    if (name && name !== view) {
      view = name;
      write();
    }
  };
  main?.addEventListener('focusin', track);
  main?.addEventListener('pointerdown', track);
  // Someone edits the hash by hand, or follows a link to another state of this page.
  window.addEventListener('hashchange', async () => {
    const next = readHash(location.hash);
    view = next.view ?? view;
    // Another model= loads that model first (its architecture, then the link's settings).
    if (next.model !== null && next.model !== model) {
      if (await loadLinked(next.model, holder, store)) {
        model = next.model;
        onReplaced();
      }
      write(); // a model that did not load: the link names the model still on screen
    }
    store.set(next.settings, 'url');
    rebuildIfNeeded(holder, next.settings, onReplaced);
    scrollToView(next.view);
  });
  return write;
}

/** The model a link names (a zoo name or a URL), in place of the current one; false (and the
 * current model kept, with the reason on screen) when it does not load. */
async function loadLinked(value: string, holder: ModelHolder, store: SettingsStore): Promise<boolean> {
  const choice = chooseModel(value, document.baseURI);
  if (choice.problem) {
    showError(choice.problem.replace('Keeping the pretrained model.', 'Keeping the current model.'));
    return false;
  }
  let next: Model;
  let bytes: Uint8Array;
  try {
    bytes = await download(choice.url);
    next = Model.fromCheckpoint(bytes);
  } catch (e) {
    showError(`The model ${choice.url.href} did not load (${errorMessage(e)}); keeping the current model.`, document, errorKind(e));
    return false;
  }
  const { dataset, origin } = provenance(bytes, choice.origin, choice.dataset, store.get('dataset'));
  holder.replace(next, { dataset, origin });
  store.set({ ...settingsOf(next.config()), dataset }, 'model');
  return true;
}

/** Architecture settings that differ from the model's build a fresh model of that shape. */
export function rebuildIfNeeded(holder: ModelHolder, s: Settings, onReplaced: () => void): void {
  if (!ARCHITECTURE_KEYS.some((k) => s[k] !== undefined)) return;
  const current = holder.model.config();
  const wanted = architecture(current, s);
  if (sameArchitecture(current, wanted)) return;
  try {
    holder.replace(Model.fresh(wanted, randomSeed()), { dataset: s.dataset ?? holder.info.dataset, origin: 'untrained' });
    onReplaced();
  } catch (e) {
    showError(`Cannot build the model this link asks for: ${errorMessage(e)}`);
  }
}
