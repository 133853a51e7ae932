// Messages between the posterior panel (views/posterior.ts) and its worker
// (worker/posterior-worker.ts). Types only. The map costs a few thousand decoder passes,
// too many for the page's thread while someone draws, so it is computed off it.
import type { PosteriorMap } from './wasm';

export type ToPosteriorWorker =
  /** The page's model as a checkpoint (Model.toCheckpoint), sent when it has changed since
   * the last request: training moves it twice a second, but only a drawing needs it. */
  | { type: 'model'; bytes: Uint8Array }
  /** One image (784 values) and, after Refine, the refined q's mu and log sigma^2. */
  | { type: 'posterior'; id: number; x: Float32Array; grid: number; refined: { mu: Float32Array; lv: Float32Array } | null };

export type FromPosteriorWorker =
  | { type: 'posterior'; id: number; map: PosteriorMap }
  /** The binding's refusal (a two-layer model, a latent of 1) or a failure: its reason. */
  | { type: 'refused'; id: number; reason: string };
