// Data-parallel training with K Web Workers, in the real page: a K-worker step equals a
// one-worker step, and killing a worker mid-training neither stops training nor its progress.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, until, number, text } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('K-worker steps equal one-worker steps on the same batches and noise', async () => {
  const { page, errors } = await openPage(env, '?debug');
  // Served with COOP/COEP: the workers share memory (SharedArrayBuffer).
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  for (const k of [2, 3]) {
    const r = await page.evaluate((k) => window.__vaeDebug.equivalence(k, 4), k);
    assert.equal(r.helpers, k - 1, `K=${k} used ${r.helpers} other workers`);
    // Same data, noise and updates; only the order of float additions differs. That moves a
    // gradient entry by ~1e-6 of itself, and an Adam step by as little (its step is
    // normalised): after 4 steps at lr 1e-3 differences are ~1e-8; 1e-4 leaves room for the
    // rare entry near zero, whose normalised step is sensitive.
    assert.ok(r.maxDiff < 1e-4, `K=${k}: largest parameter difference ${r.maxDiff}`);
    // Within one build a seeded run repeats bit for bit, whatever K.
    assert.equal(r.repeatDiff, 0, `K=${k}: a repeated run differs by ${r.repeatDiff}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('without cross-origin isolation the workers exchange transferable buffers, with the same result', async () => {
  const plain = await launch({ isolate: false });
  try {
    const { page, errors } = await openPage(plain, '?debug');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const r = await page.evaluate(() => window.__vaeDebug.equivalence(2, 4));
    assert.equal(r.helpers, 1);
    assert.ok(r.maxDiff < 1e-4, `largest parameter difference ${r.maxDiff}`);
    assert.equal(r.repeatDiff, 0, `a repeated run differs by ${r.repeatDiff}`);
    assert.deepEqual(errors, []);
  } finally {
    await plain.close();
  }
});

for (const isolate of [true, false]) {
  test(`a training worker that crashes mid-training is replaced and the ELBO keeps improving (${isolate ? 'shared memory' : 'message channels'})`, async () => {
  const e = isolate ? env : await launch({ isolate: false });
  const { page, errors } = await openPage(e, '?debug');
  assert.equal(await page.evaluate(() => crossOriginIsolated), isolate);
  await page.getByTestId('opt-workers').selectOption('2');
  await page.getByTestId('train-scratch').click();
  await until(async () => (await text(page, 'workers-value')) === '2', { timeout: 120_000, what: 'training with 2 workers' });
  const elbo = async () => number(await text(page, 'elbo-value'));
  await until(async () => Number.isFinite(await elbo()), { what: 'a first test ELBO' });
  const step = async () => number(await text(page, 'step-value'));
  await until(async () => (await step()) > 30, { what: 'some steps' });

  const before = await elbo();
  const stepBefore = await step();
  await page.evaluate(() => window.__vaeDebug.crashWorker(2));
  await until(async () => /Worker 2 stopped/.test(await text(page, 'worker-notice')), { what: 'the crash notice' });
  // Training goes on with two workers again, and the test ELBO keeps rising.
  await until(async () => (await step()) > stepBefore + 50, { what: 'steps after the crash' });
  await until(async () => (await elbo()) > before + 5, { timeout: 90_000, what: `the test ELBO to rise past ${before}` });
  assert.equal(await text(page, 'workers-value'), '2');
  assert.match(await text(page, 'worker-stats'), /worker 1: gradient \d+%, exchange \d+%, update \d+%, waiting \d+% · worker 2: gradient \d+%/);
  await screenshot(page, 'workers');
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
  if (!isolate) await e.close();
  });
}

/** The tests above leave their run saved, and the page shows it with its settings (K = 2):
 * discard it, as a person would, to see the defaults. */
async function discardSavedRun(page) {
  if (!(await page.getByTestId('resume-offer').isVisible())) return;
  await page.getByTestId('discard-saved').click();
  await until(async () => /discarded/.test(await text(page, 'saved-status')), { what: 'the discard' });
}

test('by default the page measures K = 1, 2, ... and says which K it chose and why', async () => {
  const { page, errors } = await openPage(env);
  await discardSavedRun(page);
  assert.equal(await page.getByTestId('opt-workers').inputValue(), 'auto');
  await page.getByTestId('train-scratch').click();
  const choice = await until(async () => {
    const t = await text(page, 'worker-choice');
    return /Using \d+ workers?: the fastest here/.test(t) && t;
  }, { timeout: 120_000, what: 'the choice of K' });
  // Every K tried is reported with its measured rate, and the one chosen is the fastest.
  const rates = [...choice.matchAll(/K = (\d+): ([\d,]+) images\/s/g)].map((m) => [Number(m[1]), Number(m[2].replaceAll(',', ''))]);
  assert.ok(rates.length >= 2, choice);
  const best = rates.reduce((a, b) => (b[1] > a[1] ? b : a));
  const k = Number(/Using (\d+)/.exec(choice)[1]);
  // The figures follow once the chosen team reports (the choice is announced as it starts).
  await until(async () => (await text(page, 'workers-value')) === String(k), { what: `K = ${k} in the figures` });
  // Auto keeps a larger K only when it is measurably faster (5%), so the chosen rate is
  // within that margin of the best.
  assert.ok(rates.find(([kk]) => kk === k)[1] >= best[1] / 1.05, choice);
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link with an impossible worker count is refused by name', async () => {
  const { page, errors } = await openPage(env, '#workers=0');
  await discardSavedRun(page);
  assert.match(await text(page, 'error'), /workers could not be used/);
  assert.equal(await page.getByTestId('opt-workers').inputValue(), 'auto');
  assert.deepEqual(errors, []);
  await page.close();
});
