// Messages between the page and the training worker (worker/lead.ts). Types only. The
// test and benchmark hooks are one `debug` message each way, defined in debug-protocol.ts.
import type { DebugAnswer, DebugRequest } from './debug-protocol';
import type { Phases } from './team-stats';
import type { SavedMeta } from './persist';
import type { Binarization, ErrorKind, Init, ModelConfig, TrainConfig } from './wasm';

/** own: the personal set (shared/own-data-store.ts); own-mnist: it mixed into MNIST. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'own' | 'own-mnist';

/** How the personal set is used: the held-out share for the test ELBO, and the share of
 * the training set that is the personal set when mixed into MNIST (both 0..1). */
export interface OwnOptions {
  holdout: number;
  mix: number;
}

/** Where a training run starts from: a fresh model, or a checkpoint of the page's model. */
export type StartFrom = { kind: 'fresh'; model: ModelConfig } | { kind: 'checkpoint'; bytes: Uint8Array };

export type ToWorker =
  /** run: chosen by the page, echoed on everything this trainer reports. */
  | {
      type: 'start';
      run: number;
      from: StartFrom;
      train: TrainConfig;
      binarization: Binarization;
      /** A fresh model's initial weights (the core's default when absent). */
      init?: Init;
      dataset: DatasetName;
      own?: OwnOptions;
      /** Save the run to IndexedDB every few seconds and on pause (the page: yes). */
      persist?: boolean;
      /** The page's step and epoch counts before this trainer (kept with the saved run). */
      offset?: number;
      epochOffset?: number;
    }
  /** Continue the run saved in IndexedDB. */
  | { type: 'restore'; run: number }
  /** Resume the existing trainer; the worker answers 'need-start' when it has none. */
  | { type: 'resume' }
  | { type: 'pause' }
  /** Forget the trainer (the page's model was replaced). */
  | { type: 'reset' }
  | { type: 'set-lr'; lr: number }
  /** Workers sharing each step (K, this one included), or 'auto': the fastest K here. */
  | { type: 'set-workers'; k: number | 'auto' }
  /** A test or benchmark hook (debug-protocol.ts), answered by a `debug` message. */
  | { type: 'debug'; request: DebugRequest };

/** One worker's recent share of the work (the lead is worker 1): images, and milliseconds
 * per phase of the step. */
export interface WorkerStat {
  rows: number;
  phases: Phases;
}

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
  /** Per worker: images and milliseconds of gradient work in the last slice. */
  workers: WorkerStat[];
}

export type FromWorker =
  | { type: 'status'; text: string }
  /** testNote: what the test ELBO is measured on, beside the chart (a personal set's held-out part).
   * hostPath: the team trains by the hand-written host path (one layer, Gaussian q), else by dfdx's autodiff. */
  | { type: 'started'; run: number; trainLen: number; config: ModelConfig; testNote: string; hostPath: boolean }
  | Progress
  | { type: 'params'; run: number; step: number; params: Float32Array }
  /** The test ELBO and its two terms, E_q[log p(x|z)] and KL(q(z|x) || p(z)): elbo = rec - kl. */
  | { type: 'test'; run: number; step: number; epoch: number; elbo: number; reconstruction: number; kl: number }
  | { type: 'paused' }
  | { type: 'need-start' }
  /** kind: the core's kind of the failure (shared/wasm.ts ErrorKind), null for any other. */
  | { type: 'error'; message: string; kind: ErrorKind | null }
  /** Workers K in use and why: the measured rate of each K tried (auto), or the user's K. */
  | { type: 'workers-chosen'; k: number; auto: boolean; rates: Record<number, number> }
  | { type: 'worker-restarted'; index: number; reason: string }
  | { type: 'saved'; run: number; step: number; savedAt: number }
  /** The saved run was discarded after this run began: its save was dropped, and no more are made. */
  | { type: 'save-dropped'; run: number }
  /** A non-finite loss was caught: the model went back to `step`, the rate is now `lr`. */
  | { type: 'recovered'; run: number; step: number; lr: number; message: string }
  /** The saved run is back: the model (checkpoint) and what the page shows about it. */
  | { type: 'restored'; run: number; checkpoint: Uint8Array; meta: SavedMeta; testNote: string }
  /** The answer to a `debug` request (debug-protocol.ts). */
  | { type: 'debug'; answer: DebugAnswer };
