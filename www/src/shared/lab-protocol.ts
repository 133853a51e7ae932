// Messages between the inference panels (views/estimator-lab.ts, views/kl-bars.ts) and
// their workers (worker/lab-worker.ts, one per panel). Types only. One L is hundreds of
// gradient evaluations, seconds in all: off the page's thread, one L a request, so the page
// shows each L as it finishes and can stop between them. The KL bars encode 1000 test
// images every few seconds while training: off the page's thread too.
import type { Activity, EstimatorStats } from './wasm';

export type ToLabWorker =
  /** The page's model as a checkpoint (Model.toCheckpoint), sent with the first L of a run. */
  | { type: 'model'; bytes: Uint8Array }
  /** The four estimators at L = samples over `repetitions` draws of noise keyed by `seed`. */
  | { type: 'measure'; id: number; x: Float32Array; samples: number; repetitions: number; seed: number }
  /** KL per dimension and the active units over the rows of x (test images as evaluated). */
  | { type: 'activity'; id: number; x: Float32Array };

export type FromLabWorker =
  | { type: 'stats'; id: number; samples: number; stats: EstimatorStats[] }
  | { type: 'activity'; id: number; activity: Activity }
  /** The binding's refusal (a two-layer model) or a failure: its reason. */
  | { type: 'refused'; id: number; reason: string };
