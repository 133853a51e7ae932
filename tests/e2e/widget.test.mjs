// The embeddable <vae-playground> widget (dist/, from `npm run build`) and the page's
// shareable URL state. Everything here is served WITHOUT COOP/COEP, as an ordinary blog or
// static host would serve it: the repo root (the tutorial, index.html) and a temporary site
// holding a copy of dist/ under another path, to prove the folder works wherever it is put.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { difference, launch, levels, RESULTS, ROOT, until, number } from './helpers.mjs';
import { start } from '../../scripts/serve.mjs';
import { PAGES } from './widget-pages.mjs';

let env;
let site; // the temporary static site: { server, dir }

before(async () => {
  for (const f of ['dist/vae-playground.js', 'dist/worker.js', 'dist/pkg/vae_wasm_bg.wasm', 'dist/pkg/vae_wasm_relaxed_bg.wasm', 'dist/pretrained.safetensors']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} missing: run npm run build first`);
  }
  env = await launch({ isolate: false });
  const dir = await mkdtemp(join(tmpdir(), 'vae-site-'));
  // Deeper than dist/ sits in the repo: every URL the widget needs must follow the module.
  await cp(join(ROOT, 'dist'), join(dir, 'lib/vae'), { recursive: true });
  for (const [name, text] of Object.entries(PAGES)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  site = { dir, server: await start(0, dir, { isolate: false }) };
});

after(async () => {
  await env?.close();
  await site?.server.close();
  if (site) await rm(site.dir, { recursive: true, force: true });
});

/** Opens url, records problems (console errors, page errors, failed or 4xx/5xx requests)
 * and waits until every widget on the page (or in the iframe `frame`) is ready. */
async function open(url, { frame = null, widgets = true } = {}) {
  const page = await env.context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(url);
  const target = frame ? await (await page.waitForSelector(frame)).contentFrame() : page;
  if (widgets) await allReady(target);
  return { page, errors, requests };
}

function allReady(frame) {
  return frame.evaluate(
    () => customElements.whenDefined('vae-playground').then(() => Promise.all([...document.querySelectorAll('vae-playground')].map((w) => w.ready))),
    null,
    { timeout: 60_000 },
  );
}

/** RGBA of a canvas found by a (shadow-piercing) locator. */
const pixels = (locator) => locator.evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data));

async function stroke(page, locator, points) {
  const box = await locator.boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}

const shot = (locator, name) => locator.screenshot({ path: join(RESULTS, `${name}.png`) });

test('the tutorial loads from dist/ with no errors, and every widget in its prose draws', async () => {
  const { page, errors } = await open(`${env.server.url}examples/tutorial.html`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false, 'served without COOP/COEP');
  const widgets = page.locator('vae-playground');
  assert.ok((await widgets.count()) >= 3, 'at least three widgets');
  const views = await widgets.evaluateAll((ws) => ws.map((w) => w.getAttribute('view')));
  assert.deepEqual(views, ['draw', 'train', 'traverse', 'interpolate']);
  // The snippet to copy names the module and the element.
  const snippet = await page.locator('pre').innerText();
  assert.match(snippet, /<script type="module" src="[^"]*vae-playground\.js"><\/script>/);
  assert.match(snippet, /<vae-playground view="\w+"[^>]*><\/vae-playground>/);

  const [draw, train, traverse, interp] = [0, 1, 2, 3].map((i) => widgets.nth(i));
  assert.ok(levels(await pixels(draw.locator('[data-testid="reconstruction"]'))) > 10, 'draw: reconstruction');
  assert.ok(levels(await pixels(traverse.locator('[data-testid="traversal"]'))) > 10, 'traverse: traversal');
  assert.ok(levels(await pixels(interp.locator('[data-testid="interpolation"]'))) > 10, 'interpolate: interpolation');
  // latent="2": an untrained 2-D model, whose manifold shows at once.
  assert.match(await train.locator('#model-origin').innerText(), /untrained · 784-\d+-2 /);
  assert.equal(await train.locator('#opt-latent').inputValue(), '2');
  const manifold = train.locator('[data-testid="manifold"]');
  assert.ok(await manifold.isVisible(), 'the manifold grid is shown for latent = 2');
  assert.deepEqual(await manifold.evaluate((c) => [c.width, c.height]), [420, 420]);
  assert.ok(levels(await pixels(train.locator('[data-testid="samples"]'))) > 10, 'train: samples');

  await page.screenshot({ path: join(RESULTS, 'tutorial.png'), fullPage: true });
  for (const [w, name] of [[draw, 'draw'], [train, 'train'], [traverse, 'traverse'], [interp, 'interpolate']]) {
    await w.scrollIntoViewIfNeeded();
    await shot(w, `widget-${name}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('dist/ copied to another folder of another site: everything loads relative to the module, and it trains', async () => {
  const { page, errors, requests } = await open(`${site.server.url}copy.html`);
  const w = page.locator('#trainer');
  // autoplay: training starts without a click; the worker, the data and the wasm follow the module.
  await until(async () => number(await w.locator('[data-testid="step-value"]').innerText()) > 0, { timeout: 120_000, what: 'training in the copied dist' });
  const own = (part) => requests.filter((u) => u.includes(part));
  // _bg.wasm: either build; where the browser has relaxed SIMD it loads vae_wasm_relaxed_bg.wasm.
  for (const part of ['_bg.wasm', 'pretrained.safetensors', 'worker.js']) {
    assert.ok(own(part).length > 0, `${part} was requested`);
    for (const u of own(part)) assert.match(u, /\/lib\/vae\//, `${u} is next to the module`);
  }
  // The page's own downloads (the training worker has its own instance, fetched in the worker).
  const fetched = (part) => page.evaluate((p) => performance.getEntriesByType('resource').filter((e) => e.name.includes(p)).length, part);
  assert.equal(await fetched('.wasm'), 1, 'one wasm module for both widgets');
  assert.equal(await fetched('pretrained.safetensors'), 1, 'the checkpoint is downloaded once for both widgets');
  assert.ok(levels(await pixels(page.locator('#drawer [data-testid="reconstruction"]'))) > 10);
  // height="600": the widget is that tall and scrolls inside; the attribute stays live.
  assert.equal(await w.evaluate((e) => e.getBoundingClientRect().height), 600);
  await w.evaluate((e) => e.setAttribute('height', '30em'));
  assert.equal(await w.evaluate((e) => getComputedStyle(e).height), '480px');
  await w.locator('[data-testid="train-toggle"]').click(); // pause
  await shot(w, 'widget-copied-train');
  assert.deepEqual(errors, []);
  await page.close();
});

test('model="...": a checkpoint named by the page loads; a missing one is reported in that widget only', async () => {
  const { page, errors } = await open(`${site.server.url}models.html`);
  const [named, missing, plain] = ['#named', '#missing', '#plain'].map((s) => page.locator(s));
  // Not a zoo name: the data set is the one the checkpoint's metadata names.
  assert.match(await named.locator('#model-origin').innerText(), /loaded from pretrained\.safetensors \(trained on MNIST\) · 784-256-10/);
  assert.ok(levels(await pixels(named.locator('[data-testid="samples"]'))) > 10);
  // The missing file: a message in its own banner, and an untrained model of the asked-for shape.
  assert.match(await missing.getByTestId('error').innerText(), /no\/such\.safetensors did not load \(HTTP 404\)/);
  assert.match(await missing.locator('#model-origin').innerText(), /untrained · 784-\d+-2 /);
  assert.ok(levels(await pixels(missing.locator('[data-testid="manifold"]'))) > 10);
  for (const w of [named, plain]) assert.equal(await w.getByTestId('error').isVisible(), false);
  // The only errors are the browser's own report of that 404.
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
  await page.close();
});

test('a widget inside an iframe works: it draws and follows a stroke', async () => {
  const { page, errors } = await open(`${site.server.url}frame.html`, { frame: 'iframe' });
  const frame = page.frameLocator('iframe');
  const recon = frame.locator('[data-testid="reconstruction"]');
  const first = await pixels(recon);
  assert.ok(levels(first) > 10);
  await frame.locator('#clear-button').click();
  await stroke(page, frame.locator('[data-testid="draw-canvas"]'), [[0.5, 0.15], [0.5, 0.85]]);
  await until(async () => difference(await pixels(recon), first) > 1000, { what: 'the reconstruction in the iframe' });
  await page.screenshot({ path: join(RESULTS, 'widget-iframe.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('two widgets on one page are independent: drawing and training one leaves the other as it was', async () => {
  const { page, errors } = await open(`${site.server.url}two.html`);
  const [d1, d2, t1, t2] = ['#d1', '#d2', '#t1', '#t2'].map((s) => page.locator(s));
  const recon = (w) => pixels(w.locator('[data-testid="reconstruction"]'));
  const samples = (w) => pixels(w.locator('[data-testid="samples"]'));
  const d2Before = await recon(d2);
  const d1Before = await recon(d1);
  assert.equal(difference(d1Before, d2Before), 0, 'same model, same example digit');
  assert.equal(page.workers().length, 0, 'no worker while nobody trains');

  await d1.locator('#clear-button').click();
  await stroke(page, d1.locator('[data-testid="draw-canvas"]'), [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  await until(async () => difference(await recon(d1), d1Before) > 1000, { what: 'the first widget to follow its drawing' });
  assert.equal(await d2.locator('#draw-hint').isVisible(), false, 'clearing one canvas left the other alone');

  const t1Before = await samples(t1);
  const t2Before = await samples(t2);
  assert.equal(difference(t1Before, t2Before), 0);
  await t1.locator('[data-testid="train-toggle"]').click();
  await until(async () => number(await t1.locator('[data-testid="step-value"]').innerText()) > 10, { timeout: 120_000, what: 't1 to train' });
  await until(async () => difference(await samples(t1), t1Before) > 1000, { what: "t1's samples to move with its model" });
  await t1.locator('[data-testid="train-toggle"]').click();
  // One training worker: t1's (K - 1 gradient workers besides on a bigger machine).
  assert.equal(page.workers().filter((w) => w.url().endsWith('/worker.js')).length, 1);
  assert.equal(await t2.locator('[data-testid="step-value"]').innerText(), '—');
  assert.equal(difference(await samples(t2), t2Before), 0, "t2's model did not move");
  assert.equal(difference(await recon(d2), d2Before), 0, "d2's reconstruction did not change");
  await page.screenshot({ path: join(RESULTS, 'widget-two.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("CSS does not leak: the host's rules stay out of the widget, the widget's out of the host", async () => {
  const { page, errors } = await open(`${site.server.url}leak.html`);
  const w = page.locator('#w');
  const style = (loc, props) => loc.evaluate((e, ps) => Object.fromEntries(ps.map((p) => [p, getComputedStyle(e)[p]])), props);
  // canvas { border: 10px solid red !important }, button { color: red !important } and an
  // inherited 30px monospace on body do not reach inside.
  const canvas = await style(w.locator('[data-testid="reconstruction"]'), ['borderTopWidth', 'borderTopColor']);
  assert.equal(canvas.borderTopWidth, '1px');
  assert.notEqual(canvas.borderTopColor, 'rgb(255, 0, 0)');
  const button = await style(w.locator('#clear-button'), ['color', 'backgroundColor', 'fontFamily']);
  assert.notEqual(button.color, 'rgb(255, 0, 0)');
  assert.notEqual(button.backgroundColor, 'rgb(255, 255, 0)');
  const heading = await style(w.locator('h2'), ['color', 'fontFamily', 'fontSize', 'letterSpacing']);
  assert.notEqual(heading.color, 'rgb(0, 128, 0)');
  assert.match(heading.fontFamily, /system-ui/);
  assert.equal(heading.fontSize, '19.2px'); // 1.2rem of a 16px root
  assert.equal(heading.letterSpacing, 'normal');
  assert.equal(await w.locator('.panel').first().isVisible(), true, '.panel { display: none } stays outside');

  // The host page's own elements look exactly as on the same page without the widget.
  const props = ['color', 'backgroundColor', 'fontSize', 'fontFamily', 'borderTopWidth', 'paddingTop', 'boxSizing', 'outlineStyle', 'display', 'marginTop'];
  const hostStyles = () => page.evaluate((ps) => ['host-h2', 'host-p', 'host-button', 'host-canvas', 'host-div'].map((id) => {
    const s = getComputedStyle(document.getElementById(id));
    return [id, Object.fromEntries(ps.map((p) => [p, s[p]]))];
  }), props);
  const withWidget = await hostStyles();
  await page.goto(`${site.server.url}leak-ref.html`);
  assert.deepEqual(withWidget, await hostStyles());
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: the drawing canvas and the buttons work without a pointer', async () => {
  const { page, errors } = await open(`${site.server.url}leak.html`);
  const w = page.locator('#w');
  await w.locator('[data-testid="draw-canvas"]').focus();
  await page.keyboard.press('Delete');
  await until(() => w.locator('#draw-hint').isVisible(), { what: 'Delete to clear the canvas' });
  await page.keyboard.press('Tab'); // Clear
  await page.keyboard.press('Tab'); // Example
  assert.equal(await w.evaluate((e) => e.shadowRoot.activeElement?.id), 'example-button');
  await page.keyboard.press('Enter');
  await until(async () => !(await w.locator('#draw-hint').isVisible()), { what: 'Enter on "Example" to draw' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page restores its settings and view from the URL, and writes them back when they change', async () => {
  const hash = '#latent=2&hidden=200&lr=0.003&batch=50&estimator=a&dataset=mnist&view=manifold';
  const { page, errors } = await open(`${env.server.url}index.html${hash}`, { widgets: false });
  await page.waitForFunction(() => window.__vaeReady !== undefined, null, { timeout: 60_000 });
  const value = (id) => page.locator(`#${id}`).inputValue();
  assert.deepEqual(
    [await value('opt-latent'), await value('opt-hidden'), await value('opt-lr'), await value('opt-batch'), await value('opt-estimator'), await value('opt-dataset')],
    ['2', '200', '0.003', '50', 'a', 'mnist'],
  );
  // An architecture in the link builds that model: the 2-D manifold shows its grid.
  assert.match(await page.locator('#model-origin').innerText(), /untrained · 784-200-2 /);
  const manifold = page.getByTestId('manifold');
  await until(() => manifold.isVisible(), { what: 'the manifold' });
  assert.deepEqual(await manifold.evaluate((c) => [c.width, c.height]), [420, 420]);
  assert.ok(levels(await pixels(manifold)) > 10, 'the manifold is drawn');
  assert.ok(await page.evaluate(() => window.scrollY > 0), 'scrolled to the manifold panel');
  await page.locator('section[data-view="manifold"]').screenshot({ path: join(RESULTS, 'url-state-manifold.png') });

  // A change rewrites the hash in place (no new history entry); the link reproduces it.
  const length = await page.evaluate(() => history.length);
  await page.locator('#opt-lr').selectOption('0.01');
  await until(async () => /(^#|&)lr=0\.01(&|$)/.test(await page.evaluate(() => location.hash)), { what: 'the hash to follow' });
  const link = await page.evaluate(() => location.href);
  assert.match(link, /latent=2/);
  assert.match(link, /view=manifold/);
  assert.equal(await page.evaluate(() => history.length), length);
  const again = await open(link, { widgets: false });
  await again.page.waitForFunction(() => window.__vaeReady !== undefined, null, { timeout: 60_000 });
  assert.equal(await again.page.locator('#opt-lr').inputValue(), '0.01');
  assert.equal(await again.page.locator('#opt-latent').inputValue(), '2');
  // Editing the hash by hand (or following a link to another state) applies it at once.
  await again.page.evaluate(() => (location.hash = '#latent=5&hidden=100&view=traverse'));
  await until(async () => /untrained · 784-100-5 /.test(await again.page.locator('#model-origin').innerText()), { what: 'the edited hash to apply' });
  assert.equal(await again.page.locator('#opt-latent').inputValue(), '5');
  assert.deepEqual(again.errors, []);
  await again.page.close();

  // Nonsense in a link is ignored and said so; the defaults (the pretrained model) stay.
  const bad = await open(`${env.server.url}index.html#latent=0&hidden=-5&lr=1e9&batch=0&workers=banana&view=nowhere`, { widgets: false });
  await bad.page.waitForFunction(() => window.__vaeReady !== undefined, null, { timeout: 60_000 });
  assert.match(await bad.page.getByTestId('error').innerText(), /latent, hidden, lr, batch, workers, view could not be used/);
  assert.match(await bad.page.locator('#model-origin').innerText(), /Pretrained/);
  assert.deepEqual(bad.errors, []);
  await bad.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});
