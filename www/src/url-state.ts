// Shareable URL state for the page, as TensorFlow Playground does it: the settings and the
// panel in view live in the hash (index.html#latent=2&hidden=400&lr=0.001&view=manifold).
// Changing a control rewrites the hash in place (history.replaceState: no history entry
// per click); opening such a URL, or editing the hash, sets the controls, and architecture
// settings build that fresh model so the view matches what the sender saw.
import { architecture, ARCHITECTURE_KEYS, CONTROLS, KEYS, parseSettings, sameArchitecture, type Settings } from './params';
import type { SectionName } from './sections';
import { applySettings, readSettings } from './settings';
import type { ModelHolder } from './state';
import { DEFAULT_WORKERS } from './train-panel';
import { errorMessage, randomSeed, showError } from './ui';
import { Model } from './wasm';

const VIEWS: SectionName[] = ['draw', 'traverse', 'train', 'impute', 'interpolate', 'samples', 'manifold', 'scatter'];

export interface UrlState {
  settings: Settings;
  view: SectionName | null;
  /** `model=`: a zoo model's name or a checkpoint's URL (model-source.ts chooses). */
  model: string | null;
  /** Names whose values were not valid (ignored). */
  rejected: string[];
}

export function readHash(hash: string): UrlState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const { settings, rejected } = parseSettings((k) => q.get(k));
  const v = q.get('view');
  const view = VIEWS.find((name) => name === v) ?? null;
  return { settings, view, model: q.get('model'), rejected: v !== null && !view ? [...rejected, 'view'] : rejected };
}

/** The hash for the form's current values. Workers K depends on the machine, so it is
 * written only when someone chose a value other than this machine's default. */
export function hashFor(values: Record<string, string>, view: SectionName | null, model: string | null = null): string {
  const q = new URLSearchParams();
  if (model) q.set('model', model);
  for (const key of KEYS) {
    const v = values[key];
    if (v === undefined || (key === 'workers' && v === DEFAULT_WORKERS)) continue;
    q.set(key, v);
  }
  if (view) q.set('view', view);
  return `#${q}`;
}

export function scrollToView(view: SectionName | null): void {
  document.querySelector(`section[data-view="${view}"]`)?.scrollIntoView({ block: 'start' });
}

/** Keeps the hash in step with the page. onReplaced: the model was rebuilt from the hash
 * (the training panel starts over). */
export function followUrl(holder: ModelHolder, initial: UrlState, onReplaced: () => void): void {
  let view = initial.view;
  // The link keeps naming its model until another replaces it (a file, training from scratch).
  let model = initial.model;
  const write = () => {
    const hash = hashFor(readSettings(), view, model);
    if (hash !== location.hash) history.replaceState(history.state, '', hash);
  };
  const form = document.getElementById('settings');
  form?.addEventListener('change', write);
  // A loaded file or "Train from scratch" can change the architecture shown in the form.
  holder.subscribe((change) => {
    if (change !== 'replaced') return;
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
  window.addEventListener('hashchange', () => {
    const next = readHash(location.hash);
    const before = readSettings();
    applySettings(next.settings);
    announce(before);
    view = next.view ?? view;
    rebuildIfNeeded(holder, next.settings, onReplaced);
    scrollToView(next.view);
  });
}

/** Fires 'change' on the training controls whose value the hash changed, as if chosen by
 * hand, so a running trainer restarts with them. Not for workers K: its listener would
 * start a training worker just for that. */
function announce(before: Record<string, string>): void {
  const after = readSettings();
  for (const key of KEYS) {
    if (key === 'workers' || ARCHITECTURE_KEYS.includes(key) || before[key] === after[key]) continue;
    document.getElementById(CONTROLS[key])?.dispatchEvent(new Event('change', { bubbles: true }));
  }
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
