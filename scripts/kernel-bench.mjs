#!/usr/bin/env node
// The matmul kernel in headless Chromium, each build in its own page. Prints ONE JSON line:
//   peak_gflops       {relaxed, plain}: kernelPeak, a register-only loop of independent
//                     f32x4 multiply-adds (relaxed madd / mul + add): what one core can do
//   gflops            {relaxed, plain, gemm019}: per hot shape of the standard model
//                     (784-400-20, batch 100), "fwd|dlhs|drhs m x k x n", as dfdx lays them
//                     out (dlhs: rhs transposed view; drhs: lhs transposed view), plus m = 1
//   step_gflops       the same, weighted by each shape's FLOPs in one training step
//   step_gflops_median  the same from each shape's median run instead of its best
//   efficiency        step_gflops / peak of the same build; fwd 100x784x400 / its peak
//   train_samples_per_sec  {build: {best, median}}: one worker's steps (Lead + Replica) of the standard model on
//                     MNIST in the page (data/mnist; absent: skipped), the whole step
//   picked            which module www/src/shared/wasm-variant.ts picks in this Chromium
//   wasm_bytes        raw and gzip -9 sizes
// Each figure is the best of RUNS (default 15) timed calls of ~5-10 ms after warm-up (V8
// compiles wasm with its baseline tier first): on a shared machine the slower calls measure
// the neighbours, and interleaving many short calls finds the quiet moments. The medians
// say how noisy the run was. gemm019 is the old path (gemm 0.19 for f32, vae-wasm's gemm019
// feature, with the flags it shipped with), built here on first use; NO_GEMM019=1 skips it.
// Needs scripts/build-wasm.sh. A benchmark: it prints figures, it asserts nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.RUNS || 15);
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// [kind, m, k, n, times per step]; kind: fwd (layout 0), dlhs (1), drhs (2).
const SHAPES = [
  ['fwd', 100, 784, 400, 1], ['fwd', 100, 400, 20, 2], ['fwd', 100, 20, 400, 1], ['fwd', 100, 400, 784, 1],
  ['dlhs', 100, 400, 784, 1], ['dlhs', 100, 784, 400, 1], ['dlhs', 100, 20, 400, 1], ['dlhs', 100, 400, 20, 2],
  ['drhs', 784, 100, 400, 1], ['drhs', 400, 100, 20, 2], ['drhs', 20, 100, 400, 1], ['drhs', 400, 100, 784, 1],
  ['fwd', 1, 784, 400, 0], ['fwd', 1, 400, 784, 0],
];
const LAYOUT = { fwd: 0, dlhs: 1, drhs: 2 };

const pkg = join(ROOT, 'www/build/pkg');
for (const f of ['vae_wasm.js', 'vae_wasm_bg.wasm', 'vae_wasm_relaxed_bg.wasm']) {
  if (!existsSync(join(pkg, f))) throw new Error(`${f} missing in www/build/pkg: run bash scripts/build-wasm.sh`);
}
const variants = [
  { name: 'relaxed', dir: pkg, wasm: 'vae_wasm_relaxed_bg.wasm' },
  { name: 'plain', dir: pkg, wasm: 'vae_wasm_bg.wasm' },
];
if (process.env.NO_GEMM019 !== '1') variants.push({ name: 'gemm019', dir: buildGemm019(), wasm: 'vae_wasm_bg.wasm' });

const profile = mkdtempSync(join(tmpdir(), 'kernel-bench-'));
const browser = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
const result = { peak_gflops: {}, gflops: {}, step_gflops: {}, step_gflops_median: {}, efficiency: {}, train_samples_per_sec: {}, picked: null, wasm_bytes: {}, runs: RUNS };
const MNIST = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const haveMnist = MNIST.every((f) => existsSync(join(ROOT, 'data/mnist', f)));
// www/src/shared/wasm-variant.ts as the page bundles it (wasm-feature-detect included).
const variantJs = execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [join(ROOT, 'www/src/shared/wasm-variant.ts'), '--bundle', '--format=esm', '--log-level=warning'], { encoding: 'utf8' });
try {
  for (const v of variants) {
    const page = await browser.newPage();
    // One made-up origin, answered from disk: no server to start.
    await page.route('http://kernel.bench/**', (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === '') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><link rel="icon" href="data:,">' });
      if (name === 'wasm-variant.js') return route.fulfill({ contentType: 'text/javascript', body: variantJs });
      if (name.startsWith('mnist/')) return route.fulfill({ contentType: 'application/octet-stream', body: readFileSync(join(ROOT, 'data', name)) });
      const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      return route.fulfill({ contentType: type, body: readFileSync(join(v.dir, name)) });
    });
    await page.goto('http://kernel.bench/');
    const bytes = readFileSync(join(v.dir, v.wasm));
    result.wasm_bytes[v.name] = { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
    if (result.picked === null) result.picked = await page.evaluate(async () => (await import('/wasm-variant.js')).wasmUrl(new URL('/', location.href)).then((r) => r.url.pathname.slice(1)));
    const r = await page.evaluate(measure, { wasm: v.wasm, shapes: SHAPES, layout: LAYOUT, runs: RUNS, mnist: haveMnist ? MNIST : null });
    await page.close();
    if (r.error) {
      console.error(`kernel-bench: ${v.name}: ${r.error}`);
      continue;
    }
    if (v.name !== 'gemm019') result.peak_gflops[v.name] = r.peak.best;
    result.gflops[v.name] = Object.fromEntries(Object.entries(r.gflops).map(([key, x]) => [key, x.best]));
    // A step's FLOPs over the time its shapes take at the measured rates.
    for (const [out, stat] of [[result.step_gflops, 'best'], [result.step_gflops_median, 'median']]) {
      let flops = 0;
      let secs = 0;
      for (const [kind, m, k, n, times] of SHAPES) {
        const f = 2 * m * k * n * times;
        flops += f;
        secs += f / (r.gflops[`${kind} ${m}x${k}x${n}`][stat] * 1e9);
      }
      out[v.name] = round(flops / secs / 1e9);
    }
    if (r.train) result.train_samples_per_sec[v.name] = r.train;
  }
  for (const name of ['relaxed', 'plain']) {
    if (result.step_gflops[name] && result.peak_gflops[name]) result.efficiency[`${name}_step`] = round(result.step_gflops[name] / result.peak_gflops[name], 2);
  }
  const big = (name) => result.gflops[name]?.['fwd 100x784x400'];
  if (big('relaxed') && result.peak_gflops.relaxed) result.efficiency.relaxed_fwd_100x784x400 = round(big('relaxed') / result.peak_gflops.relaxed, 2);
  if (big('plain') && result.peak_gflops.plain) result.efficiency.plain_fwd_100x784x400 = round(big('plain') / result.peak_gflops.plain, 2);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

function round(x, d = 1) {
  return +x.toFixed(d);
}

/** Runs in the page: loads the glue and one module, times the probes. */
async function measure({ wasm, shapes, layout, runs, mnist }) {
  let g;
  try {
    g = await import('/vae_wasm.js');
    await g.default({ module_or_path: `/${wasm}` });
  } catch (e) {
    return { error: `could not load ${wasm}: ${e.message}` };
  }
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { best: +s.at(-1).toFixed(1), median: +s[Math.floor(s.length / 2)].toFixed(1) };
  };
  // Grows the work until a call takes >= 5 ms (warming up on the way). The fastest of three
  // calls decides: one call slowed by a neighbour would stop the growth early, and a call
  // near the timer's 0.1 ms resolution would then read far too fast.
  const calibrate = (call) => {
    let size = 1;
    for (let i = 0; i < 3; i++) call(size);
    for (;;) {
      let ms = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        call(size);
        ms = Math.min(ms, performance.now() - t0);
      }
      if (ms > 5) return size;
      size *= 2;
    }
  };
  const timed = (call, size) => {
    const t0 = performance.now();
    const flops = call(size);
    return flops / ((performance.now() - t0) * 1e6);
  };
  const peakCall = (s) => g.kernelPeak(s * 10000);
  const peakSize = calibrate(peakCall);
  const peak = stats(Array.from({ length: runs }, () => timed(peakCall, peakSize)));
  // Shapes interleaved round by round, so a noisy moment hits every shape a little.
  const calls = shapes.map(([kind, m, k, n]) => {
    const call = (s) => g.kernelMatmul(m, k, n, s, layout[kind]);
    return { key: `${kind} ${m}x${k}x${n}`, call, size: calibrate(call), xs: [] };
  });
  for (let r = 0; r < runs; r++) for (const c of calls) c.xs.push(timed(c.call, c.size));
  const gflops = Object.fromEntries(calls.map((c) => [c.key, stats(c.xs)]));
  let train = null;
  if (mnist) {
    const bytes = async (n) => new Uint8Array(await (await fetch(`/mnist/${n}`)).arrayBuffer());
    const data = g.Data.fromIdx(...(await Promise.all(mnist.map(bytes))));
    const model = { input_dim: 784, hidden: [400], latent: 20, latent2: null, activation: 'relu', family: 'gaussian', decoder: 'bernoulli' };
    const config = { optimizer: 'adam', lr: 1e-3, weight_decay: 0, batch_size: 100, estimator: 'b', samples: 1, seed: 1 };
    // One worker's training steps, as the page's worker runs them (www/src/worker/team.ts, K = 1).
    const lead = g.Lead.fresh(model, config, 'dynamic', undefined, data);
    const replica = g.Replica.fromState(lead.state({}), 1, 0);
    const steps = (n) => {
      for (let i = 0; i < n; i++) {
        const bytes = lead.nextMinibatch(data);
        const step = lead.step();
        const [bound, rows] = replica.gradient(step, 0, bytes);
        replica.reduceShard();
        replica.applyUpdate(bound, rows, step);
        lead.commit();
      }
    };
    steps(20);
    const xs = [];
    for (let r = 0; r < Math.max(5, Math.round(runs / 2)); r++) {
      const t0 = performance.now();
      steps(10);
      xs.push(1000 / ((performance.now() - t0) / 1000));
    }
    const s = stats(xs);
    train = { best: Math.round(s.best), median: Math.round(s.median) };
    replica.free();
    lead.free();
    data.free();
  }
  return { peak, gflops, train, relaxed: g.kernelRelaxed(), kernel: g.kernelName() };
}

/** The old path for comparison: vae-wasm with the gemm019 feature (gemm 0.19 for f32), plain
 * simd128, bindgen + wasm-opt as scripts/build-wasm.sh does. Returns its package folder. */
function buildGemm019() {
  const dir = join(TARGET, 'gemm019');
  const out = join(dir, 'pkg');
  const env = { ...process.env, CARGO_TARGET_DIR: dir, RUSTFLAGS: '-C target-feature=+simd128' };
  const args = ['build', '--profile', 'wasm-release', '--target', 'wasm32-unknown-unknown', '-p', 'vae-wasm', '--features', 'gemm019'];
  execFileSync('cargo', args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const wasm = join(dir, 'wasm32-unknown-unknown/wasm-release/vae_wasm.wasm');
  const built = join(out, 'vae_wasm_bg.wasm');
  if (!existsSync(built) || statSync(wasm).mtimeMs > statSync(built).mtimeMs) {
    execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', out, wasm], { cwd: ROOT, stdio: 'inherit' });
    execFileSync(join(ROOT, 'node_modules/.bin/wasm-opt'), ['-O3', '--enable-simd', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', built, '-o', built], { stdio: 'inherit' });
  }
  return out;
}
