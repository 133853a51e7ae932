// The widget's train view and the personal set: with dataset="own" (or "own-mnist", or the
// person choosing "Your data set" in its form) it shows the set's panel, upload, count and
// export, without "Add the drawing" (the view has no pad); with another data set the panel
// is hidden. Served without COOP/COEP, as a blog would serve it (examples/api.html, dist/).
// The reference: the idx pair this test writes from data/mnist and its count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, number, ROOT, until } from './helpers.mjs';
import { ownFiles, range } from './own-files.mjs';

let env;
let own;
before(async () => {
  if (!existsSync(join(ROOT, 'dist/vae-playground.js'))) throw new Error('dist/ missing: run npm run build first');
  env = await launch({ isolate: false });
  own = await ownFiles('vae-widget-own-');
});
after(async () => {
  await env?.close();
  await own?.remove();
});

test('view="train" with dataset="own": the set\'s panel uploads and counts; another data set hides it', async () => {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${env.server.url}examples/api.html`);
  await page.evaluate(() => document.getElementById('trainer').ready);
  const t = page.locator('#trainer');
  const panel = t.locator('section.own-data');
  assert.equal(await panel.isVisible(), false, 'MNIST: no personal-set panel');

  await page.evaluate(() => document.getElementById('trainer').setAttribute('dataset', 'own'));
  await until(() => panel.isVisible(), { what: 'the panel for dataset="own"' });
  assert.equal(await t.getByTestId('dataset').inputValue(), 'own', 'the form shows the data set');
  assert.equal(await t.getByTestId('own-data-add').count(), 0, 'no "Add the drawing" without a pad');
  const n = 7;
  await t.getByTestId('data-upload').setInputFiles((await own.writeIdx(range(n), 'w')).files);
  await until(async () => number(await t.getByTestId('own-data-count').innerText()) === n, { what: `the count of ${n}` });
  assert.equal(await t.locator('.own-thumb').count(), n, 'a thumbnail per image');

  // The person picks MNIST in the widget's form: the panel goes; "mixed into MNIST" brings it back.
  await t.getByTestId('dataset').selectOption('mnist');
  await until(async () => !(await panel.isVisible()), { what: 'the panel to hide' });
  await t.getByTestId('dataset').selectOption('own-mnist');
  await until(() => panel.isVisible(), { what: 'the panel for own-mnist' });
  await t.getByTestId('own-data-clear').click();
  await until(async () => number(await t.getByTestId('own-data-count').innerText()) === 0, { what: 'the set to be emptied' });
  assert.deepEqual(errors, []);
  await page.close();
});
