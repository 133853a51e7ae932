// The training worker's current run, in one object that every part of the lead reads and
// writes (lead.ts dispatches, schedule.ts runs the slices, rollback.ts keeps the rollback
// point, workers-k.ts picks K, start.ts starts and restores, lead-hooks.ts serves the
// tests and benchmarks). One object, not module-level lets: ES modules cannot assign
// each other's bindings.
import type { Phases } from '../shared/team-stats';
import type * as persist from '../shared/persist';
import type { DatasetName, FromWorker } from '../shared/protocol';
import { Team } from './team';
import type { Data, Lead } from '../shared/wasm';

declare const self: DedicatedWorkerGlobalScope;

/** Images the periodic test ELBO is measured on. */
export const TEST_IMAGES = 1000;

/** What is saved with the run besides the position, the curves and the training
 * configuration (read from the lead's state when saved: the state is its one home). */
export type SavedRun = Omit<persist.SavedMeta, 'step' | 'epoch' | 'savedAt' | 'curves' | 'train'>;

/** Auto K being measured: the rates so far and the step timing of the current K. */
export interface Calibration {
  key: string;
  rates: Record<number, number>;
  steps: number;
  rows: number;
  since: number;
}

export const run = {
  /** note: what the test ELBO is measured on (said beside the chart). A personal set is
   * read afresh for every run: it may have changed since. */
  data: null as { name: DatasetName; d: Data; note: string } | null,
  lead: null as Lead | null,
  team: new Team(),
  running: false,
  /** Bumped whenever the run is replaced, so a stale slice loop stops. */
  generation: 0,
  /** The page's id for the current run, echoed so it can drop reports of older ones. */
  id: 0,
  /** samples/s, smoothed */
  rate: 0,
  lastParams: 0,
  lastTest: 0,
  lastEpoch: 0,
  lastStep: 0,
  lastEpochFraction: 0,
  /** Workers wanted: a K, or 'auto' (time K = 1, 2, ... here and keep the fastest). */
  wanted: 'auto' as number | 'auto',
  /** Auto K chosen for this page session, by training configuration. */
  chosen: new Map<string, number>(),
  calibration: null as Calibration | null,
  /** The slice in flight; stop() waits for it. */
  inflight: Promise.resolve() as Promise<void>,
  /** Phases of each worker at the last progress report (for per-slice figures). */
  lastPhases: [] as Phases[],

  // Persistence and recovery. `snapshot` is the last good training state (the rollback
  // point after a non-finite loss or a lost worker); it is also what goes to IndexedDB
  // when `persistOn`.
  persistOn: true,
  /** The saved record's generation this run saves under (persist.ts: a discard moves it on). */
  saveGeneration: 0,
  snapshot: null as Uint8Array | null,
  lastSave: 0,
  rollbacks: 0,
  savedRun: null as SavedRun | null,
  curves: { train: [], test: [], terms: [] } as persist.SavedMeta['curves'],
};

/** The run's learning rate from the next update on. Its home is the lead's training state
 * (the core checks it there, and throws an InvalidConfig error when out of range); every
 * worker of the team is told. */
export function setLearningRate(lr: number): void {
  if (!run.lead) return;
  run.lead.setLearningRate(lr);
  run.team.setLearningRate(lr);
}

/** The rate the run trains at: the lead's state's, the decimal the page sent. */
export function learningRate(): number {
  return run.lead!.trainConfig().lr;
}

export function post(m: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

export { errorMessage as message } from '../pure/error-message';
