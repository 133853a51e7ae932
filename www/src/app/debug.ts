// The page's one debug interface: every window hook that tests and the benchmark read.
// `?bench` adds the timing hooks (scripts/bench.mjs), `?debug` the test hooks (tests/e2e);
// without either the page installs nothing but `__vaeReady`. The read-only hooks return
// what a panel last put on screen, as plain arrays, so that a test can compare it with an
// independent reference (the native CLI) and the canvas's pixels with it.
import type { Panels } from './mount';
import type { BenchResult, EquivalenceResult, ReproduceRequest, ReproduceResult } from '../training/panel';
import { kernel, wasmVariant } from '../shared/wasm';
import { find, paintedValues } from '../views/ui';

/** The test hooks (`?debug`). Arrays are copies: a test may keep them. */
export interface DebugHooks {
  /** Training-team checks (tests/e2e/workers.test.mjs, persistence.test.mjs). */
  equivalence: (k: number, steps: number) => Promise<EquivalenceResult>;
  /** A fresh seeded model after N steps in the training worker, as a checkpoint, and the
   * build that trained it (tests/e2e/values-reproducible.test.mjs, against `vae train --steps`). */
  reproduce: (request: ReproduceRequest) => Promise<ReproduceResult & { variant: string | null }>;
  crashWorker: (index: number) => void;
  crashTrainer: () => void;
  testCurve: () => [number, number][];
  /** The test ELBO's terms on the chart, [step, E_q[log p(x|z)], KL] (tests/e2e/reload.test.mjs). */
  termCurve: () => [number, number, number][];
  /** The values the canvas with this data-testid was last painted from (the model's input
   * for `input-view`; the decoder's output for `reconstruction`, `refined`, `imputed`,
   * and the grids `interpolation`, `samples`, `manifold`, tile after tile), or null. */
  painted: (testid: string) => number[] | null;
  /** The posterior q(z|x) of the drawing that the bars show. */
  posterior: () => { mu: number[]; sigma: number[] } | null;
  /** The last Refine's ELBOs, unrounded, and its q's mean (the refined picture decodes it). */
  refinement: () => { before: number; after: number; mu: number[] | null } | null;
  /** The interpolation's two codes as last painted, and the prior samples' seed. */
  latent: () => { ends: [number[], number[]] | null; sampleSeed: number } | null;
  /** The scatter's last plot: posterior means (row-major, latent-wide), positions, labels;
   * `own`: the same for the personal set's ringed points ("Show my digits"), else null. */
  scatter: () => { mu: number[]; xy: number[]; labels: number[]; own: { mu: number[]; xy: number[]; labels: (number | null)[] } | null } | null;
}

/** The benchmark's hooks (`?bench`). */
export interface BenchHooks {
  /** Times training of the standard model in the worker. */
  bench: (warmup: number, steps: number, k?: number) => Promise<BenchResult>;
  /** The memory of the page and its workers (cross-origin isolated pages). */
  memory: () => Promise<{ wasmBytes: number; jsBytes: number | null }>;
  /** GFLOP/s of the kernel's register-only loop, one figure per ~10 ms call over `ms`. */
  kernel: { peak: (ms: number) => number[]; relaxed: boolean; variant: string | null };
}

declare global {
  interface Window {
    /** Set once the first reconstruction is on screen (tests and the benchmark wait for it). */
    __vaeReady?: { firstReconstructionMs: number };
    __vaeBench?: BenchHooks['bench'];
    __vaeMemory?: BenchHooks['memory'];
    __vaeKernel?: BenchHooks['kernel'];
    __vaeDebug?: DebugHooks;
  }
}

/** Marks the first reconstruction as on screen. */
export function markReady(): void {
  performance.mark('vae:first-reconstruction');
  window.__vaeReady = { firstReconstructionMs: performance.now() };
  document.body.dataset.ready = 'true';
}

/** Installs the hooks the page's query string asks for. */
export function installHooks(panels: Panels, search = location.search): void {
  const query = new URLSearchParams(search);
  const train = panels.train;
  if (train && query.has('bench')) {
    window.__vaeBench = (warmup, steps, k) => train.bench(warmup, steps, k);
    window.__vaeKernel = { peak: kernelPeak, relaxed: kernel.relaxed(), variant: wasmVariant() };
    window.__vaeMemory = async () => {
      type Breakdown = { bytes: number; attribution: { url: string }[] };
      const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ breakdown: Breakdown[] }> };
      const wasmBytes = await train.workerMemory();
      let jsBytes: number | null = null;
      // The worker's wasm memory, plus its JavaScript heap where the browser can measure it
      // (cross-origin isolated pages; wasm memory is not in that figure).
      if (crossOriginIsolated && p.measureUserAgentSpecificMemory) {
        const m = await p.measureUserAgentSpecificMemory();
        jsBytes = m.breakdown.filter((b) => b.attribution.some((a) => /\/worker\.js/.test(a.url))).reduce((s, b) => s + b.bytes, 0);
      }
      return { wasmBytes, jsBytes };
    };
  }
  if (query.has('debug')) window.__vaeDebug = debugHooks(panels);
}

function debugHooks({ train, draw, latent, scatter }: Panels): DebugHooks {
  const none = () => {
    throw new Error('this page has no training panel');
  };
  return {
    equivalence: (k, steps) => (train ? train.equivalence(k, steps) : Promise.reject(new Error('no training panel'))),
    reproduce: async (request) => {
      if (!train) throw new Error('no training panel');
      return { ...(await train.reproduce(request)), variant: wasmVariant() };
    },
    crashWorker: (i) => (train ? train.crashWorker(i) : none()),
    crashTrainer: () => (train ? train.crashTrainer() : none()),
    testCurve: () => (train ? train.testCurve() : []),
    termCurve: () => (train ? train.termCurve() : []),
    painted: (testid) => {
      const canvas = find<HTMLCanvasElement>(testid);
      const v = canvas instanceof HTMLCanvasElement ? paintedValues(canvas) : null;
      return v ? Array.from(v) : null;
    },
    posterior: () => (draw?.posterior ? { mu: Array.from(draw.posterior.mu), sigma: Array.from(draw.posterior.sigma) } : null),
    refinement: () => (draw?.refinedElbo ? { ...draw.refinedElbo, mu: draw.refinedQ ? Array.from(draw.refinedQ.mu) : null } : null),
    latent: () => {
      if (!latent) return null;
      const { ends, sampleSeed } = latent.painted;
      return { ends: ends ? [Array.from(ends[0]), Array.from(ends[1])] : null, sampleSeed };
    },
    scatter: () => {
      const p = scatter?.plotted;
      if (!p) return null;
      const own = p.own ? { mu: Array.from(p.own.mu), xy: Array.from(p.own.xy), labels: [...p.own.labels] } : null;
      return { mu: Array.from(p.mu), xy: Array.from(p.xy), labels: Array.from(p.labels), own };
    },
  };
}

/** Calls the kernel's peak loop for `ms`, each call sized to take ~5 ms or more. */
function kernelPeak(ms: number): number[] {
  let n = 1000;
  for (let t = 0; t < 5; ) {
    const t0 = performance.now();
    kernel.peak(n);
    t = performance.now() - t0;
    if (t < 5) n *= 2;
  }
  const out: number[] = [];
  for (const end = performance.now() + ms; performance.now() < end; ) {
    const t0 = performance.now();
    const flops = kernel.peak(n);
    out.push(flops / ((performance.now() - t0) * 1e6));
  }
  return out;
}
