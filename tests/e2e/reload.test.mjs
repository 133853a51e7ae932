// A reload keeps everything: the saved run is simply there, paused, before any click (its
// figures, its curve, its model in the panels, its settings in both forms and the link);
// "Resume training" continues from its step; "Discard saved run" brings back the pretrained
// model and the record stays gone; and a save still in flight when someone discards (another
// tab training on) never brings the run back. References: what the page showed before the
// reload, the pretrained model's own pictures, and the IndexedDB record itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, until, number, text, canvasPixels } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const FIGURES = ['epoch-value', 'step-value', 'elbo-value', 'bound-value'];
const SETTINGS = ['dataset', 'optimizer', 'lr', 'batch', 'estimator', 'samples', 'workers', 'latent', 'hidden', 'activation', 'decoder'];
// The panels that show the model without animation (the traversal moves; the scatter and the
// manifold need test digits or latent 2). Their first pictures use fixed seeds.
const PICTURES = ['reconstruction', 'posterior', 'interpolation', 'samples'];

const step = async (page) => number(await text(page, 'step-value'));
const figures = async (page) => Object.fromEntries(await Promise.all(FIGURES.map(async (id) => [id, await text(page, id)])));
const form = (page) => page.evaluate((keys) => Object.fromEntries(keys.map((k) => [k, document.getElementById(`opt-${k}`).value])), SETTINGS);
/** What the model shows, once the frame after the last change has been painted. */
async function pictures(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return Object.fromEntries(await Promise.all(PICTURES.map(async (id) => [id, await canvasPixels(page, id)])));
}
/** The stored record's summary, read straight from IndexedDB (null when there is none). */
const storedMeta = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('vae-playground');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('training')) return resolve(null);
          const get = db.transaction('training').objectStore('training').get('page:meta');
          get.onsuccess = () => resolve(get.result ? { step: get.result.step, offset: get.result.offset } : null);
        };
      }),
  );
async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined, null, { timeout: 60_000 });
}
async function pauseAndSave(page) {
  await page.getByTestId('train-toggle').click();
  // 'Paused' once the worker confirms: its last parameters and its save on pause are in.
  await until(async () => (await page.locator('#train-state').innerText()) === 'Paused', { what: 'the pause' });
  await until(async () => number(await text(page, 'saved-status')) === (await step(page)), { what: 'the save on pause' });
}

let pretrained; // the pretrained model's pictures and form, before anything was trained

test('after a reload the saved run is there, paused, and "Resume training" continues from its step', async () => {
  const { page, errors } = await openPage(env, '?debug');
  pretrained = { pictures: await pictures(page), form: await form(page) };
  // Settings other than the defaults, so that restoring them shows.
  for (const [k, v] of Object.entries({ lr: '0.003', batch: '50', estimator: 'a', workers: '1', latent: '5', hidden: '200', activation: 'tanh' })) {
    await page.locator(`#opt-${k}`).selectOption(v);
  }
  await page.getByTestId('train-scratch').click();
  await until(async () => (await step(page)) > 40 && (await page.evaluate(() => window.__vaeDebug.testCurve())).length >= 2, {
    timeout: 120_000,
    what: 'training with two test ELBO points',
  });
  await pauseAndSave(page);
  const shown = {
    figures: await figures(page),
    form: await form(page),
    curve: await page.evaluate(() => window.__vaeDebug.testCurve()),
    terms: await page.evaluate(() => window.__vaeDebug.termCurve()),
    termsLine: await text(page, 'elbo-terms'),
    hash: await page.evaluate(() => location.hash),
  };
  assert.deepEqual(shown.terms.map(([s]) => s), shown.curve.map(([s]) => s), 'every evaluation has its two terms');
  const trained = await pictures(page);
  assert.notDeepEqual(trained.reconstruction, pretrained.pictures.reconstruction, 'training changed the model');

  await reload(page);
  // Before any click: the run, paused.
  assert.equal(await page.locator('#train-state').innerText(), 'Paused');
  assert.equal(await page.getByTestId('train-toggle').innerText(), 'Resume training');
  assert.ok(await page.getByTestId('resume-offer').isVisible());
  assert.deepEqual(await figures(page), shown.figures, 'epoch, step, test ELBO and train bound as before the reload');
  assert.deepEqual(await page.evaluate(() => window.__vaeDebug.testCurve()), shown.curve, 'the same test ELBO curve');
  assert.deepEqual(await page.evaluate(() => window.__vaeDebug.termCurve()), shown.terms, 'the same curves of its two terms');
  assert.equal(await text(page, 'elbo-terms'), shown.termsLine, 'the same line spelling out the last evaluation');
  assert.match(shown.termsLine, /^Test ELBO at step \d+: /);
  assert.deepEqual(await form(page), shown.form, 'both settings forms show the run');
  assert.equal(await page.evaluate(() => location.hash), shown.hash, 'the link names the run\'s settings');
  const after = await pictures(page);
  for (const id of PICTURES) assert.deepEqual(after[id], trained[id], `${id}: the saved model, pixel for pixel`);

  // One button: every step shown from now on continues from the saved one.
  const saved = number(shown.figures['step-value']);
  await page.evaluate(() => {
    window.__steps = [];
    new MutationObserver(() => window.__steps.push(document.querySelector('[data-testid="step-value"]').textContent)).observe(
      document.querySelector('[data-testid="step-value"]'),
      { childList: true, characterData: true, subtree: true },
    );
  });
  // A rate chosen while the run is on show is kept when it resumes (not reset to the run's).
  await page.locator('#opt-lr').selectOption('0.001');
  await page.getByTestId('train-toggle').click();
  await until(async () => (await step(page)) > saved + 20, { timeout: 120_000, what: 'training after the saved step' });
  assert.equal(await page.locator('#opt-lr').inputValue(), '0.001');
  assert.match(await page.evaluate(() => location.hash), /lr=0\.001&/);
  const steps = (await page.evaluate(() => window.__steps)).map(number);
  assert.ok(steps.length > 0 && steps.every((s) => s >= saved), `steps after Resume: ${steps.slice(0, 5).join(', ')}… (saved ${saved})`);
  const curve = await page.evaluate(() => window.__vaeDebug.testCurve());
  assert.deepEqual(curve.filter(([s]) => s <= saved), shown.curve, 'the curve up to the saved step is kept');
  await pauseAndSave(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a model the link named, trained on for a while, comes back after a reload as the trained run, not as the checkpoint', async () => {
  const { page, errors } = await openPage(env, '#model=mnist-2d');
  const checkpoint = await pictures(page);
  await page.getByTestId('train-toggle').click();
  await until(async () => (await step(page)) > 20 && /saved in this browser/.test(await text(page, 'saved-status')), { timeout: 120_000, what: 'training' });
  await pauseAndSave(page);
  // The link no longer names the checkpoint: the model on screen has moved on from it.
  assert.doesNotMatch(await page.evaluate(() => location.hash), /model=/);
  const shown = await figures(page);
  const trained = await pictures(page);
  assert.notDeepEqual(trained.reconstruction, checkpoint.reconstruction, 'training changed the model');
  await reload(page);
  assert.deepEqual(await figures(page), shown);
  const after = await pictures(page);
  for (const id of PICTURES) assert.deepEqual(after[id], trained[id], `${id}: the trained run's`);
  // The box's own "Resume" is the same button as "Resume training".
  await page.getByTestId('resume-saved').click();
  await until(async () => (await step(page)) > number(shown['step-value']), { timeout: 120_000, what: 'training on from the saved step' });
  await pauseAndSave(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Discard saved run" brings back the pretrained model and default settings, and the record stays gone', async () => {
  const { page, errors } = await openPage(env);
  assert.ok((await storedMeta(page)) !== null, 'the first test left a saved run');
  assert.ok(await page.getByTestId('resume-offer').isVisible());
  await page.getByTestId('discard-saved').click();
  await until(async () => /discarded/.test(await text(page, 'saved-status')), { what: 'the discard' });
  assert.equal(await storedMeta(page), null, 'the record is deleted');
  assert.match(await page.locator('#model-origin').innerText(), /^Pretrained on MNIST/);
  assert.equal(await page.locator('#train-state').innerText(), 'Not training');
  assert.deepEqual(await figures(page), { 'epoch-value': '—', 'step-value': '—', 'elbo-value': '—', 'bound-value': '—' });
  assert.deepEqual(await form(page), pretrained.form);
  const shown = await pictures(page);
  for (const id of PICTURES) assert.deepEqual(shown[id], pretrained.pictures[id], `${id}: the pretrained model's`);

  await reload(page);
  assert.equal(await storedMeta(page), null, 'still no record after a reload');
  assert.equal(await page.getByTestId('resume-offer').isVisible(), false);
  const again = await pictures(page);
  for (const id of PICTURES) assert.deepEqual(again[id], pretrained.pictures[id], `${id} after the reload`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a save still in flight when the run is discarded (another tab training on) does not bring it back', async () => {
  const trainer = await openPage(env, '?debug');
  const a = trainer.page;
  await a.locator('#opt-workers').selectOption('1');
  await a.getByTestId('train-scratch').click();
  await until(async () => /saved in this browser at step/.test(await text(a, 'saved-status')), { timeout: 120_000, what: 'a first save' });

  // A second tab shows that run and discards it while the first keeps training and saving.
  const other = await openPage(env);
  const b = other.page;
  assert.ok(await b.getByTestId('resume-offer').isVisible(), 'the second tab shows the saved run');
  await b.getByTestId('discard-saved').click();
  await until(async () => /discarded/.test(await text(b, 'saved-status')), { what: 'the discard' });
  // The first tab's next save began under the old generation: it is refused, and says so.
  await until(async () => /No longer saved/.test(await text(a, 'saved-status')), { what: 'the first tab\'s save to be refused' });
  assert.equal(await a.locator('#train-state').innerText(), 'Training');

  await reload(b);
  assert.equal(await storedMeta(b), null, 'the discarded run stays discarded');
  assert.equal(await b.getByTestId('resume-offer').isVisible(), false);
  assert.match(await b.locator('#model-origin').innerText(), /^Pretrained on MNIST/);
  await a.getByTestId('train-toggle').click();
  assert.deepEqual(trainer.errors, []);
  assert.deepEqual(other.errors, []);
  await a.close();
  await b.close();
});
