#!/usr/bin/env node
// npm run bench: the browser build's numbers, measured in headless Chromium.
// Prints ONE JSON line:
//   samples_per_sec          training throughput of the standard model (784-400-20, batch 100,
//                            Adam 1e-3, SGVB B, L=1) in the page's worker, after a warm-up
//   wasm_bytes, wasm_bytes_gz  size of vae_wasm_bg.wasm, raw and gzip -9 (zlib)
//   first_reconstruction_ms  page open -> first reconstruction of the pretrained model on screen
//   steps                    timed minibatch updates
//   by_workers               samples/s with K = 1, 2, ... data-parallel workers (up to the
//                            cores Chromium reports, at least 2), and speedup_vs_k1 for each
//   native_samples_per_sec   the native CLI's `vae bench` (same model, batch, optimizer), run
//                            in the same session, and wasm_vs_native = K=1 / native
// Needs a build (npm run build:web). STEPS / WARMUP env override the defaults.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, openPage, ROOT } from '../tests/e2e/helpers.mjs';

const STEPS = Number(process.env.STEPS || 100);
const WARMUP = Number(process.env.WARMUP || 10);

const wasm = await readFile(join(ROOT, 'www/build/pkg/vae_wasm_bg.wasm'));
const env = await launch();
try {
  const { page, errors } = await openPage(env, '?bench');
  const ready = await page.evaluate(() => window.__vaeReady);
  // The page's own animation would take a core from the workers on a small machine: the
  // figures are the trainer's, so it stops (as a person can, with its button).
  await page.locator('#traversal-play').click();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
  const byWorkers = {};
  for (let k = 1; k <= Math.max(2, cores); k++) {
    const r = await page.evaluate(([w, s, k]) => window.__vaeBench(w, s, k), [WARMUP, STEPS, k]);
    byWorkers[k] = Math.round(r.samplesPerSec);
  }
  if (errors.length) console.error(`bench: page reported errors:\n  ${errors.join('\n  ')}`);
  const native = nativeBench();
  const speedup = Object.fromEntries(Object.entries(byWorkers).map(([k, v]) => [k, +(v / byWorkers[1]).toFixed(2)]));
  console.log(
    JSON.stringify({
      samples_per_sec: byWorkers[1],
      by_workers: byWorkers,
      speedup_vs_k1: speedup,
      native_samples_per_sec: native,
      wasm_vs_native: native ? +(byWorkers[1] / native).toFixed(2) : null,
      best_wasm_vs_native: native ? +(Math.max(...Object.values(byWorkers)) / native).toFixed(2) : null,
      wasm_bytes: wasm.length,
      wasm_bytes_gz: gzipSync(wasm, { level: 9 }).length,
      first_reconstruction_ms: Math.round(ready.firstReconstructionMs),
      steps: STEPS,
    }),
  );
} finally {
  await env.close();
}

/** samples/s of the native CLI's `vae bench` (built here if needed), or null. */
function nativeBench() {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
  const bin = join(target, 'release', 'vae');
  try {
    if (!existsSync(bin)) execFileSync('cargo', ['build', '--release', '-q', '-p', 'vae-cli'], { cwd: ROOT, stdio: 'inherit' });
    const out = execFileSync(bin, ['bench', '--steps', String(STEPS)], { cwd: ROOT, encoding: 'utf8' });
    return Math.round(JSON.parse(out.trim().split('\n').at(-1)).samples_per_sec);
  } catch (e) {
    console.error(`bench: native vae bench failed: ${e.message}`);
    return null;
  }
}
