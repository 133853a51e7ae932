// Settings by their short names, as a shareable URL (#latent=2&lr=0.001) or a widget's
// attributes (<vae-playground latent="2">) spell them. Everything arrives as text from
// someone else's URL or page, so each value is checked and a bad one is dropped (with its
// name reported) rather than reaching the wasm side. DOM-free: tested in Node.
import { MAX_WORKERS } from '../shared/team-stats';
import type { DatasetName } from '../shared/protocol';
import type { Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, TrainConfig } from '../shared/wasm';
import { VOCABULARY } from './vocabulary';

/** Every setting the page has, each with a value. */
export interface Values {
  latent: number;
  hidden: number;
  activation: Activation;
  decoder: DecoderKind;
  /** Rezende et al.'s second stochastic layer z2 (its size), 0 for one layer. */
  latent2: number;
  /** q's family: Gaussian (AEVB), Laplace or logistic (AEVB section 2.4's other families). */
  family: Family;
  /** The initial weights of a fresh model (Glorot, or the paper's N(0, 0.01)). */
  init: Init;
  /** Binary decoders: a fresh binarization of each image at each visit, or one fixed one. */
  binarization: 'dynamic' | 'fixed';
  dataset: DatasetName;
  /** Percent of the training set that is the personal set when mixed into MNIST. */
  mix: number;
  /** Percent of the personal set held out for the test ELBO (at least one image). */
  holdout: number;
  optimizer: OptimizerKind;
  /** The exact decimal someone chose ("0.0005"), not a float read back from f32. */
  lr: string;
  batch: number;
  estimator: Estimator;
  samples: number;
  /** Workers K, or 'auto': the training worker times K = 1, 2, ... here and keeps the fastest. */
  workers: number | 'auto';
}

/** Some settings: what a URL, a widget's attributes or a loaded model say. */
export type Settings = Partial<Values>;

export type Key = keyof Values;

const core = VOCABULARY.defaults;

/** The values before anyone chooses: the core's defaults (vocabulary.json), and the
 * page's own for what the core has no notion of (the personal set's shares, workers). */
export const DEFAULTS: Values = {
  latent: core.model.latent,
  hidden: core.model.hidden[0],
  activation: core.model.activation,
  decoder: core.model.decoder,
  latent2: core.model.latent2 ?? 0,
  family: core.model.family,
  init: core.init,
  binarization: core.binarization === 'fixed' ? 'fixed' : 'dynamic',
  dataset: core.dataset,
  mix: 25,
  holdout: 10,
  optimizer: core.train.optimizer,
  lr: String(core.train.lr),
  batch: core.train.batch_size,
  estimator: core.train.estimator,
  samples: core.train.samples,
  workers: 'auto',
};

/** The values the page offers for each named choice: the core's names (vocabulary.json),
 * less the initialisations the form does not offer (He's and PyTorch's: the CLI has them)
 * and the greyscale "binarization", which the Gaussian decoder implies; plus the personal
 * data set. The unit tests check that every one is a name the core knows. */
export const CHOICES = {
  activation: VOCABULARY.names.activation,
  decoder: VOCABULARY.names.decoder,
  family: VOCABULARY.names.family,
  init: ['glorot', 'paper'] as Init[],
  binarization: ['dynamic', 'fixed'] as Values['binarization'][],
  dataset: [...VOCABULARY.names.dataset, 'own', 'own-mnist'] as DatasetName[],
  optimizer: VOCABULARY.names.optimizer,
  estimator: VOCABULARY.names.estimator,
};

/** The page's upper bounds, tighter than the core's (vocabulary.json's limits, which the
 * unit tests check they lie within): a hostile URL cannot ask a reader's tab for gigabytes. */
export const PAGE_LIMITS = { latent: 200, hidden: 2000, latent2: 200, batch: 1000, samples: 100 };

export const KEYS = Object.keys(DEFAULTS) as Key[];

/** The settings that change the model's shape: they need a fresh model, not a new trainer. */
export const ARCHITECTURE_KEYS: Key[] = ['latent', 'hidden', 'activation', 'decoder', 'latent2', 'family'];
/** The settings a trainer is built with: a change needs a new trainer (the rate is live).
 * The initialisation applies to "Train from scratch" only. */
export const TRAINER_KEYS: Key[] = ['optimizer', 'batch', 'estimator', 'samples', 'dataset', 'mix', 'holdout', 'binarization'];

const int = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  // + 0: "-0" is the integer 0 (it would be written back as "0").
  return Number.isInteger(n) && n >= lo && n <= hi ? n + 0 : undefined;
};
const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (v: string) =>
    (allowed as readonly string[]).includes(v) ? (v as T) : undefined;

// Generous ranges (the form offers fewer choices).
const PARSE: { [K in Key]-?: (v: string) => Values[K] | undefined } = {
  latent: int(1, PAGE_LIMITS.latent),
  hidden: int(1, PAGE_LIMITS.hidden),
  activation: oneOf(CHOICES.activation),
  decoder: oneOf(CHOICES.decoder),
  latent2: int(0, PAGE_LIMITS.latent2),
  family: oneOf(CHOICES.family),
  init: oneOf(CHOICES.init),
  binarization: oneOf(CHOICES.binarization),
  dataset: oneOf(CHOICES.dataset),
  mix: int(1, 90),
  holdout: int(1, 50),
  optimizer: oneOf(CHOICES.optimizer),
  // Kept as the shortest decimal of the number written ("1e-3" and "0.0010" are "0.001").
  lr: (v) => {
    const n = Number(v);
    return v !== '' && Number.isFinite(n) && n > 0 && n <= VOCABULARY.limits.lr_max ? String(n) : undefined;
  },
  batch: int(1, PAGE_LIMITS.batch),
  estimator: oneOf(CHOICES.estimator),
  samples: int(1, PAGE_LIMITS.samples),
  workers: (v) => (v === 'auto' ? 'auto' : int(1, MAX_WORKERS)(v)),
};

/** One setting from text; undefined when the text is not a valid value. */
export function parseValue<K extends Key>(key: K, raw: string): Values[K] | undefined {
  return PARSE[key](raw.trim()) as Values[K] | undefined;
}

/** Reads every known setting through `get` (null = absent). Unknown names are not asked for. */
export function parseSettings(get: (key: Key) => string | null): { settings: Settings; rejected: Key[] } {
  const settings: Settings = {};
  const rejected: Key[] = [];
  for (const key of KEYS) {
    const raw = get(key);
    if (raw === null) continue;
    const v = parseValue(key, raw);
    if (v === undefined) rejected.push(key);
    else (settings as Record<Key, unknown>)[key] = v;
  }
  return { settings, rejected };
}

/** The text of each setting (a URL's or a form's spelling). */
export function formatValue(v: Values[Key]): string {
  return String(v);
}

/** `base` with the architecture settings of `s` applied (one hidden layer, as the form has). */
export function architecture(base: ModelConfig, s: Settings): ModelConfig {
  return {
    ...base,
    latent: s.latent ?? base.latent,
    hidden: s.hidden !== undefined ? [s.hidden] : base.hidden,
    activation: s.activation ?? base.activation,
    decoder: s.decoder ?? base.decoder,
    latent2: s.latent2 !== undefined ? s.latent2 || null : base.latent2,
    family: s.family ?? base.family,
  };
}

/** A model's architecture as settings (after loading a file, say). */
export function settingsOf(c: ModelConfig): Settings {
  return { latent: c.latent, hidden: c.hidden[0], activation: c.activation, decoder: c.decoder, latent2: c.latent2 ?? 0, family: c.family };
}

/** A saved run's training configuration as settings. The rate comes back as the decimal the
 * page sent: the core keeps it as an f64 (TrainConfig::lr) and updates with its f32. */
export function trainSettingsOf(t: TrainConfig): Settings {
  return { optimizer: t.optimizer, lr: String(t.lr), batch: t.batch_size, estimator: t.estimator, samples: t.samples };
}

/** The trainer's configuration from the settings. The rate goes as the f64 of its decimal;
 * the core keeps it and checks its range (config::check_lr, the one check). */
export function trainConfigOf(v: Values, seed: number): TrainConfig {
  return {
    optimizer: v.optimizer,
    lr: Number(v.lr),
    weight_decay: 0,
    batch_size: v.batch,
    estimator: v.estimator,
    samples: v.samples,
    seed,
  };
}

export function sameArchitecture(a: ModelConfig, b: ModelConfig): boolean {
  return (
    a.latent === b.latent &&
    a.latent2 === b.latent2 &&
    a.activation === b.activation &&
    a.decoder === b.decoder &&
    a.family === b.family &&
    a.input_dim === b.input_dim &&
    a.hidden.join() === b.hidden.join()
  );
}

/** Which gradient code trains, in words: the core's hand-written forward and backward pass
 * covers one stochastic layer with a Gaussian q; every other model is differentiated by
 * dfdx's autodiff (slower, the same gradient). */
export function trainingPath(hostPath: boolean): string {
  return hostPath
    ? 'Gradients: the hand-written host path (one stochastic layer, Gaussian q).'
    : "Gradients: dfdx's automatic differentiation (two stochastic layers or a Laplace/logistic q are not on the hand-written host path): slower, the same method.";
}
