// The posterior panel in the real page: for a drawing on the latent-2 zoo model the map of
// log p(x, z) is drawn, log p(x) - ELBO is the gap KL(q || p(z|x)) >= 0, and Refine's q
// does not widen it. Above latent 2 the panel says it shows a slice; a two-layer model is
// refused in the panel, without an error banner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { canvasPixels, drawStroke, launch, levels, number, openPage, screenshot, text, until } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** Waits until the map shows the drawing as it is now: two frames first, so that the draw
 * panel's last update (once a frame) has asked for it. */
async function settled(page, what) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const map = page.getByTestId('posterior-map');
  // Clicks on the draw panel scroll it into view; the map computes only on screen.
  await map.scrollIntoViewIfNeeded();
  await until(async () => ['done', 'refused', 'failed'].includes(await map.getAttribute('data-state')), { what });
  return map.getAttribute('data-state');
}

/** The "gap … nats" of the refined q's sentence. */
function refinedGap(s) {
  const m = /gap (-?\d+\.\d+) nats/.exec(s);
  return m ? Number(m[1]) : NaN;
}

test('#model=mnist-2d&view=posterior: the map of a drawing, log p(x), the ELBO and the gap; Refine narrows the gap', async () => {
  const { page, errors } = await openPage(env, '#model=mnist-2d&view=posterior');
  await page.getByRole('button', { name: 'Clear' }).click();
  await until(() => page.locator('#draw-hint').isVisible(), { what: 'the hint' });
  // A "7": across the top, then down to the bottom left.
  await drawStroke(page, 'draw-canvas', [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  assert.equal(await settled(page, 'the posterior map'), 'done', await page.locator('#posterior-map-note').innerText());

  assert.ok(levels(await canvasPixels(page, 'posterior-map')) > 10, 'the map is drawn');
  assert.match(await page.locator('#posterior-map-note').innerText(), /whole posterior/);
  const logpxText = await text(page, 'posterior-logpx');
  assert.match(logpxText, /^log p\(x\) ≈ -\d+\.\d\d nats \(grid\)$/);
  const logpx = number(logpxText);
  const elbo = number(await text(page, 'posterior-elbo'));
  const gap = number(await page.locator('#posterior-gap-encoder').innerText());
  assert.ok(Number.isFinite(logpx) && logpx < 0, `log p(x) = ${logpx}`);
  assert.ok(gap >= 0, `gap ${gap}`);
  // Three numbers rounded to 0.01 each: the identity holds within their rounding.
  assert.ok(Math.abs(logpx - gap - elbo) <= 0.015 + 1e-9, `${logpx} - ${gap} vs ${elbo}`);
  console.log(`# mnist-2d, a drawn 7: log p(x) ${logpx}, ELBO ${elbo}, gap ${gap}`);

  await page.getByRole('button', { name: 'Refine' }).click();
  await page.getByTestId('posterior-map').scrollIntoViewIfNeeded();
  await until(async () => /approximation gap/.test(await text(page, 'posterior-gap-refined')), { timeout: 120_000, what: "the refined q's gap" });
  await settled(page, 'the map with the refined q');
  const refinedText = await text(page, 'posterior-gap-refined');
  const after = number(await page.locator('#posterior-gap-encoder').innerText());
  console.log(`# after Refine: ${await text(page, 'posterior-logpx')} | ${await text(page, 'posterior-elbo')} | ${await text(page, 'posterior-gap')}`);
  const refined = refinedGap(refinedText);
  assert.equal(after, gap, "the encoder's gap is the same: same drawing, same model, quadrature");
  // 200 Adam steps jitter around an optimum the encoder may already have found.
  assert.ok(refined <= gap + 0.05, `refined gap ${refined} vs the encoder's ${gap}`);
  assert.ok(refined >= -0.01, `the refined gap is a KL: ${refined}`);
  assert.match(refinedText, /amortization gap/);
  assert.equal(await page.getByTestId('error').isVisible(), false, 'no error banner');
  await screenshot(page, 'posterior');
  assert.deepEqual(errors, []);
  await page.close();
});

test('above latent 2 the map is a labelled slice; a two-layer model is refused in the panel, not in a banner', async () => {
  const { page, errors } = await openPage(env, '#view=posterior');
  assert.equal(await settled(page, 'the slice'), 'done');
  assert.match(await page.locator('#posterior-map-note').innerText(), /conditional slice.*held at the posterior mean/);
  assert.match(await text(page, 'posterior-logpx'), /\(importance-sampled\)$/);
  assert.ok(levels(await canvasPixels(page, 'posterior-map')) > 10, 'the slice is drawn');
  assert.deepEqual(errors, []);
  await page.close();

  const dlgm = await openPage(env, '#model=mnist-dlgm&view=posterior');
  assert.equal(await settled(dlgm.page, 'the refusal'), 'refused');
  assert.match(await dlgm.page.locator('#posterior-map-note').innerText(), /one-stochastic-layer model/);
  assert.equal(await dlgm.page.getByTestId('error').isVisible(), false, 'no error banner');
  assert.deepEqual(dlgm.errors, []);
  await dlgm.page.close();
});
