// The posterior panel's worker: its own wasm instance and a copy of the page's model, so
// the grid of log p(x, z) (a few thousand decoder passes) never blocks the page while
// someone draws. Requests that arrive while one is computed are coalesced: only the latest
// drawing is computed, the stale ones are dropped unanswered (the page waits only for the
// newest id it sent).
import type { FromPosteriorWorker, ToPosteriorWorker } from '../shared/posterior-protocol';
import { loadWasm, Model } from '../shared/wasm';

declare const self: DedicatedWorkerGlobalScope;

let model: Model | null = null;
/** Why there is no model (a checkpoint that failed to load): the answer to every request. */
let modelProblem = 'no model yet';
let latest: Extract<ToPosteriorWorker, { type: 'posterior' }> | null = null;
let scheduled = false;

function post(m: FromPosteriorWorker): void {
  self.postMessage(m);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// A MessageChannel round trip: the messages queued behind a long computation are read
// (each replacing `latest`) before the next one starts.
const tick = new MessageChannel();
tick.port1.onmessage = () => {
  scheduled = false;
  const r = latest;
  latest = null;
  if (!r) return;
  if (!model) {
    post({ type: 'refused', id: r.id, reason: modelProblem });
    return;
  }
  try {
    const map = r.refined ? model.posterior(r.x, r.grid, r.refined.mu, r.refined.lv) : model.posterior(r.x, r.grid);
    post({ type: 'posterior', id: r.id, map });
  } catch (e) {
    post({ type: 'refused', id: r.id, reason: message(e) });
  }
};

function handle(m: ToPosteriorWorker): void {
  if (m.type === 'model') {
    model?.free();
    model = null;
    try {
      model = Model.fromCheckpoint(m.bytes);
    } catch (e) {
      modelProblem = `the model could not be loaded: ${message(e)}`;
    }
    return;
  }
  latest = m;
  if (!scheduled) {
    scheduled = true;
    tick.port2.postMessage(null);
  }
}

// Callbacks on one promise run in the order they were added: messages keep their order.
const loaded = loadWasm();
self.onmessage = (e: MessageEvent<ToPosteriorWorker>) => {
  const m = e.data;
  void loaded.then(
    () => handle(m),
    (e) => m.type === 'posterior' && post({ type: 'refused', id: m.id, reason: `the worker could not load WebAssembly: ${message(e)}` }),
  );
};
