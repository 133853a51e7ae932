// The training loop of the lead: slices of ~75 ms of steps; between slices the event loop
// runs, so 'pause' and other messages get in. After each slice: the progress report, and
// every so often the test ELBO, the parameters for the page and the rollback point.
import { diffPhases, noPhases } from '../shared/team-stats';
import * as persist from '../shared/persist';
import type { WorkerStat } from '../shared/protocol';
import { errorKind, type ErrorKind } from '../shared/wasm';
import { WorkerLost } from './team';
import { message, post, run, TEST_IMAGES } from './lead-run';
import { checkpointNow, restartFromSnapshot, rollBack, startTeam } from './rollback';
import { calibrate, wantWorkers } from './workers-k';

const SLICE_MS = 75;
const PARAMS_EVERY_MS = 500;
const TEST_EVERY_MS = 3000;
/** How often the training state goes to IndexedDB (and becomes the rollback point). */
const SAVE_EVERY_MS = 3000;

export function sendParams(): void {
  if (!run.team.replica) return;
  const params = run.team.replica.paramsView().slice();
  run.lastParams = performance.now();
  post({ type: 'params', run: run.id, step: run.lastStep, params }, [params.buffer]);
}

export function testElbo(epoch: number): void {
  if (!run.lead || !run.data || !run.team.replica) return;
  // One pass gives the bound and its two terms (the same images and noise as testElbo).
  const { elbo, reconstruction, kl } = run.lead.testTerms(run.team.replica, run.data.d, TEST_IMAGES);
  run.lastTest = performance.now();
  const step = (run.savedRun?.offset ?? 0) + run.lastStep;
  run.curves.test.push([step, elbo]);
  persist.thin(run.curves.test);
  (run.curves.terms ??= []).push([step, reconstruction, kl]);
  persist.thin(run.curves.terms);
  post({ type: 'test', run: run.id, step: run.lastStep, epoch, elbo, reconstruction, kl });
}

/** Runs steps for about SLICE_MS. */
async function runSlice(): Promise<{ bound: number; steps: number; rows: number; nonFinite: boolean }> {
  const t0 = performance.now();
  let bound = 0;
  let rows = 0;
  let steps = 0;
  do {
    let out;
    try {
      out = await run.team.step(run.lead!, run.data!.d);
    } catch (e) {
      // The parts were finite but their sum was not: the core refused the update.
      if (errorKind(e) === 'NonFiniteLoss') return { bound, steps, rows, nonFinite: true };
      throw e;
    }
    if (!out.applied) return { bound, steps, rows, nonFinite: true };
    bound += out.bound;
    rows += out.rows;
    steps++;
  } while (performance.now() - t0 < SLICE_MS && run.running);
  return { bound, steps, rows, nonFinite: false };
}

/** Per-worker images and phases since the last report. */
function workerStats(rows: number): WorkerStat[] {
  const now = run.team.phasesByWorker();
  const stats = now.map((p, i) => {
    const before = run.lastPhases[i] ?? noPhases();
    return { rows: rows / now.length, phases: diffPhases(p, before, 1) };
  });
  run.lastPhases = now;
  return stats;
}

/** Stops the loop for good: it says why and the page shows it paused. */
function halt(why: string, kind: ErrorKind | null): void {
  run.running = false;
  post({ type: 'error', message: why, kind });
  post({ type: 'paused' });
}

/** Runs one slice, reports, and schedules the next one. */
async function slice(gen: number): Promise<void> {
  if (!run.running || gen !== run.generation || !run.lead || !run.data) return;
  const t0 = performance.now();
  let r;
  try {
    r = await runSlice();
  } catch (e) {
    if (e instanceof WorkerLost && run.snapshot) {
      // A worker failed: every worker starts again from the last saved state; the steps
      // since are replayed exactly (all draws are keyed by seed, step and row).
      post({ type: 'worker-restarted', index: e.index || 2, reason: e.message });
      try {
        await restartFromSnapshot();
        yieldThen(() => (run.inflight = slice(gen)));
        return;
      } catch (e2) {
        e = e2;
      }
    }
    return halt(`Training stopped: ${message(e)}.`, errorKind(e));
  }
  if (r.nonFinite) {
    if (await rollBack('The loss became non-finite.')) {
      sendParams();
      yieldThen(() => (run.inflight = slice(gen)));
      return;
    }
    return halt('Training stopped: the loss is not finite even after halving the learning rate ten times. Try a smaller learning rate.', 'NonFiniteLoss');
  }
  if (r.steps === 0) return void yieldThen(() => (run.inflight = slice(gen)));
  const lead = run.lead;
  const dt = Math.max(performance.now() - t0, 0.1);
  const sps = (r.rows * 1000) / dt;
  run.rate = run.rate === 0 ? sps : 0.8 * run.rate + 0.2 * sps;
  const p = lead.progress();
  run.lastStep = p.step;
  const fraction = p.epoch_size > 0 ? p.cursor / p.epoch_size : 0;
  run.lastEpochFraction = p.epoch + fraction;
  const bound = r.bound / r.rows;
  run.curves.train.push([(run.savedRun?.offset ?? 0) + p.step, bound]);
  persist.thin(run.curves.train);
  post({
    type: 'progress',
    run: run.id,
    step: p.step,
    epoch: p.epoch,
    bound,
    samplesPerSec: run.rate,
    etaSec: (p.epoch_size - p.cursor) / run.rate,
    epochFraction: fraction,
    workers: workerStats(r.rows),
  });
  if (run.calibration) await calibrate(r.steps, r.rows);
  const now = performance.now();
  // At each epoch's end, but not more than once a second: a small personal set ends an
  // epoch every step or two.
  if ((p.epoch !== run.lastEpoch && now - run.lastTest > 1000) || now - run.lastTest > TEST_EVERY_MS) {
    run.lastEpoch = p.epoch;
    testElbo(p.epoch);
  }
  if (now - run.lastParams > PARAMS_EVERY_MS) sendParams();
  if (now - run.lastSave > SAVE_EVERY_MS) {
    await checkpointNow();
    run.rollbacks = 0; // progress since the last rollback point: a fresh allowance
  }
  yieldThen(() => (run.inflight = slice(gen)));
}

// A MessageChannel round trip yields to the event loop without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
let next: (() => void) | null = null;
channel.port1.onmessage = () => {
  const f = next;
  next = null;
  f?.();
};
function yieldThen(f: () => void): void {
  next = f;
  channel.port2.postMessage(null);
}

export function resume(): void {
  run.running = true;
  run.lastTest = performance.now();
  run.inflight = slice(run.generation);
}

/** Waits for the slice in flight, then sends the parameters and keeps the rollback point. */
export async function pause(): Promise<void> {
  if (run.running) {
    run.running = false;
    await run.inflight; // a consistent state: no step half done
    sendParams(); // the page's model ends exactly where training paused
    await checkpointNow();
  }
  post({ type: 'paused' });
}

/** Stops training and frees the run once no slice is using it. */
export async function stop(): Promise<void> {
  run.running = false;
  run.generation++;
  await run.inflight;
  run.team.terminate();
  run.lead?.free();
  run.lead = null;
  run.calibration = null;
}

/** The user's K (or 'auto'); a running team moves to a new K between slices. */
export async function setWorkers(k: number | 'auto'): Promise<void> {
  const wanted = (run.wanted = wantWorkers(k));
  if (!run.lead || wanted === 'auto' || wanted === run.team.k) return;
  run.calibration = null;
  const wasRunning = run.running;
  run.running = false;
  await run.inflight;
  await checkpointNow();
  await startTeam(run.snapshot!, wanted);
  post({ type: 'workers-chosen', k: wanted, auto: false, rates: {} });
  if (wasRunning) resume();
}
