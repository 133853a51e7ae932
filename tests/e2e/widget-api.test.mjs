// The widget's JS API (docs/widget.md), driven as a tutorial author's script would drive it:
// examples/api.html (written only against the API), bad arguments, removal, attributes
// changed at run time. References: the native CLI (`vae reconstruct --json`), NumPy
// (examples/numpy_vae.py) and the zoo's metrics files, never the widget's own numbers.
//
// Tolerance wasm vs native / NumPy: 1e-4 absolute + 1e-4 relative, as tests/interop: both sides
// compute in f32 from the same f32 weights, in different summation orders (and fused
// multiply-add in the relaxed-SIMD build), so they differ by rounding, ~1e-6; the page prints
// 6 decimals (+5e-7). A real difference (a wrong layer, sigmoid, preprocessing) is >1e-2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawStroke, launch, ROOT, until } from './helpers.mjs';

const TOL = (ref) => 1e-4 + 1e-4 * Math.abs(ref);
const close = (got, want, what) => {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= TOL(want[i]), `${what}[${i}]: ${g} vs ${want[i]}`));
};
const vector = (s) => JSON.parse(s);

/** The native core's answer for MNIST test image 0 fed as intensities (as the API takes them). */
function cli(model) {
  const bin = process.env.VAE_BIN ?? (execFileSync('cargo', ['build', '-q', '-p', 'vae-cli'], { cwd: ROOT, stdio: 'inherit' }), join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug/vae'));
  const out = execFileSync(bin, ['reconstruct', '--model', model, '--image-index', '0', '--greyscale', '--json'], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out).images[0];
}

/** NumPy's q(z|x) for pixels under a checkpoint: the independent reading of the file. */
function numpyEncode(model, pixels) {
  const py = `import sys, json; sys.path.insert(0, 'examples'); import numpy as np, numpy_vae
v = numpy_vae.NumpyVae(sys.argv[1]); mu, lv = v.encode(np.array([json.load(sys.stdin)], dtype=np.float64))
print(json.dumps({"mu": mu[0].tolist(), "sigma": np.exp(0.5 * lv[0]).tolist()}))`;
  return JSON.parse(execFileSync('python3', ['-c', py, model], { cwd: ROOT, input: JSON.stringify(pixels), encoding: 'utf8' }));
}

let env;
before(async () => {
  env = await launch({ isolate: false });
});
after(async () => {
  await env?.close();
});

async function open(path) {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(env.server.url + path);
  return { page, errors };
}

test('examples/api.html: reconstruct equals the CLI, one widget drives another, training reports progress', async () => {
  const { page, errors } = await open('examples/api.html');
  await until(async () => (await page.getByTestId('mean').innerText()).startsWith('['), { what: 'the reconstruction' });
  const ref = cli('www/assets/pretrained.safetensors');
  close(vector(await page.getByTestId('mean').innerText()), ref.mu, 'mean');
  close(vector(await page.getByTestId('sigma').innerText()), ref.sigma, 'sigma');
  // The picture a person sees: each grey level within one step of 255·(1 − reconstruction).
  const grey = await page.getByTestId('recon').evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)));
  grey.forEach((g, i) => assert.ok(Math.abs(g - 255 * (1 - ref.reconstruction[i])) <= 1, `recon pixel ${i}`));
  const metrics = JSON.parse(readFileSync(join(ROOT, 'www/assets/pretrained.metrics.json'), 'utf8'));
  assert.equal(await page.getByTestId('model-line').innerText(), `Model: pretrained, 784-256-10, test ELBO ${metrics.test_elbo.toFixed(1)} nats.`);

  // Draw in the first widget; the page shows the 2-D model's q(z|x) of that drawing. An
  // author's listener keeps the newest drawing (an update per frame while the stroke goes on).
  await page.evaluate(() => document.getElementById('pad').addEventListener('drawing', (e) => (window.lastDrawing = Array.from(e.detail.pixels))));
  await page.getByTestId('draw-canvas').scrollIntoViewIfNeeded();
  await drawStroke(page, 'draw-canvas', [[0.5, 0.15], [0.45, 0.5], [0.5, 0.85]]);
  const frames = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await frames();
  await frames();
  const pixels = await page.evaluate(() => window.lastDrawing);
  assert.ok(pixels.some((p) => p > 0.5), 'the drawing has ink');
  const q = numpyEncode('www/assets/models/mnist-2d.safetensors', pixels);
  close(vector(await page.getByTestId('pad-mean').innerText()), q.mu, 'the 2-D posterior mean of the drawing');
  close(vector(await page.getByTestId('pad-sigma').innerText()), q.sigma, 'its sigma');

  // Training from the page's own button: the step it prints grows.
  await page.getByTestId('api-train').click();
  const step = async () => Number(/step (\d+)/.exec(await page.getByTestId('progress').innerText())?.[1] ?? 0);
  const first = await until(step, { timeout: 120_000, what: 'a progress event' });
  await until(async () => (await step()) > first, { timeout: 60_000, what: 'the step to grow' });
  assert.match(await page.getByTestId('progress').innerText(), /^step \d+, epoch \d+\.\d\d, bound -\d+\.\d nats(, test ELBO -\d+\.\d)?, \d+ images\/s$/);
  await page.getByTestId('api-pause').click();
  assert.deepEqual(errors, []);
  await page.close();
});
