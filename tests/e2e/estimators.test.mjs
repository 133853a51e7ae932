// The estimator lab in the real page: a person draws, presses Measure, and the table's
// variances and means equal the native CLI's (`vae estimators --image`, the independent
// reference) for the same checkpoint, the same 8-bit image (the PNG the lab offers) and
// the same seed; and the paper's claim is what the table shows: at every L both score-
// function estimators' variance exceeds both reparameterised ones', and variance falls with
// L roughly as 1/L.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drawStroke, launch, openPage, screenshot, until } from './helpers.mjs';
// native.mjs runs the release build: 800 encoder gradients per estimator at L = 64 take
// ~20 s in an unoptimised vae-core, ~2 s optimised.
import { PRETRAINED, scratch, vae } from './native.mjs';

const ESTIMATORS = ['sgvb-b', 'sgvb-a', 'score', 'score-baseline'];
const REPETITIONS = 20;

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** The table `id` as { estimator: { L: text } }. */
function readTable(page, id) {
  return page.evaluate((id) => {
    const out = {};
    for (const td of document.querySelectorAll(`#${id} td`)) {
      (out[td.dataset.estimator] ??= {})[td.dataset.samples] = td.textContent;
    }
    return out;
  }, id);
}

/** Relative difference, against the larger magnitude. */
const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

test('Measure: the variances and means equal `vae estimators` on the same image and seed; score > reparameterised at every L', async () => {
  const { page, errors } = await openPage(env, '#view=estimators');
  await page.getByRole('button', { name: 'Clear' }).click();
  // A "7": across the top, then down to the bottom left.
  await drawStroke(page, 'draw-canvas', [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  await page.locator('#lab-repetitions').selectOption(String(REPETITIONS));
  await page.locator('#lab-seed').fill('1');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Measure' }).click();
  const chart = page.getByTestId('estimator-variance');
  // Progress is shown while it runs.
  await until(async () => /Measuring L = \d+/.test(await page.locator('#lab-status').innerText()), { what: 'progress' });
  await until(async () => ['done', 'refused', 'failed'].includes(await chart.getAttribute('data-state')), { timeout: 180_000, what: 'the measurement' });
  assert.equal(await chart.getAttribute('data-state'), 'done', await page.locator('#lab-status').innerText());

  const seconds = (Date.now() - t0) / 1000;
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#lab-image').click()]);
  const png = scratch('measured.png');
  await download.saveAs(png);
  const native = (await vae('estimators', '--model', PRETRAINED, '--image', png, '--repetitions', String(REPETITIONS), '--seed', '1')).estimators;

  const variances = await readTable(page, 'estimator-table');
  const means = await readTable(page, 'estimator-means');
  const Ls = [1, 2, 4, 8, 16, 32, 64];
  let worst = 0;
  for (const L of Ls) {
    for (const e of ESTIMATORS) {
      const ref = native.find((s) => s.samples === L && s.estimator === e);
      const shown = Number(variances[e][L]);
      // Same noise, same image, same weights: the only differences are f32 rounding in
      // the wasm and native matmul kernels (different summation orders), ~1e-6 relative
      // per gradient, plus the table's 4 significant digits (5e-4 relative at worst).
      // 2e-3 leaves room for the score function's weights f - b, differences of two
      // log-densities of ~100 nats each that amplify f32 rounding by ~100.
      const d = rel(shown, ref.mean_param_variance);
      worst = Math.max(worst, d);
      assert.ok(d < 2e-3, `${e} at L = ${L}: page ${shown} vs CLI ${ref.mean_param_variance}`);
      const [m, se] = means[e][L].split('±').map(Number);
      const refSe = Math.sqrt(ref.projection_variance / ref.repetitions);
      // The projected mean can be near 0: compare against its own standard error's scale.
      assert.ok(Math.abs(m - ref.projection_mean) <= 2e-3 * Math.max(Math.abs(ref.projection_mean), refSe), `${e} mean at L = ${L}: ${m} vs ${ref.projection_mean}`);
      assert.ok(rel(se, refSe) < 2e-3, `${e} standard error at L = ${L}: ${se} vs ${refSe}`);
    }
    const v = (e) => Number(variances[e][L]);
    // AEVB section 2.2: the score function's variance is far above the reparameterised ones'.
    for (const score of ['score', 'score-baseline']) {
      for (const rep of ['sgvb-b', 'sgvb-a']) assert.ok(v(score) > v(rep), `L = ${L}: ${score} ${v(score)} vs ${rep} ${v(rep)}`);
    }
  }
  // Variance falls with L: 64 times the samples, for the reparameterised estimators
  // (independent samples) between a 16th and a 256th of the variance at L = 1 (≈ 1/64),
  // with 20 repetitions' sampling error of a variance (±~45% at 2 sigma) on each end.
  for (const e of ['sgvb-b', 'sgvb-a', 'score']) {
    const ratio = Number(variances[e][64]) / Number(variances[e][1]);
    assert.ok(ratio > 1 / 256 && ratio < 1 / 16, `${e}: var(L=64)/var(L=1) = ${ratio}`);
  }
  // The estimators are unbiased for the same gradient: at L = 64 the reparameterised means
  // agree within 4 combined standard errors.
  const [b, a] = ['sgvb-b', 'sgvb-a'].map((e) => means[e][64].split('±').map(Number));
  assert.ok(Math.abs(b[0] - a[0]) <= 4 * Math.hypot(b[1], a[1]), `means ${b} vs ${a}`);
  console.log(`# estimator lab (${seconds.toFixed(1)} s in the page) vs vae estimators: worst relative difference ${worst.toExponential(2)}; ${await page.locator('#lab-summary').innerText()}`);

  // A new drawing dates the figures (Clear scrolls the pad into view first).
  await page.getByRole('button', { name: 'Clear' }).click();
  await drawStroke(page, 'draw-canvas', [[0.5, 0.3], [0.5, 0.8]]);
  await until(async () => (await chart.getAttribute('data-state')) === 'stale', { what: 'stale figures' });
  assert.match(await page.locator('#lab-status').innerText(), /the drawing changed/);
  await screenshot(page, 'estimators');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a two-layer model is refused in the panel with the reason, not in a banner', async () => {
  const { page, errors } = await openPage(env, '#model=mnist-dlgm&view=estimators');
  await page.getByRole('button', { name: 'Measure' }).click();
  const chart = page.getByTestId('estimator-variance');
  await until(async () => ['done', 'refused', 'failed'].includes(await chart.getAttribute('data-state')), { what: 'the answer' });
  assert.equal(await chart.getAttribute('data-state'), 'refused');
  assert.match(await page.locator('#lab-status').innerText(), /one-stochastic-layer models/);
  assert.equal(await page.getByTestId('error').isVisible(), false, 'no error banner');
  assert.deepEqual(errors, []);
  await page.close();
});
