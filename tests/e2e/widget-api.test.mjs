// The widget's JS API (docs/widget.md), driven as a tutorial author's script would drive it:
// examples/api.html (written only against the API), bad arguments, removal, attributes
// changed at run time. References: the native CLI (`vae reconstruct --json`), NumPy
// (examples/numpy_vae.py) and the zoo's metrics files, never the widget's own numbers (one
// check ties `model.metrics` to the test ELBO the training panel shows a person).
//
// Tolerance wasm vs native / NumPy: 1e-4 absolute + 1e-4 relative, as tests/interop: both sides
// compute in f32 from the same f32 weights, in different summation orders (and fused
// multiply-add in the relaxed-SIMD build), so they differ by rounding, ~1e-6; the page prints
// 6 decimals (+5e-7). Measured: max 2.4e-7 (mean), 3.6e-7 (reconstruction). A real
// difference (a wrong layer, sigmoid, preprocessing) is >1e-2.
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

  await until(() => page.evaluate(() => document.getElementById('two').model?.origin === 'mnist-2d (model zoo)'), { what: 'load(mnist-2d)' });
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
  // The test ELBO (evaluated as training starts, then every 3 s) reaches `model` and
  // `progress`, the same number the widget's panel shows a person.
  await until(async () => /test ELBO/.test(await page.getByTestId('progress').innerText()), { timeout: 60_000, what: 'a test ELBO in progress' });
  await page.getByTestId('api-pause').click();
  // Both read in one task: a late evaluation cannot land between them.
  const [trained, shownElbo] = await page.evaluate(() => {
    const w = document.getElementById('trainer');
    return [w.model.metrics, w.shadowRoot.getElementById('elbo-value').textContent];
  });
  assert.equal(trained.source, 'training');
  assert.equal(shownElbo, `${trained.testElbo.toFixed(1)} nats`);
  assert.deepEqual(errors, []);
  await page.close();
});

/** NumPy's decoder mean at z. */
function numpyDecode(model, z) {
  const py = `import sys, json; sys.path.insert(0, 'examples'); import numpy as np, numpy_vae
v = numpy_vae.NumpyVae(sys.argv[1]); print(json.dumps(v.decode(np.array([json.load(sys.stdin)], dtype=np.float64))[0][0].tolist()))`;
  return JSON.parse(execFileSync('python3', ['-c', py, model], { cwd: ROOT, input: JSON.stringify(z), encoding: 'utf8' }));
}

/** The API page with every widget ready. */
async function apiPage() {
  const opened = await open('examples/api.html');
  await until(async () => (await opened.page.getByTestId('mean').innerText()).startsWith('['), { what: 'the page script' });
  await opened.page.evaluate(() => Promise.all([...document.querySelectorAll('vae-playground')].map((w) => w.ready)));
  // The page's script then loads the 2-D model into the second widget.
  await until(() => opened.page.evaluate(() => document.getElementById('two').model?.origin === 'mnist-2d (model zoo)'), { what: 'load(mnist-2d)' });
  return opened;
}

/** What the call rejected with, or 'resolved'. */
const rejection = (page, code) => page.evaluate(`(async () => { try { await (${code}); return 'resolved'; } catch (e) { return e.message; } })()`);
/** The rejected Error's name: the core's error kind for a failure of the model (docs/widget.md). */
const rejectionName = (page, code) => page.evaluate(`(async () => { try { await (${code}); return 'resolved'; } catch (e) { return e.name; } })()`);

test('bad arguments reject with a clear message and change nothing; decode and the zoo metrics match their references', async () => {
  const { page, errors } = await apiPage();
  const before = await page.evaluate(() => document.getElementById('pad').save().then((b) => Array.from(b.slice(-4096))));
  const pad = "document.getElementById('pad')";
  assert.equal(await rejection(page, `${pad}.reconstruct(new Float32Array(783))`), 'pixels must have 784 values, not 783');
  assert.equal(await rejection(page, `${pad}.encode(new Float32Array(784).fill(NaN))`), 'pixels[0] is NaN: every value must be a finite number');
  assert.equal(await rejection(page, `${pad}.reconstruct(new Float32Array(784).fill(1.5))`), 'pixels[0] is 1.5: pixels must be in [0, 1]');
  assert.equal(await rejection(page, `${pad}.encode('a digit')`), 'pixels must be a Float32Array (or an array of numbers) of length 784');
  assert.equal(await rejection(page, `${pad}.decode(new Float32Array(3))`), 'z must have 10 values, not 3');
  for (const n of [0, 10001, 2.5]) assert.equal(await rejection(page, `${pad}.sample(${n})`), `n must be a whole number from 1 to 10000, not ${n}`);
  assert.equal(await rejection(page, `${pad}.train()`), 'view="draw" has no training panel: use view="train" or view="full" to train.');
  assert.match(await rejection(page, `${pad}.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))`), /^Could not load the bytes given: .+\. The current model is unchanged\.$/);
  assert.match(await rejection(page, `${pad}.load('mnist-3d')`), /^Unknown model "mnist-3d": the models are default, mnist-2d, .* The current model is unchanged\.$/);
  // A failure of the checkpoint has the core's kind; a name that is not a model has none.
  assert.equal(await rejectionName(page, `${pad}.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))`), 'BadCheckpoint');
  assert.equal(await rejectionName(page, `${pad}.load('mnist-3d')`), 'Error');
  const after = await page.evaluate(() => document.getElementById('pad').save().then((b) => Array.from(b.slice(-4096))));
  assert.deepEqual(after, before, 'the model is the same');
  assert.equal(await page.locator('#pad').getByTestId('error').isVisible(), false, 'a rejected call is the caller’s to report');

  // decode(z) against NumPy's decoder; sample(n, seed) repeats for a seed.
  const z = [0.5, -1, 0.25, 0, 1.5, -0.5, 0.1, 2, -2, 0.75];
  close(await page.evaluate((z) => document.getElementById('pad').decode(Float32Array.from(z)).then(Array.from), z), numpyDecode('www/assets/pretrained.safetensors', z), 'decode');
  const [s1, s2] = await page.evaluate(() => Promise.all([1, 2].map(() => document.getElementById('pad').sample(3, 7).then((a) => a.map((x) => Array.from(x))))));
  assert.equal(s1.length, 3);
  assert.ok(s1.every((x) => x.length === 784 && x.every((p) => p >= 0 && p <= 1)));
  assert.deepEqual(s1, s2, 'the same seed gives the same samples');

  // `model` after load('mnist-2d') (the page's script did it): the metrics file the CLI wrote.
  const ref = JSON.parse(readFileSync(join(ROOT, 'www/assets/models/mnist-2d.metrics.json'), 'utf8'));
  const m = await page.evaluate(() => document.getElementById('two').model);
  assert.deepEqual(m.architecture, ref.config);
  assert.equal(m.origin, 'mnist-2d (model zoo)');
  assert.equal(m.parameters, ref.params);
  assert.deepEqual([m.metrics.testElbo, m.metrics.logPx, m.metrics.source], [ref.test_elbo, ref.log_px.value, 'model zoo']);
  assert.deepEqual(errors, []);
  await page.close();
});

const vaeWorkers = (page) => page.workers().filter((w) => /\/dist\/[\w-]*worker\.js/.test(w.url()));

test('removing a widget ends its workers and frees it; inserted again it starts over; the others are untouched', async () => {
  const { page, errors } = await apiPage();
  const saved = (id) => page.evaluate((id) => document.getElementById(id).save().then((b) => Array.from(b.slice(-4096))), id);
  const [pad0, two0] = [await saved('pad'), await saved('two')];
  await page.getByTestId('api-train').click();
  await until(async () => /step [1-9]/.test(await page.getByTestId('progress').innerText()), { timeout: 120_000, what: 'training' });
  assert.ok(vaeWorkers(page).length >= 1, 'the training worker runs');
  // Independent: training one widget moved neither of the others.
  assert.deepEqual(await saved('pad'), pad0);
  assert.deepEqual(await saved('two'), two0);
  assert.notDeepEqual(await saved('trainer'), await page.evaluate(() => fetch('../dist/pretrained.safetensors').then((r) => r.arrayBuffer()).then((b) => Array.from(new Uint8Array(b).slice(-4096)))));

  await page.evaluate(() => {
    window.removed = document.getElementById('trainer');
    window.removed.remove();
  });
  await until(() => vaeWorkers(page).length === 0, { what: 'the workers to end' });
  assert.equal(await page.evaluate(() => window.removed.shadowRoot.childElementCount), 0, 'its panels are gone');
  assert.equal(await rejection(page, 'window.removed.encode(new Float32Array(784))'), 'The widget is not on a page: insert it first (its model starts when it is connected).');
  // The same element, inserted again: a new start (the pretrained model, not training).
  const back = await page.evaluate(async () => {
    const w = document.createElement('vae-playground');
    w.setAttribute('view', 'train');
    document.body.append(w);
    const m = await w.ready;
    w.remove();
    await new Promise((ok) => setTimeout(ok, 50));
    document.body.append(w);
    const again = await w.ready;
    return [m.origin, again.origin, w.shadowRoot.getElementById('train-state').textContent];
  });
  assert.deepEqual(back, ['pretrained', 'pretrained', 'Not training']);
  assert.equal(vaeWorkers(page).length, 0, 'a widget that does not train starts no worker');

  // The posterior map's worker, started when the map is on screen, ends with its widget too.
  await page.evaluate(async () => {
    const w = Object.assign(document.createElement('vae-playground'), { id: 'map' });
    w.setAttribute('view', 'posterior');
    w.setAttribute('model', 'mnist-2d');
    document.body.append(w);
    await w.ready;
  });
  // Scrolled to until it is seen: the panels above it may still be growing.
  const map = page.locator('#map [data-testid="posterior-map"]');
  await until(async () => (await map.scrollIntoViewIfNeeded(), vaeWorkers(page).some((w) => w.url().includes('posterior-worker.js'))), { what: 'the posterior worker' });
  await page.evaluate(() => document.getElementById('map').remove());
  await until(() => vaeWorkers(page).length === 0, { what: 'the posterior worker to end' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('attributes changed at run time: lr reaches the form, view re-renders with the same model, model and latent replace it', async () => {
  const { page, errors } = await apiPage();
  const t = page.locator('#trainer');
  await page.evaluate(() => {
    window.changes = [];
    window.problems = [];
    const w = document.getElementById('trainer');
    w.addEventListener('model-change', (e) => window.changes.push([e.detail.reason, e.detail.model.origin]));
    w.addEventListener('error', (e) => window.problems.push([e.detail.message, e.detail.kind]));
    w.setAttribute('lr', '0.0005');
    w.setAttribute('batch', '50');
  });
  assert.equal(await t.locator('#opt-lr').inputValue(), '0.0005');
  assert.equal(await t.locator('#opt-batch').inputValue(), '50');

  await page.evaluate(() => (window.lastX = Array.from({ length: 784 }, (_, i) => ((i * 37) % 11) / 10)));
  const recon = () => page.evaluate(() => document.getElementById('trainer').reconstruct(Float32Array.from(window.lastX)).then((r) => Array.from(r.reconstruction)));
  const r0 = await recon();
  await page.evaluate(() => document.getElementById('trainer').setAttribute('view', 'draw'));
  await until(() => t.getByTestId('draw-canvas').count(), { what: 'the draw view' });
  assert.equal(await t.getByTestId('train-toggle').count(), 0, 'the training panel is gone');
  assert.deepEqual(await recon(), r0, 'the same model after the view change');

  await page.evaluate(() => document.getElementById('trainer').setAttribute('model', 'mnist-2d'));
  await until(() => page.evaluate(() => window.changes.length === 1), { what: 'model-change' });
  assert.match(await t.locator('#model-origin').innerText(), /^Model: mnist-2d \(model zoo\) · 784-128-2 relu/);
  await page.evaluate(() => document.getElementById('trainer').setAttribute('latent', '3'));
  await until(() => page.evaluate(() => window.changes.length === 2), { what: 'model-change' });
  assert.match(await t.locator('#model-origin').innerText(), /^Model: untrained · 784-128-3 /);
  await page.evaluate(() => document.getElementById('trainer').setAttribute('model', 'nope'));
  await until(() => page.evaluate(() => window.problems.length === 1), { what: 'the error event' });
  assert.match(await t.getByTestId('error').innerText(), /Unknown model "nope"/);
  // A URL that serves something other than a checkpoint (this page's own script): the
  // core refuses the bytes, and the event says which kind of failure it was.
  await page.evaluate(() => document.getElementById('trainer').setAttribute('model', 'api.js'));
  await until(() => page.evaluate(() => window.problems.length === 2), { what: 'the second error event' });
  assert.match(await t.getByTestId('error').innerText(), /^Could not load api\.js: not a safetensors file \(or truncated\/corrupt\): \w+\. The current model is unchanged\./);
  assert.deepEqual(await page.evaluate(() => [window.changes, window.problems.map((p) => p[1]), document.getElementById('trainer').model.architecture.latent]), [
    [['load', 'mnist-2d (model zoo)'], ['architecture', 'untrained']],
    [null, 'BadCheckpoint'],
    3,
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});
