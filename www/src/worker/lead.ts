// The training worker (the lead, worker 1): its own wasm instance, so training never
// blocks the page. It holds the data, draws the minibatches, evaluates, saves the run, and
// with K > 1 works as one of K equal data-parallel workers (team.ts, exchange.ts).
// This file only dispatches the page's messages; the run itself is in lead-run.ts (its
// state), lead-data.ts (downloads), start.ts (start, restore), schedule.ts (the slices),
// rollback.ts (the rollback point), workers-k.ts (K) and lead-hooks.ts (the `debug`
// message: test and benchmark hooks, shared/debug-protocol.ts).
import type { ToWorker } from '../shared/protocol';
import { errorKind, loadWasm } from '../shared/wasm';
import { debugHook } from './lead-hooks';
import { message, post, run, setLearningRate } from './lead-run';
import { pause, resume, setWorkers, stop } from './schedule';
import { restore, start } from './start';

declare const self: DedicatedWorkerGlobalScope;

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'start':
      return start(m);
    case 'resume':
      if (run.lead && run.data) resume();
      else post({ type: 'need-start' });
      return;
    case 'pause':
      return pause();
    case 'restore':
      return restore(m);
    case 'reset':
      return stop();
    case 'set-workers':
      return setWorkers(m.k);
    case 'set-lr':
      return setLearningRate(m.lr);
    case 'debug':
      return debugHook(m.request);
  }
}

// Messages are handled one at a time, in order: a 'pause' sent while data is downloading
// takes effect after the 'start' it follows.
let queue: Promise<void> = loadWasm().then(() => undefined);
self.onmessage = (e: MessageEvent<ToWorker>) => {
  queue = queue
    .then(() => handle(e.data))
    .catch((err) => {
      run.running = false;
      post({ type: 'error', message: message(err), kind: errorKind(err) });
      post({ type: 'paused' });
    });
};
