// The test and benchmark hooks' messages to and from the training worker. None is part of
// training: they travel inside the one `debug` message of each direction of the page's
// protocol (protocol.ts), are asked only by training/hooks.ts (behind app/debug.ts's
// ?debug and ?bench) and answered only by worker/lead-hooks.ts. Types only.
import type { Phases } from './team-stats';
import type { Binarization, Init, ModelConfig, TrainConfig } from './wasm';

/** Page -> training worker. */
export type DebugRequest =
  /** Time `steps` updates of the standard model after `warmup`, with `k` workers. */
  | { hook: 'bench'; warmup: number; steps: number; k: number }
  /** This worker's wasm memory. */
  | { hook: 'memory' }
  /** `steps` steps with K workers vs one, from the same state; the largest parameter
   * difference comes back. */
  | { hook: 'equivalence'; k: number; steps: number }
  /** `steps` seeded steps of a fresh model on MNIST with one worker (the standard model
   * and configuration with these changes); its checkpoint comes back. */
  | { hook: 'reproduce'; model: Partial<ModelConfig>; train: Partial<TrainConfig>; init: Init; binarization: Binarization; steps: number }
  /** This worker throws, as a crash would (no answer). */
  | { hook: 'crash' }
  /** Gradient worker `index` (2..K) throws, as a crash would (no answer). */
  | { hook: 'crash-helper'; index: number };

export interface BenchResult {
  hook: 'bench';
  samplesPerSec: number;
  steps: number;
  batch: number;
  seconds: number;
  k: number;
  /** Per worker, milliseconds per step in each phase. */
  phases: Phases[];
  /** The steps ran the hand-written host path (else dfdx's autodiff). */
  hostPath: boolean;
}

export interface EquivalenceResult {
  hook: 'equivalence';
  k: number;
  steps: number;
  maxDiff: number;
  repeatDiff: number;
  helpers: number;
}

export interface ReproduceResult {
  hook: 'reproduce';
  steps: number;
  /** The trained model as a checkpoint (safetensors bytes). */
  checkpoint: Uint8Array;
  hostPath: boolean;
}

/** Training worker -> page: the answer to the request with the same `hook`. */
export type DebugAnswer = BenchResult | EquivalenceResult | ReproduceResult | { hook: 'memory'; wasmBytes: number };

/** The requests that are answered, and the answer each gets. */
export type Asked = DebugAnswer['hook'];
export type AnswerTo<H extends Asked> = Extract<DebugAnswer, { hook: H }>;
