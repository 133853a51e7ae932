#!/usr/bin/env node
// npm run bench: the browser build's training speed, measured in headless Chromium, beside
// the native CLI in the same run. A benchmark, not a test: it prints ONE JSON line.
//
//   by_workers             samples/s of the standard model (784-400-20, batch 100, Adam 1e-3,
//                          SGVB B, L=1) with K = 1 .. max(2, cores) workers (median of RUNS)
//   speedup_vs_k1          by_workers / by_workers[1]
//   not_isolated           the same sweep in a page served without COOP/COEP (MessageChannel
//                          exchange instead of SharedArrayBuffer)
//   phases_ms              per K, milliseconds per step in each phase (compute, transfer,
//                          reduce, update, idle), averaged over the workers
//   amdahl                 the serial fraction s implied by K=1 vs K=2, and the speed-ups it
//                          projects for K = 4 and 8 (1 / (s + (1 - s) / K))
//   gflops                 per K: the model's FLOPs per image (forward + backward matmuls,
//                          no input gradient) x samples/s
//   peak_gflops_per_core   a register-only micro-kernel in the same page, with and without
//                          relaxed SIMD (when the build has the probe)
//   efficiency_k1          gflops[1] / the relaxed-SIMD peak
//   native_samples_per_sec `vae bench`, same model, same run; wasm_vs_native = best / native
//   worker_memory_bytes    the training worker's memory after training MNIST: its wasm memory
//                          (high-water mark) plus its JS heap (measureUserAgentSpecificMemory)
//   wasm_bytes(_gz), first_reconstruction_ms, steps, runs
// Needs a build (npm run build:web). STEPS, WARMUP, RUNS env override the defaults.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, openPage, ROOT } from '../tests/e2e/helpers.mjs';

const STEPS = Number(process.env.STEPS || 100);
const WARMUP = Number(process.env.WARMUP || 20);
const RUNS = Number(process.env.RUNS || 3);
// 784-400-20: forward MACs 784*400 + 400*40 + 20*400 + 400*784; backward the weight
// gradients of all of them plus the input gradients of all but the first layer.
const FORWARD = 784 * 400 + 400 * 40 + 20 * 400 + 400 * 784;
const FLOPS_PER_IMAGE = 2 * (FORWARD + FORWARD + (FORWARD - 784 * 400));

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

const wasm = await readFile(join(ROOT, 'www/build/pkg/vae_wasm_bg.wasm'));
const env = await launch();
try {
  const { page, errors } = await openPage(env, '?bench');
  const ready = await page.evaluate(() => window.__vaeReady);
  // The page's own animation would take a core from the workers on a small machine: the
  // figures are the trainer's, so it stops (as a person can, with its button).
  await page.locator('#traversal-play').click();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
  const ks = Array.from({ length: Math.max(2, cores) }, (_, i) => i + 1);
  const { byWorkers, phasesMs, hostPath } = await sweep(page, ks);
  // The same sweep in a page served without COOP/COEP (as an embedding page serves it): the
  // workers then exchange shards over MessageChannels instead of SharedArrayBuffer.
  const plainEnv = await launch({ isolate: false });
  let notIsolated;
  try {
    const { page: p2 } = await openPage(plainEnv, '?bench');
    await p2.locator('#traversal-play').click();
    notIsolated = await sweep(p2, ks);
  } finally {
    await plainEnv.close();
  }
  const t1 = 1 / byWorkers[1];
  const t2 = 1 / byWorkers[2];
  const serial = Math.min(1, Math.max(0, (2 * t2) / t1 - 1));
  const amdahl = { serial_fraction: round(serial, 3), projected_speedup: Object.fromEntries([4, 8].map((k) => [k, round(1 / (serial + (1 - serial) / k), 2)])) };
  const gflops = Object.fromEntries(ks.map((k) => [k, round((byWorkers[k] * FLOPS_PER_IMAGE) / 1e9, 1)]));
  const peak = await kernelPeak(env);
  const memory = await page.evaluate(() => window.__vaeMemory());
  const workerMemory = memory.wasmBytes + (memory.jsBytes ?? 0);
  if (errors.length) console.error(`bench: page reported errors:\n  ${errors.join('\n  ')}`);
  const native = nativeBench();
  const best = Math.max(...Object.values(byWorkers));
  console.log(
    JSON.stringify({
      samples_per_sec: byWorkers[1],
      by_workers: byWorkers,
      speedup_vs_k1: speedups(byWorkers),
      phases_ms: phasesMs,
      not_isolated: {
        by_workers: notIsolated.byWorkers,
        speedup_vs_k1: speedups(notIsolated.byWorkers),
        phases_ms: notIsolated.phasesMs,
      },
      amdahl,
      gflops,
      flops_per_image: FLOPS_PER_IMAGE,
      peak_gflops_per_core: peak,
      efficiency_k1: peak?.relaxed ? round(gflops[1] / peak.relaxed, 2) : null,
      host_path: hostPath,
      native_samples_per_sec: native,
      wasm_vs_native: native ? round(best / native, 2) : null,
      worker_memory_bytes: workerMemory,
      worker_memory: memory,
      wasm_bytes: wasm.length,
      wasm_bytes_gz: gzipSync(wasm, { level: 9 }).length,
      first_reconstruction_ms: Math.round(ready.firstReconstructionMs),
      steps: STEPS,
      runs: RUNS,
      cores,
    }),
  );
} finally {
  await env.close();
}

/** The K sweep in one page: medians of RUNS, run interleaved (K = 1, 2, 1, 2, ...) so that
 * a noisy neighbour hurts every K alike; the phases of each K's median run, averaged over
 * its workers. */
async function sweep(page, ks) {
  const runs = Object.fromEntries(ks.map((k) => [k, []]));
  const phases = Object.fromEntries(ks.map((k) => [k, []]));
  let hostPath = null;
  for (let r = 0; r < RUNS; r++) {
    for (const k of ks) {
      const res = await page.evaluate(([w, s, k]) => window.__vaeBench(w, s, k), [WARMUP, STEPS, k]);
      runs[k].push(res.samplesPerSec);
      phases[k].push(res.phases);
      hostPath = res.hostPath;
    }
  }
  const byWorkers = Object.fromEntries(ks.map((k) => [k, Math.round(median(runs[k]))]));
  const phasesMs = Object.fromEntries(
    ks.map((k) => {
      const per = phases[k][runs[k].indexOf(median(runs[k]))];
      const avg = Object.fromEntries(Object.keys(per[0]).map((p) => [p, round(per.reduce((s, w) => s + w[p], 0) / per.length, 2)]));
      return [k, avg];
    }),
  );
  return { byWorkers, phasesMs, hostPath };
}

function speedups(byWorkers) {
  return Object.fromEntries(Object.keys(byWorkers).map((k) => [k, round(byWorkers[k] / byWorkers[1], 2)]));
}

/** GFLOP/s of the register-only micro-kernel, relaxed SIMD and plain, each measured in a
 * page that loaded that build; null when the build has no probe. */
async function kernelPeak(env) {
  const out = {};
  for (const [name, query] of [['relaxed', '?bench&wasm=relaxed'], ['plain', '?bench&wasm=simd']]) {
    const { page } = await openPage(env, query);
    const r = await page.evaluate(() => window.__vaeKernel?.peak(400) ?? null);
    await page.close();
    if (r === null) return null;
    // The best call: the core's ceiling (slower calls measure the neighbours).
    out[name] = round(Math.max(...r), 1);
  }
  return out;
}

/** samples/s of the native CLI's `vae bench` (built here if needed), median of RUNS, or null. */
function nativeBench() {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
  const bin = join(target, 'release', 'vae');
  try {
    if (!existsSync(bin)) execFileSync('cargo', ['build', '--release', '-q', '-p', 'vae-cli'], { cwd: ROOT, stdio: 'inherit' });
    const rates = [];
    for (let r = 0; r < RUNS; r++) {
      const out = execFileSync(bin, ['bench', '--steps', String(STEPS * 2)], { cwd: ROOT, encoding: 'utf8' });
      rates.push(JSON.parse(out.trim().split('\n').at(-1)).samples_per_sec);
    }
    return Math.round(median(rates));
  } catch (e) {
    console.error(`bench: native vae bench failed: ${e.message}`);
    return null;
  }
}
