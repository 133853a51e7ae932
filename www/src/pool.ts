// The coordinator's side of synchronous data-parallel SGD (vae_core::parallel).
//
// Each step: draw the minibatch here, cut it into K slices, send slices 2..K (pixels +
// noise) and the current parameters to K-1 gradient workers, compute slice 1 here
// meanwhile, add the parts in slice order, apply ONE update here and send the new
// parameters with the next step. One optimizer and parameters broadcast every step: the
// replicas cannot drift apart, and a checksum every CHECK_EVERY steps proves it.
//
// Transport: SharedArrayBuffers when the page is cross-origin isolated (no per-step
// allocation), else transferable ArrayBuffers (works in any embedding page).
//
// Failure: a worker that throws, dies or stays silent for TIMEOUT_MS is terminated and
// replaced; its slice of the step in flight is computed here, so the step completes from
// the same consistent state.
import type { Estimator, RunStats, Trainer, Data } from './wasm';
import type { FromGradWorker, ToGradWorker, WorkerStat } from './protocol';

const TIMEOUT_MS = 15_000;
const CHECK_EVERY = 20;

interface Helper {
  worker: Worker;
  ready: Promise<void>;
  /** Set once `ready` resolved: then a step is posted synchronously (see request()). */
  isReady: boolean;
  pending: { resolve: (m: FromGradWorker) => void; reject: (e: Error) => void } | null;
  shared: { params: Float32Array; packed: Float32Array; part: Float32Array } | null;
  stat: WorkerStat;
}

interface Shape {
  checkpoint: Uint8Array;
  numParams: number;
  maxPacked: number;
  samples: number;
  estimator: Estimator;
}

export class GradientPool {
  private helpers: Helper[] = [];
  private shape: Shape | null = null;
  private sharedParams: Float32Array | null = null;
  private stepId = 0;
  private local: WorkerStat = { rows: 0, ms: 0 };

  constructor(private readonly onRestart: (index: number, reason: string) => void) {}

  /** Workers in all, this one included. */
  get k(): number {
    return this.helpers.length + 1;
  }

  /** Adopts a trainer's model shape; existing workers are replaced (sizes may differ). */
  configure(trainer: Trainer): void {
    const c = trainer.config();
    const t = trainer.trainConfig();
    const numParams = trainer.params().length;
    const perRow = c.input_dim + t.samples * (c.latent + (c.latent2 ?? 0));
    this.shape = { checkpoint: trainer.toCheckpoint({}), numParams, maxPacked: t.batch_size * perRow, samples: t.samples, estimator: t.estimator };
    this.sharedParams = self.crossOriginIsolated ? new Float32Array(new SharedArrayBuffer(numParams * 4)) : null;
    const k = this.k;
    this.resize(1);
    this.resize(k);
  }

  /** Starts or stops gradient workers so that K = k. */
  resize(k: number): void {
    const want = Math.max(0, Math.floor(k) - 1);
    while (this.helpers.length > want) this.helpers.pop()!.worker.terminate();
    while (this.helpers.length < want) this.helpers.push(this.spawn(this.helpers.length));
  }

  /** Images and ms of gradient work per worker since the last call (coordinator first). */
  takeStats(): WorkerStat[] {
    const all = [this.local, ...this.helpers.map((h) => h.stat)];
    this.local = { rows: 0, ms: 0 };
    for (const h of this.helpers) h.stat = { rows: 0, ms: 0 };
    return all;
  }

  /** Test hook: worker `index` (1 = this coordinator, 2.. = gradient workers) throws. */
  crash(index: number): void {
    this.helpers[index - 2]?.worker.postMessage({ type: 'crash' } satisfies ToGradWorker);
  }

  terminate(): void {
    this.resize(1);
  }

  /** One synchronous data-parallel step. */
  async step(trainer: Trainer, data: Data): Promise<RunStats> {
    const shape = this.shape!;
    const rows = trainer.beginStep(data);
    const k = Math.min(this.k, rows);
    const cuts = Array.from({ length: k + 1 }, (_, i) => Math.round((i * rows) / k));
    const id = ++this.stepId;
    const checksum = id % CHECK_EVERY === 0 ? trainer.checksum() : undefined;
    // A view of wasm memory, copied at once (into the shared buffer, or per worker below)
    // and not used after the next call into the module.
    const view = k > 1 ? trainer.paramsView() : null;
    let params: Float32Array | null = null;
    if (view && this.sharedParams) this.sharedParams.set(view);
    else if (view) params = view.slice();

    const replies: Promise<FromGradWorker | Error>[] = [];
    for (let i = 1; i < k; i++) {
      const h = this.helpers[i - 1];
      const packed = trainer.packSlice(cuts[i], cuts[i + 1]);
      const m: Extract<ToGradWorker, { type: 'step' }> = {
        type: 'step', id, rows: cuts[i + 1] - cuts[i], samples: shape.samples, estimator: shape.estimator, packedLength: packed.length, checksum,
      };
      const transfer: Transferable[] = [];
      if (h.shared) h.shared.packed.set(packed);
      else {
        // The last worker may take the copy itself (transferred); the others get their own.
        m.params = i === k - 1 ? params! : params!.slice();
        m.packed = packed;
        transfer.push(m.params.buffer, packed.buffer);
      }
      replies.push(this.request(h, m, transfer).catch((e: Error) => e));
    }

    const t0 = performance.now();
    trainer.addLocal(cuts[0], cuts[1]);
    this.local.ms += performance.now() - t0;
    this.local.rows += cuts[1] - cuts[0];

    for (let i = 1; i < k; i++) {
      const r = await replies[i - 1];
      const h = this.helpers[i - 1];
      if (!(r instanceof Error) && r.type === 'part') {
        trainer.addPart(r.part ?? h.shared!.part, cuts[i + 1] - cuts[i]);
        h.stat.rows += cuts[i + 1] - cuts[i];
        h.stat.ms += r.ms;
      } else {
        const reason = r instanceof Error ? r.message : r.type === 'failed' ? r.message : 'no answer';
        this.replace(i - 1, reason);
        trainer.addLocal(cuts[i], cuts[i + 1]);
      }
    }
    return trainer.finishStep(data);
  }

  private spawn(index: number): Helper {
    const shape = this.shape!;
    const worker = new Worker(new URL('./grad-worker.js', import.meta.url), { type: 'module', name: `vae-grad-${index + 2}` });
    const shared = this.sharedParams
      ? {
          params: this.sharedParams,
          packed: new Float32Array(new SharedArrayBuffer(shape.maxPacked * 4)),
          part: new Float32Array(new SharedArrayBuffer((shape.numParams + 1) * 4)),
        }
      : null;
    const h: Helper = { worker, ready: Promise.resolve(), isReady: false, pending: null, shared, stat: { rows: 0, ms: 0 } };
    const fail = (message: string) => {
      const p = h.pending;
      h.pending = null;
      if (p) p.reject(new Error(message));
      else if (this.helpers.includes(h)) this.replace(this.helpers.indexOf(h), message);
    };
    worker.onmessage = (e: MessageEvent<FromGradWorker>) => {
      const p = h.pending;
      h.pending = null;
      p?.resolve(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault(); // handled here: the worker is replaced
      fail(e.message || 'worker error');
    };
    worker.onmessageerror = () => fail('unreadable message');
    const init: ToGradWorker = {
      type: 'init',
      checkpoint: shape.checkpoint,
      shared: shared ? { params: shared.params.buffer as SharedArrayBuffer, packed: shared.packed.buffer as SharedArrayBuffer, part: shared.part.buffer as SharedArrayBuffer } : undefined,
    };
    h.ready = this.request(h, init, []).then((m) => {
      if (m.type !== 'ready') throw new Error(m.type === 'failed' ? m.message : 'bad init reply');
      h.isReady = true;
    });
    return h;
  }

  /** Posts `m` and resolves with the worker's answer (one request at a time per worker).
   * A ready worker's step is posted *now*, synchronously: the caller goes on to compute its
   * own slice without yielding, and a post deferred to a microtask would only leave after
   * that, serialising the workers. */
  private request(h: Helper, m: ToGradWorker, transfer: Transferable[]): Promise<FromGradWorker> {
    const send = () =>
      new Promise<FromGradWorker>((resolve, reject) => {
        const timer = setTimeout(() => {
          h.pending = null;
          reject(new Error(`no answer in ${TIMEOUT_MS / 1000} s`));
        }, TIMEOUT_MS);
        h.pending = {
          resolve: (r) => (clearTimeout(timer), resolve(r)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        };
        h.worker.postMessage(m, transfer);
      });
    return m.type === 'step' && !h.isReady ? h.ready.then(send) : send();
  }

  private replace(i: number, reason: string): void {
    this.helpers[i].worker.terminate();
    this.helpers[i] = this.spawn(i);
    this.onRestart(i + 2, reason);
  }
}
