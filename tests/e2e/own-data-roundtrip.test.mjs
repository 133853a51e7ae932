// Your data set out of the page and a model back in: Export → `vae train --data DIR` (the
// native CLI, an independent trainer) → Load model in the page. The references: the idx
// files the test wrote (the export must be them, byte for byte), the CLI's own report of
// its 90%/10% split, the architecture the CLI was asked for, and the data set it was told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, launch, number, openPage, text, until } from './helpers.mjs';
import { ownFiles, range } from './own-files.mjs';

const VAE = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'debug/vae');
let env;
let own;
before(async () => {
  if (!existsSync(VAE)) throw new Error(`${VAE} missing: run cargo build -p vae-cli first`);
  env = await launch();
  own = await ownFiles('vae-own-rt-');
});
after(async () => {
  await env?.close();
  await own?.remove();
});

test('export → vae train --data → load the model in the page', async () => {
  const { page, errors } = await openPage(env);
  const n = 50;
  const { files, images, labels } = await own.writeIdx(range(n, 100), 'up');
  await page.getByTestId('data-upload').setInputFiles(files);
  await until(async () => number(await text(page, 'own-data-count')) === n, { what: `the count of ${n}` });

  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('own-data-export').click();
  await until(async () => downloads.length === 2, { what: 'the two exported files' });
  const out = join(own.dir, 'export');
  for (const d of downloads) await d.saveAs(join(out, d.suggestedFilename()));
  assert.deepEqual(gunzipSync(await readFile(join(out, 'own-images-idx3-ubyte.gz'))), images, 'the exported images are the uploaded ones');
  assert.deepEqual(gunzipSync(await readFile(join(out, 'own-labels-idx1-ubyte.gz'))), labels, 'and so are the labels');

  const model = join(own.dir, 'native.safetensors');
  const run = spawnSync(VAE, ['train', '--data', out, '--epochs', '3', '--latent', '5', '--hidden', '64', '--seed', '3', '--out', model], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /: 45 train \/ 5 test images/, 'the CLI holds out 10% of 50, as the page does');
  await page.getByTestId('model-upload').setInputFiles(model);
  await until(async () => /native\.safetensors/.test(await page.locator('#model-origin').innerText()), { what: 'the loaded model' });
  // The checkpoint says what it was trained on (metadata dataset: own), and the page says so.
  assert.match(await page.locator('#model-origin').innerText(), /^Model: loaded from native\.safetensors \(trained on your data set\) · 784-64-5 /);
  assert.equal(await page.locator('#opt-latent').inputValue(), '5');
  assert.equal(await page.locator('#opt-hidden').inputValue(), '64');
  assert.deepEqual(errors, []);
  await page.close();
});
