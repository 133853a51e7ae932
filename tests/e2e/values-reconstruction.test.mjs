// What the draw panel shows, against the native core: for the committed pretrained model,
// the page's input (the preprocessed drawing), its reconstruction and the posterior's mean
// and σ equal `vae reconstruct --input` on the same 784 numbers, and the canvases show
// exactly those values. Tolerance 1e-4 · (1 + |native|) (why: native.mjs's TOL); a
// transposed image, a stale decoder output or another code moves values by 1e-2 or more
// (the controls below).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drawStroke, launch, openPage, until } from './helpers.mjs';
import { assertShows, frames, pixels, tile } from './shown.mjs';
import { PRETRAINED, TOL, jsonFile, maxRelative, vae } from './native.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** A 28x28 canvas shows `values` (to one grey level). */
async function assertCanvasShows(page, name, values) {
  const img = await pixels(page, name);
  assert.equal(img.width * img.height, 784, `${name} is 28x28`);
  assertShows(tile(img, 0, 1, 0), values, name);
}

/** Transposes a 28x28 image (the control: a page that swapped rows and columns). */
const transpose = (x) => x.map((_, i) => x[(i % 28) * 28 + Math.floor(i / 28)]);

async function compareWithNative(page, what) {
  const shown = await page.evaluate(() => ({
    x: window.__vaeDebug.painted('input-view'),
    recon: window.__vaeDebug.painted('reconstruction'),
    q: window.__vaeDebug.posterior(),
  }));
  assert.equal(shown.x?.length, 784, `${what}: the page's input`);
  await assertCanvasShows(page, 'input-view', shown.x);
  await assertCanvasShows(page, 'reconstruction', shown.recon);
  const [native] = (await vae('reconstruct', '--model', PRETRAINED, '--input', jsonFile('x.json', shown.x))).images;
  const errors = {
    reconstruction: maxRelative(shown.recon, native.reconstruction),
    mu: maxRelative(shown.q.mu, native.mu),
    sigma: maxRelative(shown.q.sigma, native.sigma),
  };
  console.log(`# ${what}: largest relative error vs native: ${JSON.stringify(errors)}`);
  for (const [name, e] of Object.entries(errors)) assert.ok(e <= TOL, `${what}: ${name} is ${e} from the native core's`);
  return { shown, native };
}

test("the drawing's reconstruction, posterior mean and σ equal the native core's, and the canvases show them", async () => {
  const { page, errors } = await openPage(env, '?debug');
  // The example "2" the page opens with.
  const first = await compareWithNative(page, 'the example 2');

  // A "7" drawn as a person would: a stale reconstruction of the "2" would fail here.
  await page.getByRole('button', { name: 'Clear' }).click();
  await until(() => page.locator('#draw-hint').isVisible(), { what: 'the hint' });
  await drawStroke(page, 'draw-canvas', [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  await frames(page);
  const seven = await compareWithNative(page, 'a drawn 7');
  assert.ok(maxRelative(seven.shown.recon, first.shown.recon) > 1e-2, 'the reconstruction follows the drawing');

  // The input is upright: a 7's bar is a row across the top third, not a column.
  const x = seven.shown.x;
  const rowInk = Array.from({ length: 28 }, (_, r) => x.slice(r * 28, r * 28 + 28).reduce((s, v) => s + v, 0));
  const colInk = Array.from({ length: 28 }, (_, c) => x.filter((_, i) => i % 28 === c).reduce((s, v) => s + v, 0));
  const top = rowInk.indexOf(Math.max(...rowInk));
  assert.ok(top < 10 && Math.max(...rowInk) > 1.5 * Math.max(...colInk), `the bar is row ${top}: ${rowInk.map((v) => v.toFixed(1))}`);

  // Controls: the native numbers of the transposed drawing, and of the other digit, are far
  // outside the tolerance, so a transposed input or a wrong code would fail the test.
  const [transposed] = (await vae('reconstruct', '--model', PRETRAINED, '--input', jsonFile('xt.json', transpose(x)))).images;
  assert.ok(maxRelative(seven.shown.recon, transposed.reconstruction) > 100 * TOL, 'a transposed input is caught');
  assert.ok(maxRelative(seven.shown.q.mu, first.native.mu) > 100 * TOL, "the other drawing's code is caught");
  assert.equal(await page.getByTestId('error').isVisible(), false, 'no error banner');
  assert.deepEqual(errors, []);
  await page.close();
});
