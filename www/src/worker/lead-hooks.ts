// The lead's test and benchmark hooks (shared/debug-protocol.ts; app/debug.ts asks them):
// timing the standard model with K workers, K workers against one, seeded steps to compare
// with the CLI, a simulated crash, the wasm memory. None is part of training; lead.ts hands
// every `debug` message here and nothing else does.
import { diffPhases } from '../shared/team-stats';
import type { DebugAnswer, DebugRequest } from '../shared/debug-protocol';
import { DEFAULT_MODEL, DEFAULT_TRAIN, Lead, wasmMemoryBytes } from '../shared/wasm';
import { getData } from './lead-data';
import { post, run } from './lead-run';
import { stop } from './schedule';
import { Team } from './team';

/** Answers one hook's request (crashes have no answer). */
export async function debugHook(r: DebugRequest): Promise<void> {
  switch (r.hook) {
    case 'bench':
      return bench(r.warmup, r.steps, r.k);
    case 'memory':
      return answer({ hook: 'memory', wasmBytes: await wasmMemoryBytes() });
    case 'equivalence':
      return equivalence(r.k, r.steps);
    case 'reproduce':
      return reproduce(r);
    case 'crash':
      return crash();
    case 'crash-helper':
      return run.team.crash(r.index);
  }
}

function answer(a: DebugAnswer, transfer: Transferable[] = []): void {
  post({ type: 'debug', answer: a }, transfer);
}

/** Times `steps` updates of the standard model after `warmup`, with `k` workers. */
async function bench(warmup: number, steps: number, k: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const cfg = DEFAULT_TRAIN;
  const l = Lead.fresh(DEFAULT_MODEL, cfg, 'dynamic', undefined, d);
  const t = new Team();
  try {
    await t.start(l.state({}), k, DEFAULT_MODEL.input_dim, cfg.batch_size);
    for (let i = 0; i < Math.max(warmup, 1); i++) await t.step(l, d);
    const before = t.phasesByWorker();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await t.step(l, d);
    const seconds = (performance.now() - t0) / 1000;
    const after = t.phasesByWorker();
    const phases = after.map((p, i) => diffPhases(p, before[i], steps));
    answer({ hook: 'bench', samplesPerSec: (steps * cfg.batch_size) / seconds, steps, batch: cfg.batch_size, seconds, k, phases, hostPath: t.hostPath });
  } finally {
    t.terminate();
    l.free();
  }
}

/** `steps` steps of the standard model with one worker and with `k` (twice), from the same
 * state: the largest parameter difference between K = 1 and K = k (data, noise and order of
 * updates are the same; only float additions are ordered differently), and between the two
 * K = k runs (a seeded run repeats exactly). */
async function equivalence(k: number, steps: number): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const params: Float32Array[] = [];
  for (const kk of [1, k, k]) {
    const l = Lead.fresh(DEFAULT_MODEL, DEFAULT_TRAIN, 'dynamic', undefined, d);
    const t = new Team();
    try {
      await t.start(l.state({}), kk, DEFAULT_MODEL.input_dim, DEFAULT_TRAIN.batch_size);
      for (let i = 0; i < steps; i++) await t.step(l, d);
      params.push(t.replica!.paramsView().slice());
    } finally {
      t.terminate();
      l.free();
    }
  }
  const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  answer({ hook: 'equivalence', k, steps, maxDiff: diff(params[0], params[1]), repeatDiff: diff(params[1], params[2]), helpers: k - 1 });
}

/** An uncaught error, as a real failure of this worker would raise. */
function crash(): void {
  setTimeout(() => {
    throw new Error('training worker crashed (simulated)');
  });
}

/** A fresh model (the standard one with `m`'s changes) trained `m.steps` steps from its
 * seed by one worker, as native `vae train --steps` trains it: the same initialisation,
 * minibatches and noise (tests/e2e/values-reproducible.test.mjs compares the two). */
async function reproduce(m: Extract<DebugRequest, { hook: 'reproduce' }>): Promise<void> {
  await stop();
  const d = await getData('mnist');
  const train = { ...DEFAULT_TRAIN, ...m.train };
  const l = Lead.fresh({ ...DEFAULT_MODEL, ...m.model }, train, m.binarization, m.init, d);
  const t = new Team();
  try {
    await t.start(l.state({}), 1, l.config().input_dim, train.batch_size);
    for (let i = 0; i < m.steps; i++) {
      if (!(await t.step(l, d)).applied) throw new Error(`step ${i} was not applied (a non-finite loss)`);
    }
    const checkpoint = l.toCheckpoint(t.replica!, {});
    answer({ hook: 'reproduce', steps: m.steps, checkpoint, hostPath: t.hostPath }, [checkpoint.buffer]);
  } finally {
    t.terminate();
    l.free();
  }
}
