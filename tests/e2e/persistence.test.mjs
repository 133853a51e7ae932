// Nothing is lost: a reload offers to resume the saved run and continues it with the same
// curve; an exploding learning rate is caught and rolled back; a crashed training worker
// restarts from the saved state; discarding is explicit.
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

const step = async (page) => number(await text(page, 'step-value'));

test('a reload mid-training offers the saved run, and resuming continues it with the same curve', async () => {
  const { page, errors } = await openPage(env, '?debug');
  await page.getByTestId('train-scratch').click();
  await until(async () => (await step(page)) > 60, { timeout: 120_000, what: 'training' });
  await until(async () => /saved in this browser at step/.test(await text(page, 'saved-status')), { what: 'a save' });
  await until(async () => (await page.evaluate(() => window.__vaeDebug.testCurve())).length >= 3, { what: 'three test ELBO points' });
  // Pausing saves too: the run's last state is the paused one.
  await page.getByTestId('train-toggle').click();
  await until(async () => (await page.getByTestId('train-toggle').innerText()) === 'Resume training', { what: 'the pause' });
  await until(async () => number(await text(page, 'saved-status')) === (await step(page)), { what: 'the save on pause' });
  const saved = await step(page);
  const curve = await page.evaluate(() => window.__vaeDebug.testCurve());
  assert.ok(curve.length >= 3, 'test ELBO points before the reload');

  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined);
  await until(async () => page.getByTestId('resume-offer').isVisible(), { what: 'the resume offer' });
  assert.match(await text(page, 'resume-offer'), new RegExp(`step ${saved.toLocaleString('en-US')}`));
  await page.getByTestId('resume-saved').click();
  await until(async () => (await step(page)) > saved, { timeout: 120_000, what: 'training to continue after the saved step' });
  const after = await page.evaluate(() => window.__vaeDebug.testCurve());
  assert.deepEqual(after.filter(([s]) => s <= saved), curve.filter(([s]) => s <= saved), 'the ELBO curve up to the saved step is the same');
  await screenshot(page, 'resumed');
  await page.getByTestId('train-toggle').click();
  // The save on pause must have landed before the reload, or it could land after the
  // discard below and bring the run back.
  await until(async () => (await page.getByTestId('train-toggle').innerText()) === 'Resume training', { what: 'the second pause' });
  await until(async () => number(await text(page, 'saved-status')) === (await step(page)), { what: 'the second save on pause' });

  // Discard is the explicit reset: after it, a reload offers nothing.
  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined);
  await until(async () => page.getByTestId('resume-offer').isVisible(), { what: 'the offer again' });
  await page.getByTestId('discard-saved').click();
  assert.equal(await page.getByTestId('resume-offer').isVisible(), false);
  await until(async () => /discarded/.test(await text(page, 'saved-status')), { what: 'the discard to be stored' });
  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined);
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('resume-offer').isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a learning rate that makes the loss explode is caught, rolled back and halved', async () => {
  const { page, errors } = await openPage(env);
  await page.getByTestId('train-scratch').click();
  await until(async () => (await step(page)) > 5, { timeout: 120_000, what: 'training' });
  await page.locator('#opt-lr').selectOption('1');
  await until(async () => /halved the learning rate/.test(await text(page, 'recovery-notice')), { what: 'the recovery notice' });
  const shown = await page.locator('#opt-lr').inputValue();
  const lr = Number(shown);
  assert.ok(lr < 1, `learning rate now ${lr}`);
  // Halved as a decimal (0.5, 0.25, ...), not an f32 read back (0.5000000237...), and the
  // link follows the settings.
  assert.match(shown, /^0\.\d{1,10}$/);
  // (Read together: a further rollback may halve it again meanwhile.)
  await until(async () => (await page.evaluate(() => location.hash)).includes(`lr=${await page.locator('#opt-lr').inputValue()}&`), {
    what: 'the hash to follow the halved rate',
  });
  // Training goes on with finite numbers.
  const s = await step(page);
  await until(async () => (await step(page)) > s + 20, { what: 'training after the rollback' });
  await until(async () => Number.isFinite(number(await text(page, 'elbo-value'))), { what: 'a finite test ELBO' });
  await screenshot(page, 'recovered');
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a crashed training worker restarts from the last saved state', async () => {
  const { page, errors } = await openPage(env, '?debug');
  await page.getByTestId('train-scratch').click();
  await until(async () => /saved in this browser at step/.test(await text(page, 'saved-status')) && (await step(page)) > 30, { timeout: 120_000, what: 'a saved run' });
  const savedAt = number(await text(page, 'saved-status'));
  await page.evaluate(() => window.__vaeDebug.crashTrainer());
  await until(async () => /restarting it from the last saved state/.test(await text(page, 'recovery-notice')), { what: 'the restart notice' });
  await until(async () => (await step(page)) > savedAt + 20, { timeout: 120_000, what: 'training after the restart' });
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});
