// The core's vocabulary: its defaults, the name of every choice and the valid ranges
// (vae_core::vocabulary). vocabulary.json is written by the core's test
// (crates/vae-core/tests/vocabulary.rs), which fails when it differs; at start-up the page
// checks it against the wasm build it loads (shared/wasm.ts). Settings, the form's options,
// the URL parser and the team's size limit are built from it, so no default or name is
// written twice. DOM-free: the Node tests read it without wasm.
import raw from './vocabulary.json';
import type { Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, TrainConfig } from '../shared/wasm';

export interface Vocabulary {
  defaults: {
    model: ModelConfig;
    /** With the fields the page leaves to the core's defaults (adam_epsilon, kl_warmup, schedule). */
    train: TrainConfig & { adam_epsilon: number; kl_warmup: number; schedule: string };
    init: Init;
    binarization: 'dynamic' | 'fixed' | 'greyscale';
    dataset: 'mnist' | 'fashion-mnist';
  };
  names: {
    activation: Activation[];
    family: Family[];
    decoder: DecoderKind[];
    init: string[];
    estimator: Estimator[];
    optimizer: OptimizerKind[];
    schedule: string[];
    preset: string[];
    binarization: string[];
    dataset: string[];
    error: string[];
  };
  /** Inclusive [lo, hi]; the learning rate lies in (0, lr_max]. */
  limits: {
    input_dim: [number, number];
    latent: [number, number];
    hidden: [number, number];
    layers: [number, number];
    lr_max: number;
    batch: [number, number];
    samples: [number, number];
    workers: [number, number];
  };
}

export const VOCABULARY = raw as Vocabulary;
