// Messages between the estimator lab (views/estimator-lab.ts) and its worker
// (worker/lab-worker.ts). Types only. One L is hundreds of gradient evaluations, seconds in
// all: off the page's thread, one L a request, so the page shows each L as it finishes and
// can stop between them.
import type { EstimatorStats } from './wasm';

export type ToLabWorker =
  /** The page's model as a checkpoint (Model.toCheckpoint), sent with the first L of a run. */
  | { type: 'model'; bytes: Uint8Array }
  /** The four estimators at L = samples over `repetitions` draws of noise keyed by `seed`. */
  | { type: 'measure'; id: number; x: Float32Array; samples: number; repetitions: number; seed: number };

export type FromLabWorker =
  | { type: 'stats'; id: number; samples: number; stats: EstimatorStats[] }
  /** The binding's refusal (a two-layer model) or a failure: its reason. */
  | { type: 'refused'; id: number; reason: string };
