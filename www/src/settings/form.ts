// The training form: reads the controls into the wasm crate's config objects, and writes
// settings (from a URL or a widget's attributes) back into them. Every function takes the
// root the form lives in: the page, or a widget's shadow root.
import { CONTROLS, KEYS, type Settings } from '../pure/settings';
import type { DatasetName } from '../shared/protocol';
import { el, find, randomSeed, type Root } from '../views/ui';
import { DEFAULT_MODEL, type Estimator, type ModelConfig, type OptimizerKind, type TrainConfig } from '../shared/wasm';

function value(name: string, root: Root): string {
  return el<HTMLSelectElement>(name, root).value;
}

function int(name: string, root: Root): number {
  return Number.parseInt(value(name, root), 10);
}

export function dataset(root: Root = document): DatasetName {
  return value('opt-dataset', root) as DatasetName;
}

/** The architecture for "Train from scratch". */
export function modelConfig(root: Root = document): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    hidden: [int('opt-hidden', root)],
    latent: int('opt-latent', root),
    activation: value('opt-activation', root) as ModelConfig['activation'],
    decoder: value('opt-decoder', root) as ModelConfig['decoder'],
  };
}

export function trainConfig(root: Root = document, seed = randomSeed()): TrainConfig {
  return {
    optimizer: value('opt-optimizer', root) as OptimizerKind,
    lr: Number(value('opt-lr', root)),
    weight_decay: 0,
    batch_size: int('opt-batch', root),
    estimator: value('opt-estimator', root) as Estimator,
    samples: int('opt-samples', root),
    seed,
  };
}

/** Controls whose change needs a new trainer (all but the learning rate, which is live). */
export const TRAINER_CONTROLS = ['opt-optimizer', 'opt-batch', 'opt-estimator', 'opt-samples', 'opt-dataset'];
/** Controls that only "Train from scratch" reads. */
export const ARCHITECTURE_CONTROLS = ['opt-latent', 'opt-hidden', 'opt-activation', 'opt-decoder'];

/** Sets a select to `v`, adding the option when the form does not offer it (a URL asked
 * for 3 latent dimensions, a loaded file has 300 hidden units). */
function choose(s: HTMLSelectElement, v: string): void {
  if (![...s.options].some((o) => o.value === v)) s.add(new Option(v, v));
  s.value = v;
}

/** Writes the given settings into the form. No change events fire: the caller decides what
 * the new values mean (a fresh model, a trainer built later). Missing controls are skipped. */
export function applySettings(s: Settings, root: Root = document): void {
  for (const key of KEYS) {
    const v = s[key];
    const control = find<HTMLSelectElement | HTMLInputElement>(CONTROLS[key], root);
    if (v === undefined || !control) continue;
    if (control instanceof HTMLSelectElement) choose(control, String(v));
    else control.value = String(v);
  }
}

/** The form's values by short name (the URL's spelling), as text. */
export function readSettings(root: Root = document): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of KEYS) {
    const control = find<HTMLSelectElement | HTMLInputElement>(CONTROLS[key], root);
    if (control) out[key] = control.value;
  }
  return out;
}

/** Shows the controls as the given model's architecture (after loading a file, say). */
export function showArchitecture(c: ModelConfig, root: Root = document): void {
  applySettings({ latent: c.latent, hidden: c.hidden[0], activation: c.activation, decoder: c.decoder }, root);
}
