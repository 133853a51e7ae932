// The latent panel's pictures against the native core's decoder: each interpolation tile
// is the decoding of (1 - t) a + t b, with a the drawing's posterior mean as the native
// encoder computes it; the prior samples of the page's seed are `vae sample --seed`'s (the
// same ChaCha8 normals); the 2-D manifold's tiles are the decodings of the normal quantiles
// Φ⁻¹((i + 1/2) / 15) in `vae sample --manifold`'s order (z1 to the right, z2 up). Values
// within 1e-4 · (1 + |native|) (why: native.mjs's TOL), canvases within one
// grey level of the values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './helpers.mjs';
import { PRETRAINED, TOL, jsonFile, maxRelative, vae, zoo } from './native.mjs';
import { assertShows, frames, painted, pixels, tile } from './shown.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** Each of `count` tiles: the painted values against native's images, the canvas against the values. */
async function assertGrid(page, name, native, cols, gap) {
  const values = await painted(page, name);
  const img = await pixels(page, name);
  assert.equal(values?.length, native.length * 784, `${name}: ${native.length} tiles`);
  let worst = 0;
  for (let t = 0; t < native.length; t++) {
    const v = values.slice(t * 784, (t + 1) * 784);
    worst = Math.max(worst, maxRelative(v, native[t]));
    assertShows(tile(img, t, cols, gap), v, `${name} tile ${t}`);
  }
  console.log(`# ${name}: ${native.length} tiles, largest relative error vs native ${worst.toExponential(2)}`);
  assert.ok(worst <= TOL, `${name}: ${worst} from the native decoder's`);
  return values;
}

test('interpolation ends decode the two codes; prior samples equal native ones for the same seed', async () => {
  const { page, errors } = await openPage(env, '?debug');
  await frames(page);
  const { ends, sampleSeed } = await page.evaluate(() => window.__vaeDebug.latent());
  // End a is "your drawing": the native encoder's mean of the page's input.
  const x = await painted(page, 'input-view');
  const [enc] = (await vae('reconstruct', '--model', PRETRAINED, '--input', jsonFile('x.json', x))).images;
  assert.ok(maxRelative(ends[0], enc.mu) <= TOL, `end a is the drawing's posterior mean: ${maxRelative(ends[0], enc.mu)}`);
  const z = Array.from({ length: 10 }, (_, i) => ends[0].map((a, j) => (1 - i / 9) * a + (i / 9) * ends[1][j]));
  const decoded = (await vae('decode', '--model', PRETRAINED, '--z', jsonFile('z.json', z))).images;
  const values = await assertGrid(page, 'interpolation', decoded, 10, 2);
  // Control: the two ends swapped fail, so a reversed interpolation would be caught.
  assert.ok(maxRelative(values.slice(0, 784), decoded[9]) > 100 * TOL, 'the ends differ');

  // The prior samples: the page's seed, then a person's "Resample" gives another seed.
  assert.equal(sampleSeed, 1);
  const first = await assertGrid(page, 'samples', (await vae('sample', '--model', PRETRAINED, '--n', '64', '--seed', '1')).images, 8, 1);
  await page.getByRole('button', { name: /resample/i }).click();
  await frames(page);
  const again = await page.evaluate(() => window.__vaeDebug.latent().sampleSeed);
  assert.notEqual(again, 1, 'Resample draws a new seed');
  const second = await assertGrid(page, 'samples', (await vae('sample', '--model', PRETRAINED, '--n', '64', '--seed', String(again))).images, 8, 1);
  assert.ok(maxRelative(first, second) > 1e-2, 'new samples');
  assert.deepEqual(errors, []);
  await page.close();
});

test('#model=mnist-2d: the manifold decodes the normal quantiles, z1 across and z2 up', async () => {
  const { page, errors } = await openPage(env, '?debug#model=mnist-2d&view=manifold');
  await page.getByTestId('manifold').waitFor();
  await frames(page);
  const native = await vae('sample', '--model', zoo('mnist-2d'), '--manifold', '--grid', '15');
  // Native's order, checked here against the definition: row r, column c has
  // z = (Φ⁻¹((c + 1/2) / 15), Φ⁻¹(1 - (r + 1/2) / 15)); Φ⁻¹(1/30) = -1.8339146358.
  assert.ok(Math.abs(native.z[0][0] + 1.8339146358) < 1e-6 && Math.abs(native.z[0][1] - 1.8339146358) < 1e-6, `top left ${native.z[0]}`);
  assert.ok(native.z[1][0] > native.z[0][0] && native.z[15][1] < native.z[0][1], 'z1 grows across, z2 falls down the rows');
  const values = await assertGrid(page, 'manifold', native.images, 15, 0);
  // Control: the grid transposed (rows and columns swapped) is far from the page's.
  const swapped = values.slice((1 * 15 + 0) * 784, (1 * 15 + 1) * 784);
  assert.ok(maxRelative(swapped, native.images[1]) > 100 * TOL, 'a transposed grid is caught');
  assert.deepEqual(errors, []);
  await page.close();
});
