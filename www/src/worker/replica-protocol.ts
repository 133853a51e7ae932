// Messages between the lead (worker/team.ts) and another training worker
// (worker/replica-worker.ts). Types only; the page never sees these.
import type { SharedBuffers } from './exchange';

/** Lead -> another training worker (replica-worker.ts). */
export type ToReplicaWorker =
  | {
      type: 'init';
      /** The training state to start from (every worker takes its shard of the moments). */
      state: Uint8Array;
      k: number;
      j: number;
      dim: number;
      /** Shared memory when cross-origin isolated; else one port per peer (null for itself). */
      shared?: SharedBuffers;
      ports?: (MessagePort | null)[];
    }
  | { type: 'moments'; id: number }
  | { type: 'set-lr'; lr: number }
  | { type: 'crash' };

export type FromReplicaWorker =
  | { type: 'ready'; hostPath: boolean }
  | { type: 'moments'; id: number; moments: Float32Array; optimT: number }
  | { type: 'failed'; message: string };

