// How many workers share each step: the user's K, or auto K, which times K = 1, 2, ... on
// this machine while training and keeps the fastest (remembered for the page session, by
// training configuration).
import { MAX_WORKERS } from '../shared/team-stats';
import { post, run } from './lead-run';
import { checkpointNow, startTeam } from './rollback';

declare const self: DedicatedWorkerGlobalScope;

/** Auto K: each K is timed this long (after a few warm-up steps) before choosing. */
const CALIBRATE_MS = 1500;
const CALIBRATE_WARMUP = 3;

/** The K to start a run with: the user's, the one auto chose before, or 1 while measuring. */
export function initialK(): number {
  if (run.wanted !== 'auto') return run.wanted;
  const lead = run.lead!;
  const key = JSON.stringify([lead.config(), lead.trainConfig().batch_size, lead.trainConfig().estimator, lead.trainConfig().samples]);
  const known = run.chosen.get(key);
  if (known !== undefined) {
    post({ type: 'workers-chosen', k: known, auto: true, rates: {} });
    return known;
  }
  run.calibration = { key, rates: {}, steps: 0, rows: 0, since: 0 };
  return 1;
}

/** Auto K: records this slice's rate and moves to the next K, or settles. */
export async function calibrate(steps: number, rows: number): Promise<void> {
  const c = run.calibration!;
  c.steps += steps;
  if (c.steps <= CALIBRATE_WARMUP) {
    c.since = performance.now();
    c.rows = 0;
    return;
  }
  c.rows += rows;
  const elapsed = performance.now() - c.since;
  if (elapsed < CALIBRATE_MS) return;
  const k = run.team.k;
  c.rates[k] = Math.round((c.rows * 1000) / elapsed);
  const cores = Math.min(MAX_WORKERS, self.navigator.hardwareConcurrency || 2);
  const better = k === 1 || c.rates[k] > 1.05 * c.rates[k - 1];
  let next = k;
  if (better && k < cores) next = k + 1;
  else if (!better) next = k - 1;
  if (next > k) {
    await checkpointNow();
    await startTeam(run.snapshot!, next);
    c.steps = 0;
    return;
  }
  // Settled on `next`: the fastest measured.
  run.calibration = null;
  run.chosen.set(c.key, next);
  if (next !== k) {
    await checkpointNow();
    await startTeam(run.snapshot!, next);
  }
  post({ type: 'workers-chosen', k: next, auto: true, rates: c.rates });
}

/** The user's K (clamped to 1..MAX_WORKERS), or 'auto'. */
export function wantWorkers(k: number | 'auto'): number | 'auto' {
  return k === 'auto' ? 'auto' : Math.max(1, Math.min(MAX_WORKERS, Math.floor(k)));
}
