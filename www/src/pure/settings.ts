// Settings by their short names, as a shareable URL (#latent=2&lr=0.001) or a widget's
// attributes (<vae-playground latent="2">) spell them. Everything arrives as text from
// someone else's URL or page, so each value is checked and a bad one is dropped (with its
// name reported) rather than reaching the wasm side.
import { MAX_WORKERS } from '../shared/team-stats';
import type { DatasetName } from '../shared/protocol';
import type { Activation, DecoderKind, Estimator, ModelConfig, OptimizerKind } from '../shared/wasm';

export interface Settings {
  latent?: number;
  hidden?: number;
  activation?: Activation;
  decoder?: DecoderKind;
  dataset?: DatasetName;
  optimizer?: OptimizerKind;
  lr?: number;
  batch?: number;
  estimator?: Estimator;
  samples?: number;
  workers?: number | 'auto';
}

export type Key = keyof Settings;

/** The form control behind each setting (ids in the markup, app/sections.ts). */
export const CONTROLS: Record<Key, string> = {
  latent: 'opt-latent',
  hidden: 'opt-hidden',
  activation: 'opt-activation',
  decoder: 'opt-decoder',
  dataset: 'opt-dataset',
  optimizer: 'opt-optimizer',
  lr: 'opt-lr',
  batch: 'opt-batch',
  estimator: 'opt-estimator',
  samples: 'opt-samples',
  workers: 'opt-workers',
};

export const KEYS = Object.keys(CONTROLS) as Key[];

/** The settings that change the model's shape: they need a fresh model, not a new trainer. */
export const ARCHITECTURE_KEYS: Key[] = ['latent', 'hidden', 'activation', 'decoder'];

const int = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
};
const oneOf = <T extends string>(...allowed: T[]) => (v: string) => (allowed as string[]).includes(v) ? (v as T) : undefined;

// Generous ranges (the form offers fewer choices); the upper bounds keep a hostile URL from
// asking a reader's tab for gigabytes.
const PARSE: { [K in Key]-?: (v: string) => Settings[K] } = {
  latent: int(1, 200),
  hidden: int(1, 2000),
  activation: oneOf('relu', 'tanh'),
  decoder: oneOf('bernoulli', 'gaussian'),
  dataset: oneOf('mnist', 'fashion-mnist'),
  optimizer: oneOf('adam', 'adagrad'),
  lr: (v) => {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 1 ? n : undefined;
  },
  batch: int(1, 1000),
  estimator: oneOf('a', 'b', 'iwae'),
  samples: int(1, 100),
  workers: (v) => (v === 'auto' ? 'auto' : int(1, MAX_WORKERS)(v)),
};

/** Reads every known setting through `get` (null = absent). Unknown names are not asked for. */
export function parseSettings(get: (key: Key) => string | null): { settings: Settings; rejected: Key[] } {
  const settings: Settings = {};
  const rejected: Key[] = [];
  for (const key of KEYS) {
    const raw = get(key);
    if (raw === null) continue;
    const v = PARSE[key](raw.trim());
    if (v === undefined) rejected.push(key);
    else (settings as Record<Key, unknown>)[key] = v;
  }
  return { settings, rejected };
}

/** `base` with the architecture settings of `s` applied (one hidden layer, as the form has). */
export function architecture(base: ModelConfig, s: Settings): ModelConfig {
  return {
    ...base,
    latent: s.latent ?? base.latent,
    hidden: s.hidden !== undefined ? [s.hidden] : base.hidden,
    activation: s.activation ?? base.activation,
    decoder: s.decoder ?? base.decoder,
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
