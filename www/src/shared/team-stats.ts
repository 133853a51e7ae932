// What the page and the training workers both know about a team of K data-parallel
// workers (worker/team.ts): its size limit and where each worker's time goes.
import { VOCABULARY } from '../pure/vocabulary';

/** Most workers a team may have: the core's (vae_core::parallel::MAX_WORKERS, through the
 * vocabulary); the form, the URL and the widget take their limit from here. */
export const MAX_WORKERS = VOCABULARY.limits.workers[1];

/** Milliseconds spent per phase, cumulative. */
export interface Phases {
  /** The gradient of this worker's rows. */
  compute: number;
  /** Copies between wasm memory, shared memory and messages. */
  transfer: number;
  /** Adding the K gradients of this worker's shard. */
  reduce: number;
  /** The optimizer step on the shard. */
  update: number;
  /** Waiting for the other workers (or, for helpers, the lead's next step). */
  idle: number;
}

export const noPhases = (): Phases => ({ compute: 0, transfer: 0, reduce: 0, update: 0, idle: 0 });

/** (a − b) / per, phase by phase: the time of a stretch of steps, per step when `per` is their number. */
export function diffPhases(a: Phases, b: Phases, per: number): Phases {
  const d = noPhases();
  for (const k of Object.keys(d) as (keyof Phases)[]) d[k] = (a[k] - b[k]) / per;
  return d;
}
