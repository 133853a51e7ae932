// Messages between the page and the training worker (worker.ts). Types only.
import type { Binarization, ModelConfig, TrainConfig } from './wasm';

export type DatasetName = 'mnist' | 'fashion-mnist';

/** Where a training run starts from: a fresh model, or a checkpoint of the page's model. */
export type StartFrom = { kind: 'fresh'; model: ModelConfig } | { kind: 'checkpoint'; bytes: Uint8Array };

export type ToWorker =
  /** run: chosen by the page, echoed on everything this trainer reports. */
  | { type: 'start'; run: number; from: StartFrom; train: TrainConfig; binarization: Binarization; dataset: DatasetName }
  /** Resume the existing trainer; the worker answers 'need-start' when it has none. */
  | { type: 'resume' }
  | { type: 'pause' }
  /** Forget the trainer (the page's model was replaced). */
  | { type: 'reset' }
  | { type: 'set-lr'; lr: number }
  | { type: 'bench'; warmup: number; steps: number };

export interface Progress {
  type: 'progress';
  run: number;
  step: number;
  epoch: number;
  /** Mean training ELBO (nats per image) of the last slice. */
  bound: number;
  samplesPerSec: number;
  /** Seconds left in the current epoch. */
  etaSec: number;
  /** Fraction of the current epoch done, 0..1. */
  epochFraction: number;
}

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'started'; run: number; trainLen: number; config: ModelConfig }
  | Progress
  | { type: 'params'; run: number; step: number; params: Float32Array }
  | { type: 'test'; run: number; step: number; epoch: number; elbo: number }
  | { type: 'paused' }
  | { type: 'need-start' }
  | { type: 'error'; message: string }
  | { type: 'bench-result'; samplesPerSec: number; steps: number; batch: number; seconds: number };
