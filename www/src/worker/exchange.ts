// One synchronous data-parallel step among K training workers (vae_core::parallel), as
// each worker runs it: the gradient of its rows, a reduce-scatter of the gradients (worker
// s adds everyone's gradient of parameter shard s and updates that shard, with the shard's
// optimizer state), and an all-gather of the updated shards. No worker is a hub: worker 0
// (the lead) only draws the minibatch and hands out the rows.
//
// Two transports with the same protocol:
// - SharedExchange, when the page is cross-origin isolated: one SharedArrayBuffer holds the
//   rows, every worker's gradient, the parameters and a control block; workers meet at two
//   barriers (Atomics.wait / notify) per step.
// - MessageExchange, everywhere else (an embedding page): every pair of workers has its
//   own MessageChannel; each worker sends each other worker exactly the shard it owns.
//
// Both keep per-worker timings (compute, transfer, update, idle) for the benchmark and the
// page. Worker code only: no DOM.
import { noPhases, type Phases } from '../shared/team-stats';
import type { Replica } from '../shared/wasm';

/** What a step came to, the same on every worker. */
export interface Outcome {
  /** Summed bound and rows over the whole minibatch. */
  bound: number;
  rows: number;
  /** Every part was finite: the update was applied. */
  applied: boolean;
  /** A replica's checksum differed from the others' (checked every CHECK_EVERY steps). */
  drift: boolean;
}

/** Every CHECK_EVERY steps the replicas compare parameter checksums. */
export const CHECK_EVERY = 20;
/** A worker that has not reached a barrier after this long is taken for dead. */
export const STALL_MS = 15_000;

export type Shard = [start: number, end: number];

/** [start, end) of each worker's shard of n parameters (the cut vae_core uses). */
export function shardsOf(n: number, k: number): Shard[] {
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as Shard);
}

/** Where K workers cut a minibatch of `rows` rows (vae_core::parallel::cuts). */
export function cutsOf(rows: number, k: number): number[] {
  return Array.from({ length: k + 1 }, (_, j) => Math.floor((j * rows) / k));
}

class Clock {
  private t = performance.now();
  constructor(private readonly phases: Phases) {}
  /** Charges the time since the last lap to `phase`. */
  lap(phase: keyof Phases): void {
    const now = performance.now();
    this.phases[phase] += now - this.t;
    this.t = now;
  }
}

/** One worker's part of a step: [bound, rows, finite, checksum or -1]. */
type Info = [number, number, number, number];

function decide(infos: Info[]): Omit<Outcome, 'applied'> & { ok: boolean } {
  let bound = 0;
  let rows = 0;
  let finite = true;
  for (const [b, r, f] of infos) {
    bound += b;
    rows += r;
    finite &&= f === 1;
  }
  const sums = infos.map((i) => i[3]).filter((c) => c >= 0);
  const drift = sums.some((c) => c !== sums[0]);
  return { bound, rows, drift, ok: finite && !drift && rows > 0 };
}

// ---------------------------------------------------------------------------------------
// Shared memory

/** Layout of the control block (Int32 indices). */
const GO = 0; // bumped by the lead to start a step
const CMD = 1; // 1 = step, 2 = stop
const ROWS = 2;
const BAR_A = 3; // count, generation at BAR_A + 1
const BAR_B = 5;
const ABORT = 7;
const DEAD = 8; // one flag per worker
const CTRL_INTS = 8 + 64;
const CMD_STEP = 1;
const CMD_STOP = 2;
/** Float64 slots per worker: bound, rows, finite, checksum, then its cumulative phases. */
const INFO = 9;

export interface SharedBuffers {
  buffer: SharedArrayBuffer;
  k: number;
  n: number;
  maxBytes: number;
}

export function sharedBuffers(k: number, n: number, maxBytes: number): SharedBuffers {
  const bytes = CTRL_INTS * 4 + (1 + k * INFO) * 8 + Math.ceil(maxBytes / 8) * 8 + (k + 1) * n * 4;
  return { buffer: new SharedArrayBuffer(bytes), k, n, maxBytes };
}

export class SharedExchange {
  readonly ctrl: Int32Array;
  private readonly f64: Float64Array;
  readonly rowsBuf: Uint8Array;
  private readonly grads: Float32Array;
  private readonly params: Float32Array;
  private readonly shards: Shard[];
  private seq = 0;

  constructor(
    b: SharedBuffers,
    readonly j: number,
    readonly dim: number,
    readonly phases: Phases,
  ) {
    let at = 0;
    this.ctrl = new Int32Array(b.buffer, at, CTRL_INTS);
    at += CTRL_INTS * 4;
    this.f64 = new Float64Array(b.buffer, at, 1 + b.k * INFO);
    at += (1 + b.k * INFO) * 8;
    this.rowsBuf = new Uint8Array(b.buffer, at, b.maxBytes);
    at += Math.ceil(b.maxBytes / 8) * 8;
    this.grads = new Float32Array(b.buffer, at, b.k * b.n);
    at += b.k * b.n * 4;
    this.params = new Float32Array(b.buffer, at, b.n);
    this.shards = shardsOf(b.n, b.k);
    this.seq = Atomics.load(this.ctrl, GO);
  }

  get k(): number {
    return this.shards.length;
  }

  /** The lead: publishes step `step`'s rows and wakes the others. */
  go(step: number, bytes: Uint8Array): void {
    this.rowsBuf.set(bytes);
    this.f64[0] = step;
    Atomics.store(this.ctrl, ROWS, bytes.length / this.dim);
    Atomics.store(this.ctrl, CMD, CMD_STEP);
    this.seq = Atomics.add(this.ctrl, GO, 1) + 1;
    Atomics.notify(this.ctrl, GO);
  }

  /** The lead: tells the other workers to leave their loops. */
  stop(): void {
    Atomics.store(this.ctrl, CMD, CMD_STOP);
    Atomics.add(this.ctrl, GO, 1);
    Atomics.notify(this.ctrl, GO);
  }

  /** Wakes every waiter and makes their barriers fail: a worker died. */
  abort(): void {
    Atomics.store(this.ctrl, ABORT, 1);
    for (const i of [GO, BAR_A + 1, BAR_B + 1]) Atomics.notify(this.ctrl, i);
  }

  /** This worker is dying (its error handler calls this): the others stop waiting. */
  markDead(): void {
    Atomics.store(this.ctrl, DEAD + this.j, 1);
    this.abort();
  }

  /** Worker indices that reported their own death. */
  dead(): number[] {
    return Array.from({ length: this.k }, (_, i) => i).filter((i) => Atomics.load(this.ctrl, DEAD + i) === 1);
  }

  /** A helper: waits up to `ms` for the next command. 'step' | 'stop' | 'timeout'. */
  waitCommand(ms: number): 'step' | 'stop' | 'timeout' {
    if (Atomics.wait(this.ctrl, GO, this.seq, ms) === 'timed-out') return 'timeout';
    this.seq = Atomics.load(this.ctrl, GO);
    return Atomics.load(this.ctrl, CMD) === CMD_STOP ? 'stop' : 'step';
  }

  /** This worker's part of the current step. Throws when the step was aborted. */
  step(replica: Replica): Outcome {
    const clock = new Clock(this.phases);
    const { j, k, dim } = this;
    const step = this.f64[0];
    const checksum = step % CHECK_EVERY === 0;
    const cuts = cutsOf(Atomics.load(this.ctrl, ROWS), k);
    const part = replica.gradient(step, cuts[j], this.rowsBuf.subarray(cuts[j] * dim, cuts[j + 1] * dim));
    const sum = checksum ? replica.checksum() : -1;
    clock.lap('compute');
    const n = this.params.length;
    const g = replica.gradView();
    for (let i = 0; i < k; i++) {
      if (i !== j) this.grads.set(g.subarray(this.shards[i][0], this.shards[i][1]), j * n + this.shards[i][0]);
    }
    this.f64.set([part[0], part[1], part[2], sum], 1 + j * INFO);
    clock.lap('transfer');
    this.barrier(BAR_A);
    clock.lap('idle');
    const infos = Array.from({ length: k }, (_, i) => Array.from(this.f64.subarray(1 + i * INFO, 1 + i * INFO + 4)) as Info);
    const d = decide(infos);
    if (!d.ok) {
      // Everyone reads the same parts, so everyone skips; meet once more so that nobody
      // overwrites this step's buffers early.
      this.barrier(BAR_B);
      return { bound: d.bound, rows: d.rows, applied: false, drift: d.drift };
    }
    const [s0, s1] = this.shards[j];
    const staging = replica.stagingView();
    for (let i = 0; i < k; i++) if (i !== j) staging.set(this.grads.subarray(i * n + s0, i * n + s1), i * (s1 - s0));
    clock.lap('transfer');
    replica.reduceShard();
    clock.lap('reduce');
    replica.applyUpdate(d.bound, d.rows, step);
    clock.lap('update');
    this.params.set(replica.paramsView().subarray(s0, s1), s0);
    clock.lap('transfer');
    this.barrier(BAR_B);
    clock.lap('idle');
    const p = replica.paramsView();
    for (let i = 0; i < k; i++) if (i !== j) p.set(this.params.subarray(this.shards[i][0], this.shards[i][1]), this.shards[i][0]);
    replica.paramsChanged();
    clock.lap('transfer');
    this.publishPhases();
    return { bound: d.bound, rows: d.rows, applied: true, drift: false };
  }

  private publishPhases(): void {
    const p = this.phases;
    this.f64.set([p.compute, p.transfer, p.reduce, p.update, p.idle], 1 + this.j * INFO + 4);
  }

  /** Worker i's cumulative phases, as it last published them. */
  phasesOf(i: number): Phases {
    const [compute, transfer, reduce, update, idle] = this.f64.subarray(1 + i * INFO + 4, 1 + (i + 1) * INFO);
    return { compute, transfer, reduce, update, idle };
  }

  /** A sense-reversing barrier of all K workers; throws when aborted or stalled. */
  private barrier(at: number): void {
    const c = this.ctrl;
    const gen = Atomics.load(c, at + 1);
    if (Atomics.add(c, at, 1) === this.k - 1) {
      Atomics.store(c, at, 0);
      Atomics.add(c, at + 1, 1);
      Atomics.notify(c, at + 1);
      return;
    }
    const deadline = performance.now() + STALL_MS;
    while (Atomics.load(c, at + 1) === gen) {
      if (Atomics.load(c, ABORT) === 1) throw new Error('step aborted: a worker stopped');
      if (performance.now() > deadline) throw new Error(`a worker did not answer in ${STALL_MS / 1000} s`);
      Atomics.wait(c, at + 1, gen, 100);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Messages

type PeerMessage =
  | { t: 'rows'; step: number; first: number; bytes: Uint8Array }
  | { t: 'g'; step: number; from: number; info: Info; grad: Float32Array }
  | { t: 'p'; step: number; from: number; values: Float32Array; phases?: Phases };

/** Messages that arrived before the step that wants them. */
class Inbox {
  private waiting = new Map<string, PeerMessage[]>();
  private wake: (() => void) | null = null;

  put(m: PeerMessage): void {
    const key = `${m.t}:${m.step}`;
    const list = this.waiting.get(key) ?? [];
    list.push(m);
    this.waiting.set(key, list);
    this.wake?.();
  }

  /** Resolves with `count` messages of kind `t` for `step`, or rejects after STALL_MS. */
  async take<T extends PeerMessage['t']>(t: T, step: number, count: number): Promise<Extract<PeerMessage, { t: T }>[]> {
    const key = `${t}:${step}`;
    const deadline = performance.now() + STALL_MS;
    while ((this.waiting.get(key)?.length ?? 0) < count) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`a worker did not answer in ${STALL_MS / 1000} s`);
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          ok();
        };
      });
    }
    const got = this.waiting.get(key)!;
    this.waiting.delete(key);
    return got as Extract<PeerMessage, { t: T }>[];
  }
}

export class MessageExchange {
  private readonly inbox = new Inbox();
  private readonly shards: Shard[];
  /** Helpers: the other workers' cumulative phases, as last reported (the lead's view). */
  readonly peerPhases: Phases[];

  /** ports[i]: the channel to worker i (null for this worker). */
  constructor(
    private readonly ports: (MessagePort | null)[],
    readonly j: number,
    n: number,
    readonly phases: Phases,
    onRows?: (m: { step: number; first: number; bytes: Uint8Array }) => void,
  ) {
    this.shards = shardsOf(n, ports.length);
    this.peerPhases = ports.map(() => noPhases());
    ports.forEach((p) => {
      if (!p) return;
      p.onmessage = (e: MessageEvent<PeerMessage>) => {
        const m = e.data;
        if (m.t === 'rows') onRows?.(m);
        else this.inbox.put(m);
      };
    });
  }

  get k(): number {
    return this.ports.length;
  }

  /** The lead: sends worker i its rows of step `step`. */
  sendRows(i: number, step: number, first: number, bytes: Uint8Array): void {
    this.ports[i]!.postMessage({ t: 'rows', step, first, bytes } satisfies PeerMessage, [bytes.buffer]);
  }

  /** This worker's part of step `step` over rows starting at `first`. */
  async step(replica: Replica, step: number, first: number, bytes: Uint8Array): Promise<Outcome> {
    const clock = new Clock(this.phases);
    const { j, k } = this;
    const checksum = step % CHECK_EVERY === 0;
    const part = replica.gradient(step, first, bytes);
    const info: Info = [part[0], part[1], part[2], checksum ? replica.checksum() : -1];
    clock.lap('compute');
    const g = replica.gradView();
    const outgoing: [number, Float32Array][] = [];
    for (let i = 0; i < k; i++) if (i !== j) outgoing.push([i, g.slice(this.shards[i][0], this.shards[i][1])]);
    for (const [i, grad] of outgoing) this.ports[i]!.postMessage({ t: 'g', step, from: j, info, grad } satisfies PeerMessage, [grad.buffer]);
    clock.lap('transfer');
    const parts = await this.inbox.take('g', step, k - 1);
    clock.lap('idle');
    const infos: Info[] = [];
    infos[j] = info;
    for (const m of parts) infos[m.from] = m.info;
    const d = decide(infos);
    if (!d.ok) return { bound: d.bound, rows: d.rows, applied: false, drift: d.drift };
    const [s0, s1] = this.shards[j];
    const staging = replica.stagingView();
    for (const m of parts) staging.set(m.grad, m.from * (s1 - s0));
    clock.lap('transfer');
    replica.reduceShard();
    clock.lap('reduce');
    replica.applyUpdate(d.bound, d.rows, step);
    clock.lap('update');
    const mine = replica.paramsView().slice(s0, s1);
    for (let i = 0; i < k; i++) {
      if (i === j) continue;
      const values = mine.slice();
      // Only the lead shows timings: helpers send theirs to it.
      const m: PeerMessage = { t: 'p', step, from: j, values, phases: i === 0 ? { ...this.phases } : undefined };
      this.ports[i]!.postMessage(m, [values.buffer]);
    }
    clock.lap('transfer');
    const shards = await this.inbox.take('p', step, k - 1);
    clock.lap('idle');
    const p = replica.paramsView();
    for (const m of shards) {
      p.set(m.values, this.shards[m.from][0]);
      if (m.phases) this.peerPhases[m.from] = m.phases;
    }
    replica.paramsChanged();
    clock.lap('transfer');
    return { bound: d.bound, rows: d.rows, applied: true, drift: false };
  }

  close(): void {
    for (const p of this.ports) p?.close();
  }
}
