// The core's vocabulary: its defaults, the name of every choice and the valid ranges
// (vae_core::vocabulary). vocabulary.json is written by the core's test
// (crates/vae-core/tests/vocabulary.rs), which fails when it differs; at start-up the page
// checks it against the wasm build it loads (shared/wasm.ts). Settings, the form's options,
// the URL parser and the team's size limit are built from it, so no default or name is
// written twice. DOM-free: the Node tests read it without wasm.
import raw from './vocabulary.json';
import type { ModelConfig, TrainConfig } from '../shared/wasm';
import type { Activation, Binarization, DatasetKind, DecoderKind, ErrorKind, Estimator, Family, Init, OptimizerKind, Preset, Schedule } from './vocabulary-names';

export interface Vocabulary {
  defaults: {
    model: ModelConfig;
    /** With the fields the page leaves to the core's defaults (adam_epsilon, kl_warmup, schedule). */
    train: TrainConfig & { adam_epsilon: number; kl_warmup: number; schedule: Schedule };
    init: Init;
    binarization: Binarization;
    dataset: DatasetKind;
  };
  names: {
    activation: Activation[];
    family: Family[];
    decoder: DecoderKind[];
    init: Init[];
    estimator: Estimator[];
    optimizer: OptimizerKind[];
    schedule: Schedule[];
    preset: Preset[];
    binarization: Binarization[];
    dataset: DatasetKind[];
    error: ErrorKind[];
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
