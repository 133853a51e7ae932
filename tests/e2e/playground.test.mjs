// The page, driven as a person would: open it, draw, train, watch, save and load.
// One browser for the file (pages are cheap, browsers are not on 2 cores); each test opens
// its own page and asserts that no console error or page error occurred.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canvasPixels, difference, drawStroke, launch, levels, openPage, screenshot, until, number, text } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('opens with the pretrained model: reconstruction, traversal and samples drawn, no errors', async () => {
  const { page, errors } = await openPage(env);
  assert.equal(await page.getByTestId('error').isVisible(), false, 'no error banner');
  for (const id of ['reconstruction', 'traversal', 'samples', 'interpolation']) {
    assert.ok(levels(await canvasPixels(page, id)) > 10, `${id} canvas is not blank`);
  }
  assert.match(await page.locator('#model-origin').innerText(), /Pretrained/);
  await screenshot(page, 'open');
  assert.deepEqual(errors, []);
  await page.close();
});

test('drawing a stroke changes the reconstruction; an empty canvas shows a hint', async () => {
  const { page, errors } = await openPage(env);
  const before = await canvasPixels(page, 'reconstruction');
  await page.getByRole('button', { name: 'Clear' }).click();
  await until(async () => page.locator('#draw-hint').isVisible(), { what: 'the hint' });
  // A "7": across the top, then down to the bottom left.
  await drawStroke(page, 'draw-canvas', [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  const after = await until(async () => {
    const px = await canvasPixels(page, 'reconstruction');
    return difference(px, before) > 1000 && px;
  }, { what: 'the reconstruction to change' });
  assert.ok(levels(after) > 10);
  assert.equal(await page.locator('#draw-hint').isVisible(), false);
  await screenshot(page, 'drawn');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the traversal animates', async () => {
  const { page, errors } = await openPage(env);
  const first = await canvasPixels(page, 'traversal');
  await until(async () => difference(await canvasPixels(page, 'traversal'), first) > 1000, { what: 'the traversal to move' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('refine reports the amortization gap; imputation fills an erased half', async () => {
  const { page, errors } = await openPage(env);
  await page.getByRole('button', { name: 'Refine' }).click();
  const result = await until(async () => {
    const t = await page.locator('#refine-result').innerText();
    return /amortization gap/.test(t) && t;
  }, { what: 'the refinement' });
  assert.match(result, /ELBO -?\d+\.\d → -?\d+\.\d \([+-]\d+\.\d nats/);
  const filled = await canvasPixels(page, 'imputed');
  await page.getByRole('button', { name: 'Erase bottom half' }).click();
  await until(async () => difference(await canvasPixels(page, 'imputed'), filled) > 0, { what: 'the imputation' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a corrupt model file shows an error and the current model keeps working', async () => {
  const { page, errors } = await openPage(env);
  await page.getByTestId('model-upload').setInputFiles({ name: 'bad.safetensors', mimeType: 'application/octet-stream', buffer: randomBytes(4096) });
  const banner = page.getByTestId('error');
  await until(() => banner.isVisible(), { what: 'the error banner' });
  assert.match(await banner.innerText(), /Could not load "bad\.safetensors": .+\. The current model is unchanged\./);
  const before = await canvasPixels(page, 'reconstruction');
  await drawStroke(page, 'draw-canvas', [[0.15, 0.5], [0.85, 0.5]]);
  await until(async () => difference(await canvasPixels(page, 'reconstruction'), before) > 1000, { what: 'the reconstruction to update' });
  await screenshot(page, 'bad-upload');
  assert.deepEqual(errors, []);
  await page.close();
});

/** The pretrained checkpoint with its metadata's config edited: the tensors no longer fit. */
async function mismatchedCheckpoint(edit) {
  const bytes = await readFile(new URL('../../www/assets/pretrained.safetensors', import.meta.url));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const config = JSON.parse(header.__metadata__.config);
  edit(config);
  header.__metadata__.config = JSON.stringify(config);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, bytes.subarray(8 + n)]);
}

test('a checkpoint of another architecture is refused by name and the model keeps working', async () => {
  const { page, errors } = await openPage(env);
  const upload = (name, buffer) => page.getByTestId('model-upload').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
  const banner = page.getByTestId('error');
  // Metadata says 20 latent dimensions, the tensors hold 10.
  await upload('wrong-shape.safetensors', await mismatchedCheckpoint((c) => (c.latent = 20)));
  await until(() => banner.isVisible(), { what: 'the error banner' });
  assert.match(await banner.innerText(), /"wrong-shape\.safetensors": tensor 'encoder\.mu\.weight' has shape \[256, 10\], expected \[256, 20\]\. The current model is unchanged\./);
  assert.match(await page.locator('#model-origin').innerText(), /784-256-10/);
  const before = await canvasPixels(page, 'reconstruction');
  await drawStroke(page, 'draw-canvas', [[0.5, 0.15], [0.5, 0.85]]);
  await until(async () => difference(await canvasPixels(page, 'reconstruction'), before) > 1000, { what: 'the reconstruction to update' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a saved model downloads and loads back', async () => {
  const { page, errors } = await openPage(env);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-save').click()]);
  assert.match(download.suggestedFilename(), /\.safetensors$/);
  const bytes = await readFile(await download.path());
  assert.ok(bytes.length > 100_000, `checkpoint of ${bytes.length} bytes`);
  const header = Number(bytes.readBigUInt64LE(0));
  assert.ok(JSON.parse(bytes.subarray(8, 8 + header).toString()).__metadata__, 'a safetensors header with metadata');
  await page.getByTestId('model-upload').setInputFiles({ name: 'saved.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await until(async () => /saved\.safetensors/.test(await page.locator('#model-origin').innerText()), { what: 'the load' });
  assert.equal(await page.getByTestId('error').isVisible(), false);
  assert.ok(levels(await canvasPixels(page, 'reconstruction')) > 10);
  assert.deepEqual(errors, []);
  await page.close();
});

test('training: start/pause continues the pretrained model; from scratch the test ELBO climbs', async () => {
  const { page, errors } = await openPage(env);
  const toggle = page.getByTestId('train-toggle');
  const step = async () => number(await text(page, 'step-value'));

  // Continue the pretrained model: the step counter moves, then pausing stops it.
  await toggle.click();
  await until(async () => (await step()) > 0, { timeout: 120_000, what: 'training to start (data download)' });
  const s1 = await step();
  await until(async () => (await step()) > s1, { what: 'the step to advance' });
  await toggle.click();
  await until(async () => (await toggle.innerText()) === 'Resume training', { what: 'the pause' });
  await until(async () => /\d/.test(await text(page, 'elbo-value')), { what: 'a test ELBO' });
  await page.waitForTimeout(500); // a slice in flight when pausing may still report
  const paused = await step();
  await page.waitForTimeout(1000);
  assert.equal(await step(), paused, 'no steps while paused');

  // From scratch the bound climbs fast: read the test ELBO a few times while it trains.
  await page.getByTestId('train-scratch').click();
  const readings = [];
  await until(async () => {
    const v = number(await text(page, 'elbo-value'));
    if (Number.isFinite(v) && v !== readings.at(-1)) readings.push(v);
    return readings.length >= 4;
  }, { timeout: 120_000, interval: 500, what: 'four test ELBO readings' });
  assert.ok(readings.at(-1) > readings[0], `test ELBO rose: ${readings.join(' → ')}`);
  assert.ok(readings.at(-1) < 0, 'an ELBO is a log-probability bound, negative here');
  // Pause and resume with the toggle: the epoch counter keeps moving afterwards.
  await toggle.click();
  await until(async () => (await toggle.innerText()) === 'Resume training', { what: 'the pause' });
  const epoch = number(await text(page, 'epoch-value'));
  await toggle.click();
  await until(async () => number(await text(page, 'epoch-value')) > epoch, { what: 'the epoch to advance' });
  await screenshot(page, 'training');
  await toggle.click();
  assert.deepEqual(errors, []);
  await page.close();
});
