// The rollback point: the last good training state, kept every few seconds (and saved to
// IndexedDB when the run persists). After a non-finite loss the run goes back to it with
// half the learning rate; after a lost worker, with the same rate.
import * as persist from '../shared/persist';
import { errorKind, Lead } from '../shared/wasm';
import { learningRate, message, post, run } from './lead-run';

/** Halvings of the learning rate tried after non-finite losses before giving up. */
export const MAX_ROLLBACKS = 10;

/** Starts the team with K workers from `state`. */
export async function startTeam(state: Uint8Array, k: number): Promise<void> {
  await run.team.start(state, k, run.lead!.config().input_dim, run.lead!.trainConfig().batch_size);
  run.lastPhases = run.team.phasesByWorker();
}

/** Keeps the current state as the rollback point and, when enabled, in IndexedDB. */
export async function checkpointNow(): Promise<void> {
  if (!run.lead || !run.savedRun || !run.data) return;
  const state = await run.team.snapshot(run.lead, {});
  run.lastSave = performance.now();
  // A rate so large that Adam's second moments overflowed while the loss stayed finite
  // gives a state the core refuses to load (BadCheckpoint): a rollback to it would throw
  // and stall the run. Such a state is neither the rollback point nor saved; the last good
  // one stays. Any other failure is a fault: the same, but said.
  try {
    Lead.fromState(state, run.data!.d).free();
  } catch (e) {
    if (errorKind(e) !== 'BadCheckpoint') post({ type: 'status', text: `The training state could not be kept (${message(e)}).` });
    return;
  }
  run.snapshot = state;
  if (!run.persistOn) return;
  const meta: persist.SavedMeta = { ...run.savedRun!, train: run.lead.trainConfig(), step: run.lastStep, epoch: run.lastEpochFraction, savedAt: Date.now(), curves: run.curves, workers: run.wanted };
  try {
    if (await persist.save(state, meta, run.saveGeneration)) {
      post({ type: 'saved', run: run.id, step: run.lastStep, savedAt: meta.savedAt });
    } else {
      // Discarded (in another tab, or by a reload's page) after this run began: it stays
      // discarded, and this run trains on unsaved.
      run.persistOn = false;
      post({ type: 'save-dropped', run: run.id });
    }
  } catch (e) {
    run.persistOn = false; // private windows may refuse storage: keep training, say so once
    post({ type: 'status', text: `Training progress cannot be saved in this browser (${message(e)}).` });
  }
}

/** Restarts every worker from the last good state at learning rate `lr` (by default the
 * current one, which may have been changed since that state was kept). */
export async function restartFromSnapshot(lr = learningRate()): Promise<void> {
  const restored = Lead.fromState(run.snapshot!, run.data!.d);
  restored.setLearningRate(lr);
  run.lead?.free();
  run.lead = restored;
  const step = restored.step();
  await startTeam(restored.state({}), run.team.k);
  run.lastStep = step;
}

/** After a non-finite loss: back to the last good state with half the learning rate. */
export async function rollBack(why: string): Promise<boolean> {
  if (!run.lead || !run.data || !run.snapshot || !run.savedRun || run.rollbacks >= MAX_ROLLBACKS) return false;
  // The state keeps the decimal the page sent (an f64), so the page shows 0.0005.
  const lr = learningRate() / 2;
  await restartFromSnapshot(lr);
  run.rollbacks++;
  post({ type: 'recovered', run: run.id, lr, step: run.lastStep, message: `${why} Rolled back to step ${(run.savedRun?.offset ?? 0) + run.lastStep} and halved the learning rate to ${lr}.` });
  return true;
}
