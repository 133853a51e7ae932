// Erase and impute as a person sees it, for each of the three erase buttons: the erased
// pixels are the ones the eraser canvas shows red (and exactly the half the button names);
// the observed pixels of the filled-in picture are the input's, bit for bit; every erased
// one is filled in; and on the pretrained model the filled pixels are closer (mean squared
// error over the erased pixels) to the drawing than the mean of the 10,000 MNIST test
// images is, read from the idx file, for the top, bottom and left halves alike. The page
// fills in the average of the decoder's means over the last 50 of 100 iterations of 8
// chains (Rezende et al. 2014, section 6.3; an estimate of E[x_erased | x_kept],
// vae_core::impute). Measured on the example 2, imputed against the mean image: top 0.0705
// / 0.0800, bottom 0.0417 / 0.0628, left 0.0371 / 0.0751. The chain's last single state,
// shown before, failed the top half: 0.128.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './helpers.mjs';
import { meanTestImage } from './native.mjs';
import { assertShows, frames, painted, pixels, tile } from './shown.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('imputation keeps the observed pixels exactly and fills the erased ones better than the mean image', async () => {
  const { page, errors } = await openPage(env, '?debug');
  const mean = meanTestImage();
  const x = await painted(page, 'input-view');
  const halves = { 'Erase top half': (r) => r < 14, 'Erase bottom half': (r) => r >= 14, 'Erase left half': (_, c) => c < 14 };
  for (const [button, erasedAt] of Object.entries(halves)) {
    await page.getByRole('button', { name: button }).click();
    await frames(page);
    // The eraser canvas: erased pixels tinted red (R >= 120, G 20, B 30), kept ones grey.
    const shown = await pixels(page, 'impute-canvas');
    const erased = [];
    for (let i = 0; i < 784; i++) {
      const [r, g, b] = shown.data.slice(4 * i, 4 * i + 3);
      const red = r >= 120 && g === 20 && b === 30;
      assert.ok(red || (r === g && g === b), `pixel ${i} is neither grey nor red`);
      assert.equal(red, erasedAt(Math.floor(i / 28), i % 28), `${button}: pixel ${i}`);
      if (red) erased.push(i);
    }
    const filled = await painted(page, 'imputed');
    assertShows(tile(await pixels(page, 'imputed'), 0, 1, 0), filled, 'imputed');
    for (let i = 0; i < 784; i++) if (!erasedAt(Math.floor(i / 28), i % 28)) assert.equal(filled[i], x[i], `${button}: observed pixel ${i} changed`);
    // The model saw zeros there; a Bernoulli mean is never exactly 0.
    assert.ok(erased.every((i) => filled[i] > 0 && filled[i] <= 1), `${button}: every erased pixel is filled in`);
    const mse = (guess) => erased.reduce((s, i) => s + (guess[i] - x[i]) ** 2, 0) / erased.length;
    console.log(`# ${button}: MSE over ${erased.length} erased pixels: imputed ${mse(filled).toFixed(4)}, mean image ${mse(mean).toFixed(4)}`);
    assert.ok(mse(filled) < mse(mean), `${button}: imputed ${mse(filled)} vs the mean image ${mse(mean)}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
