// A training worker other than the first (the lead, lead.ts): one replica of the model
// in its own wasm instance, one shard of the optimizer state. The lead starts it with a
// training state and the means to reach the other workers (shared memory or message
// ports); from then on it answers the lead's steps through the exchange (exchange.ts),
// and the lead's requests for its optimizer moments when the run is saved.
import { errorMessage as message } from '../pure/error-message';
import { noPhases } from '../shared/team-stats';
import { MessageExchange, SharedExchange } from './exchange';
import type { FromReplicaWorker, ToReplicaWorker } from './replica-protocol';
import { loadWasm, Replica } from '../shared/wasm';

declare const self: DedicatedWorkerGlobalScope;

let replica: Replica | null = null;
let shared: SharedExchange | null = null;
let messages: MessageExchange | null = null;
const phases = noPhases();
/** Steps run one after another (message transport: rows can arrive while a step awaits). */
let queue: Promise<unknown> = Promise.resolve();

function post(m: FromReplicaWorker, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}


// A MessageChannel round trip returns to the event loop without setTimeout's clamp.
const tick = new MessageChannel();
function yieldToEvents(): Promise<void> {
  return new Promise((ok) => {
    tick.port1.onmessage = () => ok();
    tick.port2.postMessage(null);
  });
}

/** Returns to the event loop at least this often, busy or not. */
const YIELD_MS = 50;

/** Shared memory: wait for the lead's steps, returning to the event loop every YIELD_MS so
 * that requests (moments, learning rate, the crash test hook) get in. */
async function sharedLoop(x: SharedExchange, r: Replica): Promise<void> {
  let yielded = performance.now();
  for (;;) {
    const t0 = performance.now();
    const cmd = x.waitCommand(YIELD_MS);
    phases.idle += performance.now() - t0;
    if (cmd === 'stop' || replica !== r) return;
    if (cmd === 'step') {
      try {
        x.step(r);
      } catch {
        return; // aborted: the lead is replacing the workers
      }
    }
    if (cmd === 'timeout' || performance.now() - yielded > YIELD_MS) {
      await yieldToEvents();
      yielded = performance.now();
    }
  }
}

function handle(m: ToReplicaWorker): void {
  switch (m.type) {
    case 'init': {
      replica?.free();
      const r = Replica.fromState(m.state, m.k, m.j);
      replica = r;
      if (m.shared) {
        shared = new SharedExchange(m.shared, m.j, m.dim, phases);
        post({ type: 'ready', hostPath: r.usesHostPath() });
        void sharedLoop(shared, r);
      } else {
        messages = new MessageExchange(m.ports!, m.j, r.numParams(), phases, (rows) => {
          queue = queue
            .then(() => messages!.step(r, rows.step, rows.first, rows.bytes))
            .catch((e) => post({ type: 'failed', message: message(e) }));
        });
        post({ type: 'ready', hostPath: r.usesHostPath() });
      }
      return;
    }
    case 'moments': {
      if (!replica) throw new Error('moments asked before init');
      const mv = replica.moments().slice();
      post({ type: 'moments', id: m.id, moments: mv, optimT: replica.optimT() }, [mv.buffer]);
      return;
    }
    case 'set-lr':
      replica?.setLearningRate(m.lr);
      return;
    case 'crash':
      // Test hook: an uncaught error, as a real failure would raise.
      setTimeout(() => {
        throw new Error('training worker crashed (simulated)');
      });
      return;
  }
}

// A worker that fails tells the others at once (shared memory), rather than letting them
// wait at a barrier; the lead then replaces every worker from the last saved state.
self.addEventListener('error', () => shared?.markDead());
self.addEventListener('unhandledrejection', () => shared?.markDead());

let ready: Promise<unknown> = loadWasm();
self.onmessage = (e: MessageEvent<ToReplicaWorker>) => {
  ready = ready.then(() => {
    try {
      handle(e.data);
    } catch (err) {
      shared?.markDead();
      post({ type: 'failed', message: message(err) });
    }
  });
};
