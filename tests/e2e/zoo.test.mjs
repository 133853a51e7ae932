// The model zoo chosen by name: the page's link (#model=mnist-2d) and the widget's attribute
// (model="mnist-2d") load the named checkpoint (www/assets/models/, scripts/zoo.sh); an
// unknown name is reported and the pretrained model stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canvasPixels, launch, levels, openPage, ROOT, until } from './helpers.mjs';
import { start } from '../../scripts/serve.mjs';

const MODELS = join(ROOT, 'www/assets/models');
/** name -> its metrics file (the architecture the page must show). */
const ZOO = Object.fromEntries(
  readdirSync(MODELS)
    .filter((f) => f.endsWith('.metrics.json'))
    .map((f) => [f.replace('.metrics.json', ''), JSON.parse(readFileSync(join(MODELS, f), 'utf8'))]),
);
const shape = (c) => [c.input_dim, ...c.hidden, c.latent].join('-');

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('#model=mnist-2d opens the 2-D model: latent 2, the manifold drawn', async () => {
  const { page, errors } = await openPage(env, '#model=mnist-2d');
  assert.equal(await page.getByTestId('error').isVisible(), false, 'no error banner');
  assert.match(await page.locator('#model-origin').innerText(), /^Model: mnist-2d \(model zoo\) · 784-128-2 relu, bernoulli decoder$/);
  const manifold = page.getByTestId('manifold');
  assert.equal(await manifold.isVisible(), true, 'the manifold is shown for latent 2');
  assert.ok(levels(await canvasPixels(page, 'manifold')) > 10, 'the manifold is drawn');
  assert.doesNotMatch(await page.locator('#manifold-note').innerText(), /latent dimensions/);
  assert.match(page.url(), /model=mnist-2d/, 'the link still names the model');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every zoo checkpoint loads by its name, with its architecture and data set', async () => {
  assert.deepEqual(Object.keys(ZOO).sort(), ['fashion-10d', 'mnist-10d', 'mnist-2d', 'mnist-dlgm']);
  for (const [name, m] of Object.entries(ZOO)) {
    const { page, errors } = await openPage(env, `#model=${name}`);
    const line = await page.locator('#model-origin').innerText();
    const z2 = m.config.latent2 ? ` (+ z2 of ${m.config.latent2})` : '';
    assert.ok(line.startsWith(`Model: ${name} (model zoo) · ${shape(m.config)}${z2} `), `${name}: ${line}`);
    assert.equal(await page.locator('#opt-dataset').inputValue(), m.dataset, `${name} continues training on its data set`);
    assert.ok(levels(await canvasPixels(page, 'samples')) > 10, `${name}: samples drawn`);
    assert.deepEqual(errors, [], name);
    await page.close();
  }
});

test('an unknown model name is reported; the pretrained model stays', async () => {
  const { page, errors } = await openPage(env, '#model=no-such-model');
  assert.match(await page.getByTestId('error').innerText(), /Unknown model "no-such-model": the models are default, mnist-2d, .*Keeping the pretrained model\./);
  assert.match(await page.locator('#model-origin').innerText(), /^Pretrained on MNIST · 784-256-10 /);
  assert.ok(levels(await canvasPixels(page, 'reconstruction')) > 10, 'the pretrained model works');
  assert.deepEqual(errors, []);
  await page.close();
});

test('editing model= in the hash at run time loads that model; an unknown name keeps it', async () => {
  const { page, errors } = await openPage(env);
  const origin = page.locator('#model-origin');
  assert.match(await origin.innerText(), /^Pretrained on MNIST · 784-256-10 /);
  await page.evaluate(() => (location.hash = '#model=mnist-2d'));
  await until(async () => /^Model: mnist-2d \(model zoo\) · 784-128-2 /.test(await origin.innerText()), { what: 'the 2-D model' });
  assert.equal(await page.getByTestId('manifold').isVisible(), true, 'the manifold is shown for latent 2');
  assert.equal(await page.locator('#opt-latent').inputValue(), '2');
  await page.evaluate(() => (location.hash = '#model=mnist-3d'));
  await until(() => page.getByTestId('error').isVisible(), { what: 'the message' });
  assert.match(await page.getByTestId('error').innerText(), /Unknown model "mnist-3d": .*Keeping the current model\./);
  assert.match(await origin.innerText(), /^Model: mnist-2d \(model zoo\) · 784-128-2 /);
  assert.match(page.url(), /#model=mnist-2d(&|$)/, 'the link names the model on screen');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a checkpoint linked by URL is trained on the data set its metadata names', async () => {
  const { page, errors } = await openPage(env);
  // fashion-10d by its file's URL, not its zoo name: only the checkpoint can say what it saw.
  const url = await page.evaluate(() => new URL('models/fashion-10d.safetensors', document.querySelector('script[type="module"]').src).href);
  await page.evaluate((u) => (location.hash = `#model=${encodeURIComponent(u)}`), url);
  const origin = page.locator('#model-origin');
  await until(async () => /^Model: loaded from fashion-10d\.safetensors/.test(await origin.innerText()), { what: 'the linked model' });
  assert.match(await origin.innerText(), /^Model: loaded from fashion-10d\.safetensors \(trained on Fashion-MNIST\) · 784-128-10 /);
  assert.equal(await page.locator('#opt-dataset').inputValue(), 'fashion-mnist', 'training continues on its data set');
  assert.equal(await page.getByTestId('error').isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the widget: model="mnist-2d" draws its manifold; an unknown name is reported in that widget only', async () => {
  assert.ok(existsSync(join(ROOT, 'dist/models/mnist-2d.safetensors')), 'dist/ has the zoo: run npm run build');
  const dir = await mkdtemp(join(tmpdir(), 'vae-zoo-'));
  await cp(join(ROOT, 'dist'), join(dir, 'lib/vae'), { recursive: true });
  await writeFile(
    join(dir, 'zoo.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>zoo</title><link rel="icon" href="data:,">
<script type="module" src="lib/vae/vae-playground.js"></script></head><body>
<vae-playground id="two" view="manifold" model="mnist-2d"></vae-playground>
<vae-playground id="bad" view="samples" model="mnist-3d"></vae-playground>
</body></html>`,
  );
  const site = await start(0, dir, { isolate: false });
  try {
    const page = await env.context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`));
    await page.goto(`${site.url}zoo.html`);
    await page.evaluate(() => customElements.whenDefined('vae-playground').then(() => Promise.all([...document.querySelectorAll('vae-playground')].map((w) => w.ready))));
    const [two, bad] = [page.locator('#two'), page.locator('#bad')];
    assert.match(await two.locator('#model-origin').innerText(), /mnist-2d \(model zoo\) · 784-128-2 /);
    assert.equal(await two.getByTestId('manifold').isVisible(), true);
    const manifold = await two.getByTestId('manifold').evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data));
    assert.ok(levels(manifold) > 10, 'the manifold is drawn');
    assert.equal(await two.getByTestId('error').isVisible(), false);
    assert.match(await bad.getByTestId('error').innerText(), /Unknown model "mnist-3d"/);
    assert.match(await bad.locator('#model-origin').innerText(), /^Pretrained on MNIST · 784-256-10 /);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  }
});
