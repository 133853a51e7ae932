// The ELBO's two terms in the training chart: at every test evaluation the page shows
// E_q[log p(x|z)] and KL(q(z|x) || p(z)) beside the test ELBO; rec - KL is the test ELBO
// shown, and at step 0 (the pretrained model, before any update) the terms equal the
// native CLI's (`vae activity`, the core on the same 1000 test images and seed) and the
// ELBO equals `vae eval`'s (a separate computation of the bound). The toggle shows the
// two curves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, openPage, screenshot, text, until } from './helpers.mjs';
import { PRETRAINED, vae } from './native.mjs';
import { elboTerms } from './shown.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** The terms' line under the chart, which must say them. */
function parse(line) {
  const terms = elboTerms(line);
  assert.ok(terms, `the terms' line: ${line}`);
  return terms;
}

test('the test ELBO splits into E_q[log p(x|z)] − KL, as the CLI computes it; the toggle shows both curves', async () => {
  const { page, errors } = await openPage(env, '#workers=1&view=train');
  // The reference, computed while the page loads.
  const native = vae('activity', '--model', PRETRAINED, '--test-limit', '1000', '--seed', '1');
  const evalRef = vae('eval', '--model', PRETRAINED, '--iw', '1', '--test-limit', '1000', '--seed', '1', '--quiet');
  const legend = (label) => page.locator('#chart .u-legend .u-series', { hasText: label });
  assert.match((await legend('test KL').getAttribute('class')) ?? '', /u-off/, 'the terms are hidden by default');

  await page.getByTestId('train-toggle').click();
  const line = page.getByTestId('elbo-terms');
  await until(async () => /at step 0:/.test(await line.innerText()), { timeout: 120_000, what: 'the first test evaluation' });
  const first = parse(await line.innerText());
  await until(async () => parse(await line.innerText()).step > 0, { timeout: 120_000, what: 'a test evaluation after training steps' });
  const later = parse(await line.innerText());
  await page.getByTestId('train-toggle').click();
  await until(async () => (await page.getByTestId('train-toggle').innerText()) === 'Resume training', { what: 'the pause' });

  for (const t of [first, later]) {
    // Three numbers, each rounded to 0.01: the identity holds within their rounding.
    assert.ok(Math.abs(t.rec - t.kl - t.elbo) <= 0.015 + 1e-9, `step ${t.step}: ${t.rec} − ${t.kl} vs ${t.elbo}`);
    assert.ok(t.kl > 0 && t.rec > t.elbo, `step ${t.step}: KL ${t.kl} > 0, so E_q[log p(x|z)] ${t.rec} lies above the bound`);
  }
  const shown = number(await text(page, 'elbo-value'));
  assert.ok(Math.abs(shown - later.elbo) <= 0.05 + 1e-9, `the Test ELBO figure ${shown} is the line's ${later.elbo}`);

  const ref = (await native).terms;
  const refElbo = (await evalRef).elbo;
  // f32 sums over 1000 images in wasm and natively (different matmul kernels): ~1e-4 nats;
  // the page rounds to 0.01.
  const tol = 0.005 + 2e-3;
  assert.ok(Math.abs(first.rec - ref.reconstruction) <= tol, `E_q[log p(x|z)]: page ${first.rec} vs CLI ${ref.reconstruction}`);
  assert.ok(Math.abs(first.kl - ref.kl) <= tol, `KL: page ${first.kl} vs CLI ${ref.kl}`);
  assert.ok(Math.abs(first.elbo - refElbo) <= tol, `ELBO: page ${first.elbo} vs vae eval ${refElbo}`);
  console.log(`# step 0: page ${JSON.stringify(first)}; CLI rec ${ref.reconstruction.toFixed(4)} KL ${ref.kl.toFixed(4)}, vae eval ${refElbo.toFixed(4)}; step ${later.step}: ${JSON.stringify(later)}`);

  await page.getByTestId('chart-terms').check();
  await until(async () => !/u-off/.test((await legend('test KL').getAttribute('class')) ?? ''), { what: 'the KL curve shown' });
  assert.doesNotMatch((await legend('E_q').getAttribute('class')) ?? '', /u-off/);
  await screenshot(page, 'elbo-terms');
  assert.deepEqual(errors, []);
  await page.close();
});
