// Refine (per-datapoint SVI from the encoder's q) as a person sees it: the sentence's ELBO
// after is at least the ELBO before, its gap is their difference to the shown precision,
// the numbers are the run's own (rounded to the 0.1 shown), and the refined picture is the
// native decoder's image of the refined q's mean (within 1e-4 · (1 + |native|), as in
// values-reconstruction.test.mjs). Three runs: each click draws a new seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, until } from './helpers.mjs';
import { PRETRAINED, jsonFile, maxRelative, vae } from './native.mjs';
import { assertShows, painted, pixels, tile } from './shown.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** "ELBO -101.3 → -99.8 (+1.5 nats: the amortization gap)" as numbers. */
function parse(s) {
  const m = /^ELBO (-?\d+\.\d) → (-?\d+\.\d) \(([+-]?\d+\.\d) nats: the amortization gap\)$/.exec(s);
  assert.ok(m, `the refine sentence: ${s}`);
  return { before: Number(m[1]), after: Number(m[2]), gap: Number(m[3]) };
}

test('Refine: the ELBO after is at least the one before, the gap shown is their difference, the picture decodes the refined q', async () => {
  const { page, errors } = await openPage(env, '?debug');
  const result = page.locator('#refine-result');
  for (let run = 0; run < 3; run++) {
    await page.getByRole('button', { name: 'Refine' }).click();
    await until(async () => /nats/.test(await result.innerText()) && (await page.evaluate(() => window.__vaeDebug.refinement())) !== null, {
      what: 'the refinement',
    });
    const shown = parse(await result.innerText());
    const raw = await page.evaluate(() => window.__vaeDebug.refinement());
    console.log(`# run ${run}: shown ${JSON.stringify(shown)}, unrounded ${raw.before} → ${raw.after}`);
    assert.ok(raw.after >= raw.before, `ELBO after ${raw.after} < before ${raw.before}`);
    assert.ok(shown.after >= shown.before && shown.gap >= 0, `as shown: ${JSON.stringify(shown)}`);
    // All three are multiples of 0.1, each rounded: their identity holds to one unit.
    assert.ok(Math.abs(shown.gap - (shown.after - shown.before)) <= 0.1 + 1e-9, `gap ${shown.gap} vs ${shown.after} - ${shown.before}`);
    assert.equal(shown.before, Number(raw.before.toFixed(1)));
    assert.equal(shown.after, Number(raw.after.toFixed(1)));
    assert.equal(shown.gap, Number((raw.after - raw.before).toFixed(1)));
    // The refined picture: the decoder's mean at the refined q's mean, natively.
    const [native] = (await vae('decode', '--model', PRETRAINED, '--z', jsonFile('mu.json', raw.mu))).images;
    const values = await painted(page, 'refined');
    assert.ok(maxRelative(values, native) <= 1e-4, `refined picture vs native: ${maxRelative(values, native)}`);
    assertShows(tile(await pixels(page, 'refined'), 0, 1, 0), values, 'refined');
    await until(async () => !(await page.getByRole('button', { name: 'Refine' }).isDisabled()), { what: 'Refine enabled again' });
  }
  assert.deepEqual(errors, []);
  await page.close();
});
