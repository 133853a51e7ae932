// The training worker: its own wasm instance, so minibatch updates never block the page.
// Training runs in slices of ~75 ms; between slices the event loop runs, so 'pause' and
// other messages get in. With one worker a slice is Trainer.run(data, n) with n adapted to
// the measured step time; with K > 1 this worker coordinates K-1 gradient workers
// (pool.ts), one synchronous data-parallel step at a time.
import { DATASET_LABELS, fetchFull, megabytes } from './data';
import { GradientPool } from './pool';
import * as persist from './persist';
import type { DatasetName, FromWorker, ToWorker, WorkerStat } from './protocol';
import { Data, DEFAULT_MODEL, DEFAULT_TRAIN, loadWasm, Trainer } from './wasm';

declare const self: DedicatedWorkerGlobalScope;

const SLICE_MS = 75;
const PARAMS_EVERY_MS = 500;
const TEST_EVERY_MS = 3000;
const TEST_IMAGES = 1000;
/** How often the training state goes to IndexedDB (and becomes the rollback point). */
const SAVE_EVERY_MS = 3000;
/** Halvings of the learning rate tried after non-finite losses before giving up. */
const MAX_ROLLBACKS = 10;

let data: { name: DatasetName; d: Data } | null = null;
let trainer: Trainer | null = null;
let batch = 100;
let running = false;
/** Bumped whenever the trainer is replaced, so a stale slice loop stops. */
let generation = 0;
/** The page's id for the current trainer, echoed so it can drop reports of older ones. */
let run = 0;
let stepsPerSlice = 1;
let rate = 0; // samples/s, smoothed
let lastParams = 0;
let lastTest = 0;
let lastEpoch = 0;
let lastStep = 0;
let lastEpochFraction = 0;
/** Workers wanted (K), this one included. */
let workers = 1;
/** A pool whose replaced workers are reported to the page. */
const newPool = () => new GradientPool((index, reason) => post({ type: 'worker-restarted', index, reason }));
const pool = newPool();
/** The slice in flight (a K > 1 slice awaits its workers); stop() waits for it. */
let inflight: Promise<void> = Promise.resolve();

// Persistence and recovery. `snapshot` is the last good training state (the rollback
// point after a non-finite loss); it is also what goes to IndexedDB when `persistOn`.
let persistOn = true;
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

async function getData(name: DatasetName): Promise<Data> {
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
  data = { name, d: Data.fromIdx(a, b, c, d) };
  return data.d;
}

function sendParams(): void {
  if (!trainer) return;
  const params = trainer.params();
  lastParams = performance.now();
  post({ type: 'params', run, step: lastStep, params }, [params.buffer]);
}

function testElbo(epoch: number): void {
  if (!trainer || !data) return;
  const elbo = trainer.testElbo(data.d, TEST_IMAGES);
  lastTest = performance.now();
  curves.test.push([(savedRun?.offset ?? 0) + lastStep, elbo]);
  persist.thin(curves.test);
  post({ type: 'test', run, step: lastStep, epoch, elbo });
}

/** Keeps the current state as the rollback point and, when enabled, in IndexedDB. */
async function checkpointNow(): Promise<void> {
  if (!trainer || !savedRun) return;
  snapshot = trainer.saveState({});
  lastSave = performance.now();
  if (!persistOn) return;
  const meta: persist.SavedMeta = { ...savedRun, step: lastStep, epoch: lastEpochFraction, savedAt: Date.now(), curves };
  try {
    await persist.save(snapshot, meta);
    post({ type: 'saved', run, step: lastStep, savedAt: meta.savedAt });
  } catch (e) {
    persistOn = false; // private windows may refuse storage: keep training, say so once
    post({ type: 'status', text: `Training progress cannot be saved in this browser (${message(e)}).` });
  }
}

/** After a non-finite loss: back to the last good state with half the learning rate. */
function rollBack(why: string): boolean {
  if (!trainer || !data || !snapshot || rollbacks >= MAX_ROLLBACKS) return false;
  const lr = trainer.trainConfig().lr / 2;
  const restored = Trainer.restoreState(snapshot, data.d);
  restored.setLearningRate(lr);
  trainer.free();
  trainer = restored;
  rollbacks++;
  const step = trainer.step();
  post({ type: 'recovered', run, lr, step, message: `${why} Rolled back to step ${(savedRun?.offset ?? 0) + step} and halved the learning rate to ${lr}.` });
  lastStep = step;
  return true;
}

/** Runs steps for about SLICE_MS: in one wasm call with one worker, else step by step. */
async function runSlice(t: Trainer, d: Data): Promise<{ s: ReturnType<Trainer['run']>; steps: number; stats: WorkerStat[] }> {
  const t0 = performance.now();
  if (pool.k === 1) {
    const steps = stepsPerSlice;
    const s = t.run(d, steps);
    const dt = performance.now() - t0;
    stepsPerSlice = Math.max(1, Math.min(500, Math.round((SLICE_MS * steps) / Math.max(dt, 0.1))));
    pool.takeStats();
    return { s, steps, stats: [{ rows: steps * batch, ms: dt }] };
  }
  let s = await pool.step(t, d);
  let steps = 1;
  while (performance.now() - t0 < SLICE_MS && running) {
    s = await pool.step(t, d);
    steps++;
  }
  return { s, steps, stats: pool.takeStats() };
}

/** Runs one slice, reports, and schedules the next one. */
async function slice(gen: number): Promise<void> {
  if (!running || gen !== generation || !trainer || !data) return;
  const t0 = performance.now();
  let r;
  try {
    r = await runSlice(trainer, data.d);
  } catch (e) {
    const why = `The loss became non-finite (${message(e)}).`;
    if (/not finite/.test(message(e)) && rollBack(why)) {
      sendParams();
      yieldThen(() => {
        inflight = slice(gen);
      });
      return;
    }
    running = false;
    post({ type: 'error', message: `Training stopped: ${message(e)}. Try a smaller learning rate.` });
    post({ type: 'paused' });
    return;
  }
  const { s, steps, stats } = r;
  const dt = Math.max(performance.now() - t0, 0.1);
  const sps = (steps * batch * 1000) / dt;
  rate = rate === 0 ? sps : 0.8 * rate + 0.2 * sps;
  lastStep = s.step;
  lastEpochFraction = s.epoch + (s.epoch_size > 0 ? s.cursor / s.epoch_size : 0);
  curves.train.push([(savedRun?.offset ?? 0) + s.step, s.bound]);
  persist.thin(curves.train);
  post({
    type: 'progress',
    run,
    step: s.step,
    epoch: s.epoch,
    bound: s.bound,
    samplesPerSec: rate,
    etaSec: (s.epoch_size - s.cursor) / rate,
    epochFraction: s.epoch_size > 0 ? s.cursor / s.epoch_size : 0,
    workers: stats,
  });
  const now = performance.now();
  if (s.epoch !== lastEpoch || now - lastTest > TEST_EVERY_MS) {
    lastEpoch = s.epoch;
    testElbo(s.epoch);
  }
  if (now - lastParams > PARAMS_EVERY_MS) sendParams();
  if (now - lastSave > SAVE_EVERY_MS) {
    await checkpointNow();
    rollbacks = 0; // progress since the last rollback point: a fresh allowance
  }
  yieldThen(() => {
    inflight = slice(gen);
  });
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

/** Stops training and frees the trainer once no slice is using it. */
async function stop(): Promise<void> {
  running = false;
  generation++;
  await inflight;
  trainer?.free();
  trainer = null;
}

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  await stop();
  run = m.run;
  const d = await getData(m.dataset);
  post({ type: 'status', text: 'Building the model…' });
  trainer =
    m.from.kind === 'fresh'
      ? Trainer.fresh(m.from.model, m.train, m.binarization, d)
      : Trainer.fromCheckpoint(m.from.bytes, m.train, m.binarization, d);
  persistOn = m.persist ?? false;
  savedRun = { dataset: m.dataset, binarization: m.binarization, config: trainer.config(), train: m.train, offset: m.offset ?? 0, epochOffset: m.epochOffset ?? 0 };
  curves = { train: [], test: [] };
  begin(0, 0);
  post({ type: 'started', run, trainLen: d.trainLen(), config: trainer.config() });
  testElbo(0); // the chart's first point: where training starts from
  await checkpointNow(); // the first rollback point
  post({ type: 'status', text: '' });
  resume();
}

/** Readies the loop for `trainer` at (step, epoch). */
function begin(step: number, epoch: number): void {
  batch = trainer!.trainConfig().batch_size;
  pool.configure(trainer!);
  pool.resize(workers);
  stepsPerSlice = 1;
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
  const d = await getData(meta.dataset);
  post({ type: 'status', text: 'Restoring the saved run…' });
  trainer = Trainer.restoreState(state, d);
  persistOn = true;
  savedRun = { dataset: meta.dataset, binarization: meta.binarization, config: meta.config, train: meta.train, offset: meta.offset, epochOffset: meta.epochOffset };
  curves = meta.curves;
  const step = trainer.step();
  begin(step, Math.floor(meta.epoch));
  snapshot = state;
  lastSave = performance.now();
  post({ type: 'restored', run, checkpoint: trainer.toCheckpoint({}), meta: { ...meta, step } });
  post({ type: 'status', text: '' });
  sendParams();
  resume();
}

/** Times `steps` updates of the standard model after `warmup`, with `k` workers. */
async function bench(warmup: number, steps: number, k: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const cfg = DEFAULT_TRAIN;
  const t = Trainer.fresh(DEFAULT_MODEL, cfg, 'dynamic', d);
  const p = newPool();
  try {
    p.configure(t);
    p.resize(k);
    const go = async (n: number) => {
      if (k === 1) t.run(d, n);
      else for (let i = 0; i < n; i++) await p.step(t, d);
    };
    await go(Math.max(warmup, 1));
    const t0 = performance.now();
    await go(steps);
    const seconds = (performance.now() - t0) / 1000;
    post({ type: 'bench-result', samplesPerSec: (steps * cfg.batch_size) / seconds, steps, batch: cfg.batch_size, seconds, k });
  } finally {
    p.terminate();
    t.free();
  }
}

/** `steps` steps of the standard model with one worker and with `k`, from the same seed:
 * the largest parameter difference (data, noise and order of updates are the same). */
async function equivalence(k: number, steps: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const one = Trainer.fresh(DEFAULT_MODEL, DEFAULT_TRAIN, 'dynamic', d);
  const many = Trainer.fresh(DEFAULT_MODEL, DEFAULT_TRAIN, 'dynamic', d);
  const p = newPool();
  try {
    p.configure(many);
    p.resize(k);
    one.run(d, steps);
    for (let i = 0; i < steps; i++) await p.step(many, d);
    const a = one.params();
    const b = many.params();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    post({ type: 'equivalence-result', k, steps, maxDiff, helpers: p.k - 1 });
  } finally {
    p.terminate();
    one.free();
    many.free();
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'start':
      return start(m);
    case 'resume':
      if (trainer && data) resume();
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
      workers = Math.max(1, Math.min(16, Math.floor(m.k)));
      if (trainer) pool.resize(workers);
      return;
    case 'crash-helper':
      pool.crash(m.index);
      return;
    case 'equivalence':
      return equivalence(m.k, m.steps);
    case 'set-lr':
      trainer?.setLearningRate(m.lr);
      return;
    case 'bench':
      return bench(m.warmup, m.steps, m.k);
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
