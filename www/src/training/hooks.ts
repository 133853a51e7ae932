// The benchmark's and the tests' questions to the training worker (app/main.ts exposes them
// with ?bench and ?debug): each asks once and waits for the worker's one answer.
import type { Phases } from '../shared/team-stats';
import type { FromWorker, ToWorker } from '../shared/protocol';

export interface BenchResult {
  samplesPerSec: number;
  steps: number;
  seconds: number;
  k: number;
  /** Per worker, milliseconds per step in each phase. */
  phases: Phases[];
  hostPath: boolean;
}

export interface EquivalenceResult {
  k: number;
  steps: number;
  maxDiff: number;
  repeatDiff: number;
  helpers: number;
}

export interface ReproduceResult {
  steps: number;
  /** The trained model as a checkpoint (safetensors bytes). */
  checkpoint: Uint8Array;
  hostPath: boolean;
}

export type ReproduceRequest = Omit<Extract<ToWorker, { type: 'reproduce' }>, 'type'>;

export class WorkerQuestions {
  private benchDone: ((r: BenchResult) => void) | null = null;
  private memoryDone: ((bytes: number) => void) | null = null;
  private equivalenceDone: ((r: EquivalenceResult) => void) | null = null;
  private reproduceDone: ((r: ReproduceResult) => void) | null = null;

  constructor(private readonly send: (m: ToWorker) => void) {}

  bench(warmup: number, steps: number, k: number): Promise<BenchResult> {
    return new Promise((ok) => {
      this.benchDone = ok;
      this.send({ type: 'bench', warmup, steps, k });
    });
  }

  /** The training worker's wasm memory in bytes. */
  memory(): Promise<number> {
    return new Promise((ok) => {
      this.memoryDone = ok;
      this.send({ type: 'memory' });
    });
  }

  /** K-worker steps against one-worker steps, in the worker. */
  equivalence(k: number, steps: number): Promise<EquivalenceResult> {
    return new Promise((ok) => {
      this.equivalenceDone = ok;
      this.send({ type: 'equivalence', k, steps });
    });
  }

  /** Seeded steps of a fresh model with one worker: its checkpoint. */
  reproduce(request: ReproduceRequest): Promise<ReproduceResult> {
    return new Promise((ok) => {
      this.reproduceDone = ok;
      this.send({ type: 'reproduce', ...request });
    });
  }

  /** Takes the worker's answers; true when `m` was one. */
  answer(m: FromWorker): boolean {
    if (m.type === 'bench-result') {
      this.benchDone?.(m);
      this.benchDone = null;
    } else if (m.type === 'memory-result') {
      this.memoryDone?.(m.wasmBytes);
      this.memoryDone = null;
    } else if (m.type === 'equivalence-result') {
      this.equivalenceDone?.(m);
      this.equivalenceDone = null;
    } else if (m.type === 'reproduce-result') {
      this.reproduceDone?.(m);
      this.reproduceDone = null;
    } else return false;
    return true;
  }
}
