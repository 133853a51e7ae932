// The lead's side of data-parallel training: the K − 1 other training workers
// (replica-worker.ts), the exchange that joins them (exchange.ts: shared memory when the
// page is cross-origin isolated, message channels between every pair of workers else), and
// the lead's own replica (worker 0). The lead draws each minibatch and takes part in the
// step like everyone else; it is no hub: gradients and parameters go worker to worker.
//
// A worker that throws, dies, stalls, or whose parameters drift from the others' ends the
// team: the caller restarts every worker from the last saved training state, and because
// every draw is keyed by (seed, step, row) the replayed steps are the ones it lost.
import { errorMessage } from '../pure/error-message';
import { noPhases, type Phases } from '../shared/team-stats';
import { cutsOf, MessageExchange, type Outcome, SharedExchange, sharedBuffers, STALL_MS } from './exchange';
import type { FromReplicaWorker, ToReplicaWorker } from './replica-protocol';
import { type Data, type Lead, Replica, withVariant } from '../shared/wasm';

declare const self: DedicatedWorkerGlobalScope;

interface Helper {
  worker: Worker;
  /** Answers to requests, by id. */
  pending: Map<number, (m: FromReplicaWorker) => void>;
}

/** Why a team cannot go on: the index of the worker at fault (1-based, as the page shows). */
export class WorkerLost extends Error {
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(reason);
  }
}

export class Team {
  private helpers: Helper[] = [];
  private shared: SharedExchange | null = null;
  private messages: MessageExchange | null = null;
  private nextId = 1;
  /** Set when a helper failed; the next step throws it. */
  private lost: WorkerLost | null = null;
  replica: Replica | null = null;
  /** Worker 0's cumulative phases (the others' are read from the exchange). */
  readonly phases = noPhases();
  k = 1;
  hostPath = false;

  /** Starts K workers from a training state; resolves once every one is ready. */
  async start(state: Uint8Array, k: number, dim: number, maxRows: number): Promise<void> {
    this.terminate();
    this.k = k;
    this.lost = null;
    const replica = Replica.fromState(state, k, 0);
    this.replica = replica;
    this.hostPath = replica.usesHostPath();
    if (k === 1) return;
    const n = replica.numParams();
    const inits: ToReplicaWorker[] = [];
    const transfers: Transferable[][] = [];
    if (self.crossOriginIsolated) {
      const buffers = sharedBuffers(k, n, maxRows * dim);
      this.shared = new SharedExchange(buffers, 0, dim, this.phases);
      for (let j = 1; j < k; j++) {
        inits.push({ type: 'init', state, k, j, dim, shared: buffers });
        transfers.push([]);
      }
    } else {
      // ports[a][b]: worker a's end of the channel to worker b.
      const ports: (MessagePort | null)[][] = Array.from({ length: k }, () => Array<MessagePort | null>(k).fill(null));
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          const ch = new MessageChannel();
          ports[a][b] = ch.port1;
          ports[b][a] = ch.port2;
        }
      }
      this.messages = new MessageExchange(ports[0], 0, n, this.phases);
      for (let j = 1; j < k; j++) {
        inits.push({ type: 'init', state, k, j, dim, ports: ports[j] });
        transfers.push(ports[j].filter((p): p is MessagePort => p !== null));
      }
    }
    this.helpers = inits.map((_, i) => this.spawn(i + 1));
    await Promise.all(this.helpers.map((h, i) => this.request(h, inits[i], transfers[i], 'ready')));
  }

  private spawn(j: number): Helper {
    const worker = new Worker(withVariant(new URL('./replica-worker.js', import.meta.url)), { type: 'module', name: `vae-train-${j + 1}` });
    const h: Helper = { worker, pending: new Map() };
    const fail = (reason: string) => {
      this.lost ??= new WorkerLost(j + 1, reason);
      this.shared?.abort();
      for (const done of h.pending.values()) done({ type: 'failed', message: reason });
      h.pending.clear();
    };
    worker.onmessage = (e: MessageEvent<FromReplicaWorker>) => {
      const m = e.data;
      if (m.type === 'failed') return fail(m.message);
      const id = m.type === 'moments' ? m.id : 0;
      const done = h.pending.get(id);
      h.pending.delete(id);
      done?.(m);
    };
    worker.onerror = (e) => {
      e.preventDefault(); // handled: the team is restarted
      fail(e.message || 'worker error');
    };
    worker.onmessageerror = () => fail('unreadable message');
    return h;
  }

  /** Posts `m` and resolves with the answer of type `want` (rejects on failure or stall). */
  private request<T extends FromReplicaWorker['type']>(h: Helper, m: ToReplicaWorker, transfer: Transferable[], want: T): Promise<Extract<FromReplicaWorker, { type: T }>> {
    const id = m.type === 'moments' ? m.id : 0;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        h.pending.delete(id);
        fail(new WorkerLost(this.helpers.indexOf(h) + 2, `no answer in ${STALL_MS / 1000} s`));
      }, STALL_MS);
      h.pending.set(id, (r) => {
        clearTimeout(timer);
        if (r.type === want) ok(r as Extract<FromReplicaWorker, { type: T }>);
        else fail(this.lost ?? new WorkerLost(this.helpers.indexOf(h) + 2, r.type === 'failed' ? r.message : 'unexpected answer'));
      });
      h.worker.postMessage(m, transfer);
    });
  }

  /** One step of the whole team on the lead's next minibatch; commits it when applied. */
  async step(lead: Lead, data: Data): Promise<Outcome> {
    if (this.lost) throw this.lost;
    const r = this.replica!;
    const bytes = lead.nextMinibatch(data);
    const step = lead.step();
    const rows = lead.rows();
    let out: Outcome;
    if (this.k === 1) {
      const t0 = performance.now();
      const [bound, n, finite] = r.gradient(step, 0, bytes);
      const t1 = performance.now();
      this.phases.compute += t1 - t0;
      if (finite === 1) {
        r.reduceShard();
        const t2 = performance.now();
        this.phases.reduce += t2 - t1;
        r.applyUpdate(bound, n, step);
        this.phases.update += performance.now() - t2;
      }
      out = { bound, rows: n, applied: finite === 1, drift: false };
    } else if (this.shared) {
      this.shared.go(step, bytes);
      try {
        out = this.shared.step(r);
      } catch (e) {
        throw this.lost ?? new WorkerLost(this.shared.dead()[0] + 1 || 0, errorMessage(e));
      }
    } else {
      const x = this.messages!;
      const dim = bytes.length / rows;
      const cuts = cutsOf(rows, this.k);
      for (let j = 1; j < this.k; j++) x.sendRows(j, step, cuts[j], bytes.slice(cuts[j] * dim, cuts[j + 1] * dim));
      try {
        out = await x.step(r, step, 0, bytes.subarray(0, cuts[1] * dim));
      } catch (e) {
        throw this.lost ?? new WorkerLost(0, errorMessage(e));
      }
    }
    if (this.lost) throw this.lost;
    if (out.drift) throw new WorkerLost(0, 'the workers’ parameters differ (checksum)');
    if (out.applied) lead.commit();
    return out;
  }

  /** The whole training state now: the lead's parameters and every shard's moments. */
  async snapshot(lead: Lead, meta: Record<string, string>): Promise<Uint8Array> {
    const r = this.replica!;
    const mine = r.moments().slice();
    const t = r.optimT();
    const parts = [mine, ...(await Promise.all(this.helpers.map((h) => this.request(h, { type: 'moments', id: this.nextId++ }, [], 'moments')))).map((m) => m.moments)];
    // Each part is [m..., v...] of its shard.
    const m = new Float32Array(r.numParams());
    const v = new Float32Array(r.numParams());
    let at = 0;
    for (const p of parts) {
      const half = p.length / 2;
      m.set(p.subarray(0, half), at);
      v.set(p.subarray(half), at);
      at += half;
    }
    lead.setParts(r, t, m, v);
    return lead.state(meta);
  }

  setLearningRate(lr: number): void {
    this.replica?.setLearningRate(lr);
    for (const h of this.helpers) h.worker.postMessage({ type: 'set-lr', lr } satisfies ToReplicaWorker);
  }

  /** Test hook: worker `index` (2..K) throws, as a crash would. */
  crash(index: number): void {
    this.helpers[index - 2]?.worker.postMessage({ type: 'crash' } satisfies ToReplicaWorker);
  }

  /** Each worker's cumulative phases (worker 0 first). */
  phasesByWorker(): Phases[] {
    const all = [{ ...this.phases }];
    for (let j = 1; j < this.k; j++) all.push(this.shared ? this.shared.phasesOf(j) : { ...this.messages!.peerPhases[j] });
    return all;
  }

  terminate(): void {
    this.shared?.stop();
    for (const h of this.helpers) h.worker.terminate();
    this.messages?.close();
    this.helpers = [];
    this.shared = null;
    this.messages = null;
    this.replica?.free();
    this.replica = null;
  }
}
