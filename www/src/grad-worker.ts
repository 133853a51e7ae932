// A gradient worker: one replica of the model in its own wasm instance. Each step it gets
// the coordinator's parameters and a slice of the minibatch (pixels + noise), and answers
// with [sum of the bound over the slice, gradient]. It keeps no optimizer state: the
// coordinator applies the update, so a replacement worker needs nothing but the model's shape.
import type { FromGradWorker, ToGradWorker } from './protocol';
import { loadWasm, Model } from './wasm';

declare const self: DedicatedWorkerGlobalScope;

let model: Model | null = null;
/** Shared views when the page is cross-origin isolated (see pool.ts). */
let shared: { params: Float32Array; packed: Float32Array; part: Float32Array } | null = null;

function post(m: FromGradWorker, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

function handle(m: ToGradWorker): void {
  switch (m.type) {
    case 'init':
      model?.free();
      model = Model.fromCheckpoint(m.checkpoint);
      shared = m.shared
        ? { params: new Float32Array(m.shared.params), packed: new Float32Array(m.shared.packed), part: new Float32Array(m.shared.part) }
        : null;
      post({ type: 'ready' });
      return;
    case 'step': {
      if (!model) throw new Error('step before init');
      const t0 = performance.now();
      model.setParams(m.params ?? shared!.params);
      // Replicas hold the coordinator's parameters by construction; prove it now and then.
      if (m.checksum !== undefined && model.checksum() !== m.checksum) {
        post({ type: 'failed', id: m.id, message: 'parameter checksum differs from the coordinator' });
        return;
      }
      const packed = m.packed ?? shared!.packed.subarray(0, m.packedLength);
      const part = model.workerGradient(packed, m.rows, m.samples, m.estimator);
      const ms = performance.now() - t0;
      if (shared) {
        shared.part.set(part);
        post({ type: 'part', id: m.id, ms });
      } else post({ type: 'part', id: m.id, ms, part }, [part.buffer]);
      return;
    }
    case 'crash':
      // Test hook: an uncaught error, as a real failure would raise.
      setTimeout(() => {
        throw new Error('gradient worker crashed (simulated)');
      });
      return;
  }
}

let ready: Promise<unknown> = loadWasm();
self.onmessage = (e: MessageEvent<ToGradWorker>) => {
  ready = ready.then(() => {
    try {
      handle(e.data);
    } catch (err) {
      const id = e.data.type === 'step' ? e.data.id : -1;
      post({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
    }
  });
};
