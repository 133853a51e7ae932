// Your data set mixed into MNIST: 200 uploaded images, 10% held out, the other 180 repeated
// until they are the chosen share (25%) of the training set beside MNIST's 60,000. The
// reference is the closed form: copies = round(0.25 × 60000 / (0.75 × 180)) = 111.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, number, openPage, text, until } from './helpers.mjs';
import { ownFiles, range } from './own-files.mjs';

let env;
let own;
before(async () => {
  env = await launch();
  own = await ownFiles('vae-own-mix-');
});
after(async () => {
  await env?.close();
  await own?.remove();
});

test('mixed into MNIST at 25%: the training set is as the closed form says, and the held-out ELBO improves', async () => {
  const { page, errors } = await openPage(env, '?debug');
  const n = 200;
  await page.getByTestId('data-upload').setInputFiles((await own.writeIdx(range(n), 'mix')).files);
  await until(async () => number(await text(page, 'own-data-count')) === n, { what: 'the count' });
  await page.getByTestId('dataset').selectOption('own-mnist');
  await page.getByTestId('opt-mix').selectOption('25');
  await page.getByTestId('train-scratch').click();
  await until(async () => /mixed into MNIST/.test(await text(page, 'test-note')), { timeout: 120_000, what: 'the note' });
  const copies = Math.round((0.25 * 60000) / (0.75 * 180));
  const total = 180 * copies + 60000;
  const note = await text(page, 'test-note');
  assert.match(note, /on the 20 images of your data set held out of training/);
  assert.ok(note.includes(`your 180 images ×${copies} mixed into MNIST's 60,000: 25% of ${total.toLocaleString('en')}`), note);
  await until(async () => (await page.evaluate(() => window.__vaeDebug.testCurve())).length >= 3, { timeout: 120_000, what: 'three test ELBO points' });
  const curve = await page.evaluate(() => window.__vaeDebug.testCurve());
  await page.getByTestId('train-toggle').click();
  assert.ok(curve.at(-1)[1] > curve[0][1] + 5, `the held-out ELBO improved: ${curve[0][1].toFixed(1)} → ${curve.at(-1)[1].toFixed(1)}`);
  await page.getByTestId('own-data-clear').click();
  await until(async () => number(await text(page, 'own-data-count')) === 0, { what: 'the set to be emptied' });
  assert.deepEqual(errors, []);
  await page.close();
});
