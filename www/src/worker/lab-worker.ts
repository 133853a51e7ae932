// The inference panels' worker: its own wasm instance and a copy of the page's model, so the
// gradient estimators' variance (hundreds of encoder gradients per L) and the latent
// activity of 1000 test images never block the page. Requests are answered in order; the page sends the next L only after this one's
// answer, and terminates the worker to stop a run at once.
import type { FromLabWorker, ToLabWorker } from '../shared/lab-protocol';
import { loadWasm } from '../shared/wasm';
import { errorMessage as message } from '../pure/error-message';
import { ModelSlot } from './model-slot';

declare const self: DedicatedWorkerGlobalScope;

const slot = new ModelSlot();

function post(m: FromLabWorker): void {
  self.postMessage(m);
}

function handle(m: ToLabWorker): void {
  if (m.type === 'model') {
    slot.load(m.bytes);
    return;
  }
  const model = slot.model;
  if (!model) {
    post({ type: 'refused', id: m.id, reason: slot.problem });
    return;
  }
  try {
    if (m.type === 'activity') {
      post({ type: 'activity', id: m.id, activity: model.latentActivity(m.x) });
      return;
    }
    post({ type: 'stats', id: m.id, samples: m.samples, stats: model.estimatorVariance(m.x, m.samples, m.repetitions, m.seed) });
  } catch (e) {
    post({ type: 'refused', id: m.id, reason: message(e) });
  }
}

// Callbacks on one promise run in the order they were added: messages keep their order.
const loaded = loadWasm();
self.onmessage = (e: MessageEvent<ToLabWorker>) => {
  const m = e.data;
  void loaded.then(
    () => handle(m),
    (e) => m.type !== 'model' && post({ type: 'refused', id: m.id, reason: `the worker could not load WebAssembly: ${message(e)}` }),
  );
};
