// The training worker: its own wasm instance, so minibatch updates never block the page.
// Training runs in slices of ~75 ms (Trainer.run(data, k) with k adapted to the measured
// step time); between slices the event loop runs, so 'pause' and other messages get in.
import { DATASET_LABELS, fetchFull, megabytes } from './data';
import type { DatasetName, FromWorker, ToWorker } from './protocol';
import { Data, DEFAULT_MODEL, DEFAULT_TRAIN, loadWasm, Trainer } from './wasm';

declare const self: DedicatedWorkerGlobalScope;

const SLICE_MS = 75;
const PARAMS_EVERY_MS = 500;
const TEST_EVERY_MS = 3000;
const TEST_IMAGES = 1000;

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
  post({ type: 'test', run, step: lastStep, epoch, elbo });
}

/** Runs one slice, reports, and schedules the next one. */
function slice(gen: number): void {
  if (!running || gen !== generation || !trainer || !data) return;
  const t0 = performance.now();
  let s;
  try {
    s = trainer.run(data.d, stepsPerSlice);
  } catch (e) {
    running = false;
    post({ type: 'error', message: `Training stopped: ${message(e)}. Try a smaller learning rate.` });
    post({ type: 'paused' });
    return;
  }
  const dt = Math.max(performance.now() - t0, 0.1);
  const sps = (stepsPerSlice * batch * 1000) / dt;
  rate = rate === 0 ? sps : 0.8 * rate + 0.2 * sps;
  stepsPerSlice = Math.max(1, Math.min(500, Math.round((SLICE_MS * stepsPerSlice) / dt)));
  lastStep = s.step;
  post({
    type: 'progress',
    run,
    step: s.step,
    epoch: s.epoch,
    bound: s.bound,
    samplesPerSec: rate,
    etaSec: (s.epoch_size - s.cursor) / rate,
    epochFraction: s.epoch_size > 0 ? s.cursor / s.epoch_size : 0,
  });
  const now = performance.now();
  if (s.epoch !== lastEpoch || now - lastTest > TEST_EVERY_MS) {
    lastEpoch = s.epoch;
    testElbo(s.epoch);
  }
  if (now - lastParams > PARAMS_EVERY_MS) sendParams();
  yieldThen(() => slice(gen));
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
  slice(generation);
}

function stop(): void {
  running = false;
  generation++;
  trainer?.free();
  trainer = null;
}

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  stop();
  run = m.run;
  const d = await getData(m.dataset);
  post({ type: 'status', text: 'Building the model…' });
  trainer =
    m.from.kind === 'fresh'
      ? Trainer.fresh(m.from.model, m.train, m.binarization, d)
      : Trainer.fromCheckpoint(m.from.bytes, m.train, m.binarization, d);
  batch = m.train.batch_size;
  stepsPerSlice = 1;
  rate = 0;
  lastEpoch = 0;
  lastStep = 0;
  post({ type: 'started', run, trainLen: d.trainLen(), config: trainer.config() });
  testElbo(0); // the chart's first point: where training starts from
  post({ type: 'status', text: '' });
  resume();
}

/** Times `steps` updates of the standard model after `warmup` (for npm run bench). */
async function bench(warmup: number, steps: number): Promise<void> {
  stop();
  const d = await getData('mnist');
  const cfg = DEFAULT_TRAIN;
  const t = Trainer.fresh(DEFAULT_MODEL, cfg, 'dynamic', d);
  try {
    if (warmup > 0) t.run(d, warmup);
    const t0 = performance.now();
    t.run(d, steps);
    const seconds = (performance.now() - t0) / 1000;
    post({ type: 'bench-result', samplesPerSec: (steps * cfg.batch_size) / seconds, steps, batch: cfg.batch_size, seconds });
  } finally {
    t.free();
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
        sendParams(); // the page's model ends exactly where training paused
      }
      post({ type: 'paused' });
      return;
    case 'reset':
      stop();
      return;
    case 'set-lr':
      trainer?.setLearningRate(m.lr);
      return;
    case 'bench':
      return bench(m.warmup, m.steps);
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
