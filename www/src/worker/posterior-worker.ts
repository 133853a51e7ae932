// The posterior panel's worker: its own wasm instance and a copy of the page's model, so
// the grid of log p(x, z) (a few thousand decoder passes) never blocks the page while
// someone draws. Requests that arrive while one is computed are coalesced: only the latest
// drawing is computed, the stale ones are dropped unanswered (the page waits only for the
// newest id it sent).
import type { FromPosteriorWorker, ToPosteriorWorker } from '../shared/posterior-protocol';
import { loadWasm } from '../shared/wasm';
import { errorMessage as message } from '../pure/error-message';
import { ModelSlot } from './model-slot';

declare const self: DedicatedWorkerGlobalScope;

const slot = new ModelSlot();
let latest: Extract<ToPosteriorWorker, { type: 'posterior' }> | null = null;
let scheduled = false;

function post(m: FromPosteriorWorker): void {
  self.postMessage(m);
}

// A MessageChannel round trip: the messages queued behind a long computation are read
// (each replacing `latest`) before the next one starts.
const tick = new MessageChannel();
tick.port1.onmessage = () => {
  scheduled = false;
  const r = latest;
  latest = null;
  if (!r) return;
  const model = slot.model;
  if (!model) {
    post({ type: 'refused', id: r.id, reason: slot.problem });
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
    slot.load(m.bytes);
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
