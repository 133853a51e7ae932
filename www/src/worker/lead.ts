// The training worker (the lead, worker 1): its own wasm instance, so training never
// blocks the page. It holds the data, draws the minibatches, evaluates, saves the run, and
// with K > 1 works as one of K equal data-parallel workers (team.ts, exchange.ts).
// Training runs in slices of ~75 ms; between slices the event loop runs, so 'pause' and
// other messages get in.
import { DATASET_LABELS, fetchFull, megabytes } from '../shared/data';
import { diffPhases, MAX_WORKERS, noPhases, type Phases } from '../shared/team-stats';
import * as persist from '../shared/persist';
import type { DatasetName, FromWorker, OwnOptions, ToWorker, WorkerStat } from '../shared/protocol';
import { ownFiles } from './own-data';
import { Team, WorkerLost } from './team';
import { Data, DEFAULT_MODEL, DEFAULT_TRAIN, Lead, loadWasm, wasmMemoryBytes } from '../shared/wasm';

declare const self: DedicatedWorkerGlobalScope;

const SLICE_MS = 75;
const PARAMS_EVERY_MS = 500;
const TEST_EVERY_MS = 3000;
const TEST_IMAGES = 1000;
/** How often the training state goes to IndexedDB (and becomes the rollback point). */
const SAVE_EVERY_MS = 3000;
/** Halvings of the learning rate tried after non-finite losses before giving up. */
const MAX_ROLLBACKS = 10;
/** Auto K: each K is timed this long (after a few warm-up steps) before choosing. */
const CALIBRATE_MS = 1500;
const CALIBRATE_WARMUP = 3;

/** note: what the test ELBO is measured on (said beside the chart). A personal set is read
 * afresh for every run: it may have changed since. */
let data: { name: DatasetName; d: Data; note: string } | null = null;
let lead: Lead | null = null;
const team = new Team();
let running = false;
/** Bumped whenever the run is replaced, so a stale slice loop stops. */
let generation = 0;
/** The page's id for the current run, echoed so it can drop reports of older ones. */
let run = 0;
let rate = 0; // samples/s, smoothed
let lastParams = 0;
let lastTest = 0;
let lastEpoch = 0;
let lastStep = 0;
let lastEpochFraction = 0;
/** Workers wanted: a K, or 'auto' (time K = 1, 2, ... here and keep the fastest). */
let wanted: number | 'auto' = 'auto';
/** Auto K chosen for this page session, by training configuration. */
const chosen = new Map<string, number>();
/** Auto K being measured: the rates so far and the step timing of the current K. */
let calibration: { key: string; rates: Record<number, number>; steps: number; rows: number; since: number } | null = null;
/** The slice in flight; stop() waits for it. */
let inflight: Promise<void> = Promise.resolve();
/** Phases of each worker at the last progress report (for per-slice figures). */
let lastPhases: Phases[] = [];

// Persistence and recovery. `snapshot` is the last good training state (the rollback
// point after a non-finite loss or a lost worker); it is also what goes to IndexedDB when
// `persistOn`.
let persistOn = true;
/** The saved record's generation this run saves under (persist.ts: a discard moves it on). */
let saveGeneration = 0;
let snapshot: Uint8Array | null = null;
let lastSave = 0;
let rollbacks = 0;
let savedRun: Omit<persist.SavedMeta, 'step' | 'epoch' | 'savedAt' | 'curves'> | null = null;
let curves: persist.SavedMeta['curves'] = { train: [], test: [] };

function post(m: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** own: the personal set's idx files, prepared (and checked) before the old run stopped. */
async function getData(name: DatasetName, own?: { files: Uint8Array[]; note: string }): Promise<Data> {
  if (own) {
    data?.d.free();
    const [a, b, c, d] = own.files;
    data = { name, d: Data.fromIdx(a, b, c, d), note: own.note };
    return data.d;
  }
  if (data?.name === name) return data.d;
  data?.d.free();
  data = null;
  const label = DATASET_LABELS[name];
  let shown = 0;
  const files = await fetchFull(name, (loaded, total) => {
    const now = performance.now();
    if (now - shown < 150) return; // a status line per chunk would flood the page
    shown = now;
    post({ type: 'status', text: `Downloading ${label}: ${megabytes(loaded)} / ${megabytes(total)} MB` });
  });
  post({ type: 'status', text: `Parsing ${label}…` });
  const [a, b, c, d] = files;
  data = { name, d: Data.fromIdx(a, b, c, d), note: `Test ELBO: on the first ${TEST_IMAGES} test images of ${label}` };
  return data.d;
}

function dim(): number {
  return lead!.config().input_dim;
}

/** Starts the team with K workers from `state`. */
async function startTeam(state: Uint8Array, k: number): Promise<void> {
  await team.start(state, k, dim(), lead!.trainConfig().batch_size);
  lastPhases = team.phasesByWorker();
}

function sendParams(): void {
  if (!team.replica) return;
  const params = team.replica.paramsView().slice();
  lastParams = performance.now();
  post({ type: 'params', run, step: lastStep, params }, [params.buffer]);
}

function testElbo(epoch: number): void {
  if (!lead || !data || !team.replica) return;
  // One pass gives the bound and its two terms (the same images and noise as testElbo).
  const { elbo, reconstruction, kl } = lead.testTerms(team.replica, data.d, TEST_IMAGES);
  lastTest = performance.now();
  curves.test.push([(savedRun?.offset ?? 0) + lastStep, elbo]);
  persist.thin(curves.test);
  post({ type: 'test', run, step: lastStep, epoch, elbo, reconstruction, kl });
}

/** Keeps the current state as the rollback point and, when enabled, in IndexedDB. */
async function checkpointNow(): Promise<void> {
  if (!lead || !savedRun || !data) return;
  const state = await team.snapshot(lead, {});
  lastSave = performance.now();
  // A rate so large that Adam's second moments overflowed while the loss stayed finite
  // gives a state the core refuses to load: a rollback to it would throw and stall the
  // run. Such a state is neither the rollback point nor saved; the last good one stays.
  try {
    Lead.fromState(state, data.d).free();
  } catch {
    return;
  }
  snapshot = state;
  if (!persistOn) return;
  const meta: persist.SavedMeta = { ...savedRun, step: lastStep, epoch: lastEpochFraction, savedAt: Date.now(), curves, workers: wanted };
  try {
    if (await persist.save(snapshot, meta, saveGeneration)) {
      post({ type: 'saved', run, step: lastStep, savedAt: meta.savedAt });
    } else {
      // Discarded (in another tab, or by a reload's page) after this run began: it stays
      // discarded, and this run trains on unsaved.
      persistOn = false;
      post({ type: 'save-dropped', run });
    }
  } catch (e) {
    persistOn = false; // private windows may refuse storage: keep training, say so once
    post({ type: 'status', text: `Training progress cannot be saved in this browser (${message(e)}).` });
  }
}

/** Restarts every worker from the last good state, optionally with another learning rate. */
async function restartFromSnapshot(lr?: number): Promise<void> {
  const restored = Lead.fromState(snapshot!, data!.d);
  if (lr !== undefined) restored.setLearningRate(lr);
  lead?.free();
  lead = restored;
  const step = lead.step();
  await startTeam(lead.state({}), team.k);
  lastStep = step;
}

/** After a non-finite loss: back to the last good state with half the learning rate. */
async function rollBack(why: string): Promise<boolean> {
  if (!lead || !data || !snapshot || !savedRun || rollbacks >= MAX_ROLLBACKS) return false;
  // Halved from the decimal the page sent (f64), not from the core's f32: the page then shows
  // 0.0005, not 0.0005000000237.
  const lr = savedRun.train.lr / 2;
  savedRun = { ...savedRun, train: { ...savedRun.train, lr } };
  await restartFromSnapshot(lr);
  rollbacks++;
  post({ type: 'recovered', run, lr, step: lastStep, message: `${why} Rolled back to step ${(savedRun?.offset ?? 0) + lastStep} and halved the learning rate to ${lr}.` });
  return true;
}

/** Runs steps for about SLICE_MS. */
async function runSlice(): Promise<{ bound: number; steps: number; rows: number; nonFinite: boolean }> {
  const t0 = performance.now();
  let bound = 0;
  let rows = 0;
  let steps = 0;
  do {
    const out = await team.step(lead!, data!.d);
    if (!out.applied) return { bound, steps, rows, nonFinite: true };
    bound += out.bound;
    rows += out.rows;
    steps++;
  } while (performance.now() - t0 < SLICE_MS && running);
  return { bound, steps, rows, nonFinite: false };
}

/** Per-worker images and phases since the last report. */
function workerStats(rows: number): WorkerStat[] {
  const now = team.phasesByWorker();
  const stats = now.map((p, i) => {
    const before = lastPhases[i] ?? noPhases();
    return { rows: rows / now.length, phases: diffPhases(p, before, 1) };
  });
  lastPhases = now;
  return stats;
}

/** Auto K: records this slice's rate and moves to the next K, or settles. */
async function calibrate(steps: number, rows: number): Promise<void> {
  const c = calibration!;
  c.steps += steps;
  if (c.steps <= CALIBRATE_WARMUP) {
    c.since = performance.now();
    c.rows = 0;
    return;
  }
  c.rows += rows;
  const elapsed = performance.now() - c.since;
  if (elapsed < CALIBRATE_MS) return;
  const k = team.k;
  c.rates[k] = Math.round((c.rows * 1000) / elapsed);
  const cores = Math.min(MAX_WORKERS, self.navigator.hardwareConcurrency || 2);
  const better = k === 1 || c.rates[k] > 1.05 * c.rates[k - 1];
  let next = k;
  if (better && k < cores) next = k + 1;
  else if (!better) next = k - 1;
  if (next > k) {
    await checkpointNow();
    await startTeam(snapshot!, next);
    c.steps = 0;
    return;
  }
  // Settled on `next`: the fastest measured.
  calibration = null;
  chosen.set(c.key, next);
  if (next !== k) {
    await checkpointNow();
    await startTeam(snapshot!, next);
  }
  post({ type: 'workers-chosen', k: next, auto: true, rates: c.rates });
}

/** Runs one slice, reports, and schedules the next one. */
async function slice(gen: number): Promise<void> {
  if (!running || gen !== generation || !lead || !data) return;
  const t0 = performance.now();
  let r;
  try {
    r = await runSlice();
  } catch (e) {
    if (e instanceof WorkerLost && snapshot) {
      // A worker failed: every worker starts again from the last saved state; the steps
      // since are replayed exactly (all draws are keyed by seed, step and row).
      post({ type: 'worker-restarted', index: e.index || 2, reason: e.message });
      try {
        await restartFromSnapshot();
        yieldThen(() => (inflight = slice(gen)));
        return;
      } catch (e2) {
        e = e2;
      }
    }
    running = false;
    post({ type: 'error', message: `Training stopped: ${message(e)}.` });
    post({ type: 'paused' });
    return;
  }
  if (r.nonFinite) {
    if (await rollBack('The loss became non-finite.')) {
      sendParams();
      yieldThen(() => (inflight = slice(gen)));
      return;
    }
    running = false;
    post({ type: 'error', message: 'Training stopped: the loss is not finite even after halving the learning rate ten times. Try a smaller learning rate.' });
    post({ type: 'paused' });
    return;
  }
  if (r.steps === 0) return void yieldThen(() => (inflight = slice(gen)));
  const dt = Math.max(performance.now() - t0, 0.1);
  const sps = (r.rows * 1000) / dt;
  rate = rate === 0 ? sps : 0.8 * rate + 0.2 * sps;
  const p = lead.progress();
  lastStep = p.step;
  const fraction = p.epoch_size > 0 ? p.cursor / p.epoch_size : 0;
  lastEpochFraction = p.epoch + fraction;
  const bound = r.bound / r.rows;
  curves.train.push([(savedRun?.offset ?? 0) + p.step, bound]);
  persist.thin(curves.train);
  post({
    type: 'progress',
    run,
    step: p.step,
    epoch: p.epoch,
    bound,
    samplesPerSec: rate,
    etaSec: (p.epoch_size - p.cursor) / rate,
    epochFraction: fraction,
    workers: workerStats(r.rows),
  });
  if (calibration) await calibrate(r.steps, r.rows);
  const now = performance.now();
  // At each epoch's end, but not more than once a second: a small personal set ends an
  // epoch every step or two.
  if ((p.epoch !== lastEpoch && now - lastTest > 1000) || now - lastTest > TEST_EVERY_MS) {
    lastEpoch = p.epoch;
    testElbo(p.epoch);
  }
  if (now - lastParams > PARAMS_EVERY_MS) sendParams();
  if (now - lastSave > SAVE_EVERY_MS) {
    await checkpointNow();
    rollbacks = 0; // progress since the last rollback point: a fresh allowance
  }
  yieldThen(() => (inflight = slice(gen)));
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

function resume(): void {
  running = true;
  lastTest = performance.now();
  inflight = slice(generation);
}

/** Stops training and frees the run once no slice is using it. */
async function stop(): Promise<void> {
  running = false;
  generation++;
  await inflight;
  team.terminate();
  lead?.free();
  lead = null;
  calibration = null;
}

/** The K to start a run with: the user's, the one auto chose before, or 1 while measuring. */
function initialK(): number {
  if (wanted !== 'auto') return wanted;
  const key = JSON.stringify([lead!.config(), lead!.trainConfig().batch_size, lead!.trainConfig().estimator, lead!.trainConfig().samples]);
  const known = chosen.get(key);
  if (known !== undefined) {
    post({ type: 'workers-chosen', k: known, auto: true, rates: {} });
    return known;
  }
  calibration = { key, rates: {}, steps: 0, rows: 0, since: 0 };
  return 1;
}

/** A personal set as idx files; throws (saying why) before anything is stopped. */
async function prepareOwn(name: DatasetName, opts: OwnOptions | undefined): Promise<{ files: Uint8Array[]; note: string } | undefined> {
  if (name !== 'own' && name !== 'own-mnist') return undefined;
  return ownFiles(name, opts ?? OWN_DEFAULTS, (text) => post({ type: 'status', text }));
}

const OWN_DEFAULTS: OwnOptions = { holdout: 0.1, mix: 0.25 };

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const own = await prepareOwn(m.dataset, m.own);
  await stop();
  run = m.run;
  const d = await getData(m.dataset, own);
  post({ type: 'status', text: 'Building the model…' });
  lead =
    m.from.kind === 'fresh'
      ? Lead.fresh(m.from.model, m.train, m.binarization, m.init, d)
      : Lead.fromCheckpoint(m.from.bytes, m.train, m.binarization, d);
  persistOn = m.persist ?? false;
  try {
    if (persistOn) saveGeneration = await persist.generation();
  } catch {
    // Unreadable storage: the first save fails too and says so.
  }
  savedRun = { dataset: m.dataset, own: m.own, binarization: m.binarization, config: lead.config(), train: m.train, offset: m.offset ?? 0, epochOffset: m.epochOffset ?? 0 };
  curves = { train: [], test: [] };
  snapshot = lead.state({});
  await startTeam(snapshot, initialK());
  begin(0, 0);
  post({ type: 'started', run, trainLen: d.trainLen(), config: lead.config(), testNote: data!.note, hostPath: team.hostPath });
  testElbo(0); // the chart's first point: where training starts from
  await checkpointNow(); // the first rollback point
  post({ type: 'status', text: '' });
  resume();
}

/** Readies the loop at (step, epoch). */
function begin(step: number, epoch: number): void {
  rate = 0;
  rollbacks = 0;
  lastEpoch = epoch;
  lastStep = step;
  lastEpochFraction = epoch;
}

/** Continues the run saved in IndexedDB exactly where it was saved. */
async function restore(m: Extract<ToWorker, { type: 'restore' }>): Promise<void> {
  await stop();
  run = m.run;
  const saved = await persist.loadState();
  if (!saved) {
    post({ type: 'error', message: 'There is no saved training run to resume.' });
    post({ type: 'paused' });
    return;
  }
  const { state, meta } = saved;
  saveGeneration = saved.generation;
  const d = await getData(meta.dataset, await prepareOwn(meta.dataset, meta.own));
  post({ type: 'status', text: 'Restoring the saved run…' });
  lead = Lead.fromState(state, d);
  persistOn = true;
  savedRun = { dataset: meta.dataset, own: meta.own, binarization: meta.binarization, config: meta.config, train: meta.train, offset: meta.offset, epochOffset: meta.epochOffset };
  curves = meta.curves;
  const step = lead.step();
  snapshot = state;
  await startTeam(state, initialK());
  begin(step, Math.floor(meta.epoch));
  lastSave = performance.now();
  post({ type: 'restored', run, checkpoint: lead.toCheckpoint(team.replica!, {}), meta: { ...meta, step }, testNote: data!.note });
  post({ type: 'status', text: '' });
  sendParams();
  resume();
}

/** Times `steps` updates of the standard model after `warmup`, with `k` workers. */
async function bench(warmup: number, steps: number, k: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const cfg = DEFAULT_TRAIN;
  const l = Lead.fresh(DEFAULT_MODEL, cfg, 'dynamic', undefined, d);
  const t = new Team();
  try {
    await t.start(l.state({}), k, DEFAULT_MODEL.input_dim, cfg.batch_size);
    for (let i = 0; i < Math.max(warmup, 1); i++) await t.step(l, d);
    const before = t.phasesByWorker();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await t.step(l, d);
    const seconds = (performance.now() - t0) / 1000;
    const after = t.phasesByWorker();
    const phases = after.map((p, i) => diffPhases(p, before[i], steps));
    post({ type: 'bench-result', samplesPerSec: (steps * cfg.batch_size) / seconds, steps, batch: cfg.batch_size, seconds, k, phases, hostPath: t.hostPath });
  } finally {
    t.terminate();
    l.free();
  }
}

/** `steps` steps of the standard model with one worker and with `k` (twice), from the same
 * state: the largest parameter difference between K = 1 and K = k (data, noise and order of
 * updates are the same; only float additions are ordered differently), and between the two
 * K = k runs (a seeded run repeats exactly). */
async function equivalence(k: number, steps: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const params: Float32Array[] = [];
  for (const kk of [1, k, k]) {
    const l = Lead.fresh(DEFAULT_MODEL, DEFAULT_TRAIN, 'dynamic', undefined, d);
    const t = new Team();
    try {
      await t.start(l.state({}), kk, DEFAULT_MODEL.input_dim, DEFAULT_TRAIN.batch_size);
      for (let i = 0; i < steps; i++) await t.step(l, d);
      params.push(t.replica!.paramsView().slice());
    } finally {
      t.terminate();
      l.free();
    }
  }
  const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  post({ type: 'equivalence-result', k, steps, maxDiff: diff(params[0], params[1]), repeatDiff: diff(params[1], params[2]), helpers: k - 1 });
}

/** A fresh model (the standard one with `m`'s changes) trained `m.steps` steps from its
 * seed by one worker, as native `vae train --steps` trains it: the same initialisation,
 * minibatches and noise (tests/e2e/values-reproducible.test.mjs compares the two). */
async function reproduce(m: Extract<ToWorker, { type: 'reproduce' }>): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const train = { ...DEFAULT_TRAIN, ...m.train };
  const l = Lead.fresh({ ...DEFAULT_MODEL, ...m.model }, train, m.binarization, m.init, d);
  const t = new Team();
  try {
    await t.start(l.state({}), 1, l.config().input_dim, train.batch_size);
    for (let i = 0; i < m.steps; i++) {
      if (!(await t.step(l, d)).applied) throw new Error(`step ${i} was not applied (a non-finite loss)`);
    }
    const checkpoint = l.toCheckpoint(t.replica!, {});
    post({ type: 'reproduce-result', steps: m.steps, checkpoint, hostPath: t.hostPath }, [checkpoint.buffer]);
  } finally {
    t.terminate();
    l.free();
  }
}

async function setWorkers(k: number | 'auto'): Promise<void> {
  wanted = k === 'auto' ? 'auto' : Math.max(1, Math.min(MAX_WORKERS, Math.floor(k)));
  if (!lead || wanted === 'auto' || wanted === team.k) return;
  calibration = null;
  const wasRunning = running;
  running = false;
  await inflight;
  await checkpointNow();
  await startTeam(snapshot!, wanted);
  post({ type: 'workers-chosen', k: wanted, auto: false, rates: {} });
  if (wasRunning) resume();
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'start':
      return start(m);
    case 'resume':
      if (lead && data) resume();
      else post({ type: 'need-start' });
      return;
    case 'pause':
      if (running) {
        running = false;
        await inflight; // a consistent state: no step half done
        sendParams(); // the page's model ends exactly where training paused
        await checkpointNow();
      }
      post({ type: 'paused' });
      return;
    case 'restore':
      return restore(m);
    case 'crash':
      // Test hook: an uncaught error, as a real failure of this worker would raise.
      setTimeout(() => {
        throw new Error('training worker crashed (simulated)');
      });
      return;
    case 'reset':
      return stop();
    case 'set-workers':
      return setWorkers(m.k);
    case 'crash-helper':
      team.crash(m.index);
      return;
    case 'equivalence':
      return equivalence(m.k, m.steps);
    case 'reproduce':
      return reproduce(m);
    case 'set-lr':
      if (savedRun) savedRun = { ...savedRun, train: { ...savedRun.train, lr: m.lr } };
      lead?.setLearningRate(m.lr);
      team.setLearningRate(m.lr);
      return;
    case 'bench':
      return bench(m.warmup, m.steps, m.k);
    case 'memory':
      post({ type: 'memory-result', wasmBytes: await wasmMemoryBytes() });
      return;
  }
}

// Messages are handled one at a time, in order: a 'pause' sent while data is downloading
// takes effect after the 'start' it follows.
let queue: Promise<void> = loadWasm().then(() => undefined);
self.onmessage = (e: MessageEvent<ToWorker>) => {
  queue = queue
    .then(() => handle(e.data))
    .catch((err) => {
      running = false;
      post({ type: 'error', message: message(err) });
      post({ type: 'paused' });
    });
};
