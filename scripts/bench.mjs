#!/usr/bin/env node
// npm run bench: the browser build's numbers, measured in headless Chromium.
// Prints ONE JSON line:
//   samples_per_sec          training throughput of the standard model (784-400-20, batch 100,
//                            Adam 1e-3, SGVB B, L=1) in the page's worker, after a warm-up
//   wasm_bytes, wasm_bytes_gz  size of vae_wasm_bg.wasm, raw and gzip -9 (zlib)
//   first_reconstruction_ms  page open -> first reconstruction of the pretrained model on screen
//   steps                    timed minibatch updates
// Needs a build (npm run build:web). STEPS / WARMUP env override the defaults.
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
  const result = await page.evaluate(([w, s]) => window.__vaeBench(w, s), [WARMUP, STEPS]);
  if (errors.length) console.error(`bench: page reported errors:\n  ${errors.join('\n  ')}`);
  console.log(
    JSON.stringify({
      samples_per_sec: Math.round(result.samplesPerSec),
      wasm_bytes: wasm.length,
      wasm_bytes_gz: gzipSync(wasm, { level: 9 }).length,
      first_reconstruction_ms: Math.round(ready.firstReconstructionMs),
      steps: result.steps,
    }),
  );
} finally {
  await env.close();
}
