// Native <-> wasm reproducibility: with the same seed and configuration, 20 training steps of
// a fresh 784-64-4 model (batch 50, MNIST, one worker) in the page's training worker give
// the parameters of native `vae train --steps 20`, compared tensor by tensor from the two
// checkpoints (read here by the safetensors format, not by the core).
// - Plain simd128 build (`?wasm=simd`), host path: bit for bit against `--kernel portable`,
//   the same kernel code natively (crates/gemm-shim: every product and addition in the same
//   order, each rounded once, nothing fused).
// - Relaxed build (`?wasm=relaxed`): `f32x4.relaxed_madd` is fused here, one rounding where
//   the native kernel rounds twice, so the bits differ; Adam then turns a gradient entry
//   that is all cancellation (near 0, its sign set by rounding) into a step of up to ~lr
//   either way; measured, no entry did in these 20 steps. Tolerance (README, "Native and
//   wasm: the same bits"): every parameter within 1e-5, 40x the largest difference measured
//   between two kernels (2.4e-7, native gemm 0.19 against the plain build; relaxed 6.0e-8),
//   while one step more or less moves parameters by up to 1e-3.
// - The dfdx path (a second stochastic layer, z2 of 2): dfdx's elementwise ops call the
//   platform's libm (glibc natively, the libm crate in wasm), which differ in the last bit
//   of some exp and log values: the same tolerance (measured: 4.5e-8).
// A negative control: one step fewer fails the tolerance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openPage } from './helpers.mjs';
import { scratch, tensors, vaeText } from './native.mjs';

const STEPS = 20;
const TRAIN = { batch_size: 50, seed: 11 };
const FLAGS = ['--batch', '50', '--seed', '11', '--init', 'glorot', '--test-limit', '100', '--quiet'];
const PATHS = {
  host: { model: { hidden: [64], latent: 4 }, flags: ['--hidden', '64', '--latent', '4'] },
  dfdx: { model: { hidden: [64], latent: 4, latent2: 2 }, flags: ['--hidden', '64', '--latent', '4', '--latent2', '2'] },
};

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const runs = new Map();
/** Native `vae train --steps` with the given kernel: the checkpoint's tensors (each run once). */
function native(path, kernel, steps = STEPS, binarization = 'dynamic') {
  const out = scratch(`${path}-${kernel}-${steps}-${binarization}.safetensors`);
  if (!runs.has(out)) {
    const args = ['train', '--steps', String(steps), '--kernel', kernel, '--binarization', binarization, ...PATHS[path].flags, ...FLAGS, '--out', out];
    runs.set(out, vaeText(...args).then(() => tensors(readFileSync(out))));
  }
  return runs.get(out);
}

/** The page's training worker: the same run, its checkpoint's tensors, and which build and
 * gradient code ran it. */
async function inPage(page, path, binarization = 'dynamic') {
  const request = { model: PATHS[path].model, train: TRAIN, init: 'glorot', binarization, steps: STEPS };
  const r = await page.evaluate(async (req) => {
    const out = await window.__vaeDebug.reproduce(req);
    let s = '';
    for (let i = 0; i < out.checkpoint.length; i += 0x8000) s += String.fromCharCode(...out.checkpoint.subarray(i, i + 0x8000));
    return { ...out, checkpoint: btoa(s) };
  }, request);
  return { ...r, tensors: tensors(Buffer.from(r.checkpoint, 'base64')) };
}

/** Bitwise and numeric differences over every tensor (names and shapes must agree). */
function compare(a, b) {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), 'the same tensors');
  let n = 0, differ = 0, close = 0, max = 0, worst = '';
  for (const name of Object.keys(a)) {
    assert.deepEqual(a[name].shape, b[name].shape, `${name}: shape`);
    const [x, y] = [a[name].values, b[name].values];
    const [xb, yb] = [new Uint32Array(x.buffer), new Uint32Array(y.buffer)];
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      n++;
      if (xb[i] !== yb[i]) differ++;
      if (d <= 1e-5) close++;
      if (d > max) [max, worst] = [d, `${name}[${i}]`];
    }
  }
  return { n, differ, closeShare: close / n, max, worst };
}

/** The tolerance where kernels or libm differ (see the header). */
function assertTolerance(c, what) {
  assert.ok(c.max <= 1e-5, `${what}: max |diff| ${c.max} at ${c.worst} beyond 1e-5`);
}

const show = (c) => `${c.differ} of ${c.n} parameters differ, max |diff| ${c.max.toExponential(2)} (${c.worst}), ${(100 * c.closeShare).toFixed(3)}% within 1e-5`;

test('plain simd128 build: 20 seeded steps give native --kernel portable parameters bit for bit', async () => {
  const { page, errors } = await openPage(env, '?debug&wasm=simd');
  const host = await inPage(page, 'host');
  assert.equal(host.variant, 'plain');
  assert.equal(host.hostPath, true, 'one Gaussian layer trains by the host path');
  const portable = await native('host', 'portable');
  const c = compare(host.tensors, portable);
  console.log(`# simd, host path vs native portable kernel: ${show(c)}`);
  assert.equal(c.differ, 0, `the plain build differs from the native portable kernel: ${show(c)}`);
  const gemm = compare(host.tensors, await native('host', 'gemm'));
  console.log(`# simd, host path vs native gemm 0.19: ${show(gemm)}`);
  assertTolerance(gemm, 'gemm 0.19');
  // Negative control: the run one step short is told apart.
  const short = compare(host.tensors, await native('host', 'portable', STEPS - 1));
  console.log(`# simd vs native one step short: ${show(short)}`);
  assert.throws(() => assertTolerance(short, 'one step short'));

  // A fixed binarization (one draw of the training set, the core's constant seed) is the
  // same data set in both.
  const fixed = compare((await inPage(page, 'host', 'fixed')).tensors, await native('host', 'portable', STEPS, 'fixed'));
  console.log(`# simd, host path, fixed binarization vs native portable kernel: ${show(fixed)}`);
  assert.equal(fixed.differ, 0, `fixed binarization: ${show(fixed)}`);
  assert.ok(compare(host.tensors, await native('host', 'portable', STEPS, 'fixed')).differ > 0, 'the fixed run is another run than the dynamic one');

  const dfdx = await inPage(page, 'dfdx');
  assert.equal(dfdx.hostPath, false, 'a second stochastic layer trains by dfdx');
  const d = compare(dfdx.tensors, await native('dfdx', 'portable'));
  console.log(`# simd, dfdx path vs native portable kernel: ${show(d)}`);
  assertTolerance(d, 'dfdx path');
  assert.deepEqual(errors, []);
  await page.close();
});

test('relaxed build: 20 seeded steps within the stated tolerance of native', async () => {
  const { page, errors } = await openPage(env, '?debug&wasm=relaxed');
  const host = await inPage(page, 'host');
  assert.equal(host.variant, 'relaxed');
  const c = compare(host.tensors, await native('host', 'portable'));
  console.log(`# relaxed, host path vs native portable kernel: ${show(c)}`);
  assertTolerance(c, 'relaxed');
  assert.deepEqual(errors, []);
  await page.close();
});
