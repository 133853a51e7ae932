// The training form: reads the controls into the wasm crate's config objects.
import type { DatasetName } from './protocol';
import { el, randomSeed } from './ui';
import { DEFAULT_MODEL, type Estimator, type ModelConfig, type OptimizerKind, type TrainConfig } from './wasm';

function value(name: string): string {
  return el<HTMLSelectElement>(name).value;
}

function int(name: string): number {
  return Number.parseInt(value(name), 10);
}

export function dataset(): DatasetName {
  return value('opt-dataset') as DatasetName;
}

/** The architecture for "Train from scratch". */
export function modelConfig(): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    hidden: [int('opt-hidden')],
    latent: int('opt-latent'),
    activation: value('opt-activation') as ModelConfig['activation'],
    decoder: value('opt-decoder') as ModelConfig['decoder'],
  };
}

export function trainConfig(seed = randomSeed()): TrainConfig {
  return {
    optimizer: value('opt-optimizer') as OptimizerKind,
    lr: Number(value('opt-lr')),
    weight_decay: 0,
    batch_size: int('opt-batch'),
    estimator: value('opt-estimator') as Estimator,
    samples: int('opt-samples'),
    seed,
  };
}

/** Controls whose change needs a new trainer (all but the learning rate, which is live). */
export const TRAINER_CONTROLS = ['opt-optimizer', 'opt-batch', 'opt-estimator', 'opt-samples', 'opt-dataset'];
/** Controls that only "Train from scratch" reads. */
export const ARCHITECTURE_CONTROLS = ['opt-latent', 'opt-hidden', 'opt-activation', 'opt-decoder'];

/** Shows the controls as the given model's architecture (after loading a file, say). */
export function showArchitecture(c: ModelConfig): void {
  const set = (name: string, v: string) => {
    const s = el<HTMLSelectElement>(name);
    if (![...s.options].some((o) => o.value === v)) s.add(new Option(v, v));
    s.value = v;
  };
  set('opt-latent', String(c.latent));
  set('opt-hidden', String(c.hidden[0]));
  set('opt-activation', c.activation);
  set('opt-decoder', c.decoder);
}
