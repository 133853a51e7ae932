// The URL hash's spelling of the settings and the view (#latent=2&lr=0.001&view=manifold),
// both ways. DOM-free, so a fuzz test in Node can show that no hash makes it throw and that
// every valid setting comes back from the hash it writes (tests/unit/).
import { DEFAULTS, formatValue, KEYS, parseSettings, type Settings, type Values } from './settings';

/** The page's sections by name: the URL's `view`, and the names app/sections.ts and the
 * widget's views use. */
export const VIEWS = ['draw', 'posterior', 'estimators', 'activity', 'traverse', 'train', 'impute', 'interpolate', 'samples', 'manifold', 'scatter'] as const;
export type SectionName = (typeof VIEWS)[number];

export interface UrlState {
  settings: Settings;
  view: SectionName | null;
  /** `model=`: a zoo model's name or a checkpoint's URL (app/model-source.ts chooses). */
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

/** The hash for the settings. Workers K depends on the machine, so it is written only when
 * someone chose a value other than the default. */
export function hashFor(values: Readonly<Values>, view: SectionName | null, model: string | null = null): string {
  const q = new URLSearchParams();
  if (model) q.set('model', model);
  for (const key of KEYS) {
    if (key === 'workers' && values.workers === DEFAULTS.workers) continue;
    q.set(key, formatValue(values[key]));
  }
  if (view) q.set('view', view);
  return `#${q}`;
}

