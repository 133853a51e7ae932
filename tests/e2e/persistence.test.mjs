// Nothing is lost mid-run: an exploding learning rate is caught and rolled back to the last
// saved step with half the rate; a crashed training worker restarts from the saved step and
// its ELBO. (Reloads: reload.test.mjs.) The reference is what the page said, in order: a
// log of its notices and figures as they changed, kept in the page by a MutationObserver.
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

/** From now on, every change of these elements' text, in order, as [testid, text]. */
function record(page, ids) {
  return page.evaluate((ids) => {
    window.__shown = [];
    for (const id of ids) {
      const node = document.querySelector(`[data-testid="${id}"]`);
      window.__shown.push([id, node.textContent]);
      new MutationObserver(() => window.__shown.push([id, node.textContent])).observe(node, { childList: true, characterData: true, subtree: true });
    }
  }, ids);
}
const shown = (page) => page.evaluate(() => window.__shown);
/** The step of the last "saved at step N" shown before entry `end` of the log. */
const lastSaved = (log, end) => number(log.slice(0, end).findLast(([id, t]) => id === 'saved-status' && /saved in this browser at step/.test(t))[1]);

test('a learning rate that makes the loss explode is rolled back to the last saved step, and the halved rate is the setting', async () => {
  const { page, errors } = await openPage(env);
  await page.getByTestId('train-scratch').click();
  await until(async () => /saved in this browser at step/.test(await text(page, 'saved-status')) && (await step(page)) > 5, { timeout: 120_000, what: 'training' });
  await record(page, ['saved-status', 'recovery-notice', 'step-value']);
  await page.locator('#opt-lr').selectOption('1');
  await until(async () => /halved the learning rate/.test(await text(page, 'recovery-notice')), { what: 'the recovery notice' });
  const log = await shown(page);
  const first = log.findIndex(([id, t]) => id === 'recovery-notice' && /Rolled back/.test(t));
  const [, named, lr] = /Rolled back to step (\d+) and halved the learning rate to ([\d.]+)\./.exec(log[first][1]);
  // The step named is the rollback point, the last state saved; the page goes back to it.
  assert.equal(Number(named), lastSaved(log, first), log[first][1]);
  assert.equal(number(log.slice(first).find(([id]) => id === 'step-value')[1]), Number(named), 'the step shown after the rollback');
  assert.equal(lr, '0.5', 'half of 1');
  // Each further rollback halves again; the store shows the last one's rate: the form and the
  // link (halved as a decimal, not an f32 read back as 0.5000000237...).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  const rates = (await shown(page)).filter(([id, t]) => id === 'recovery-notice' && /Rolled back/.test(t)).map(([, t]) => /rate to ([\d.]+)\./.exec(t)[1]);
  rates.forEach((r, i) => assert.equal(Number(r), 2 ** -(i + 1), `rollback ${i + 1}: ${rates.join(', ')}`));
  await until(async () => {
    const last = /rate to ([\d.]+)\./.exec(await text(page, 'recovery-notice'))[1];
    const hash = await page.evaluate(() => location.hash);
    return (await page.locator('#opt-lr').inputValue()) === last && hash.includes(`lr=${last}&`);
  }, { what: 'the form and the hash to show the halved rate' });
  // Training goes on with finite numbers.
  const s = await step(page);
  await until(async () => (await step(page)) > s + 20, { what: 'training after the rollback' });
  await until(async () => Number.isFinite(number(await text(page, 'elbo-value'))), { what: 'a finite test ELBO' });
  await screenshot(page, 'recovered');
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a crashed training worker restarts from the saved step and its test ELBO, not from scratch', async () => {
  const { page, errors } = await openPage(env, '?debug');
  await page.getByTestId('train-scratch').click();
  await until(async () => /saved in this browser at step/.test(await text(page, 'saved-status')) && (await step(page)) > 30, { timeout: 120_000, what: 'a saved run' });
  await record(page, ['elbo-value', 'saved-status', 'recovery-notice', 'step-value']);
  // Crash just after a save lands (saves are 3 s apart): no save is half written when it dies.
  const before = await text(page, 'saved-status');
  await until(async () => (await text(page, 'saved-status')) !== before, { interval: 20, what: 'the next save' });
  await page.evaluate(() => window.__vaeDebug.crashTrainer());
  const notice = await until(async () => {
    const t = await text(page, 'recovery-notice');
    return /restarting it from the last saved state: step/.test(t) && t;
  }, { timeout: 120_000, what: 'the restart from the saved state' });
  const log = await shown(page);
  const crashed = log.findIndex(([id, t]) => id === 'recovery-notice' && /stopped/.test(t));
  const saved = lastSaved(log, crashed);
  const savedAt = log.findLastIndex(([id, t], i) => i < crashed && id === 'saved-status' && /at step/.test(t));
  const elbo = log.slice(0, savedAt).findLast(([id]) => id === 'elbo-value')[1];
  const [, restartStep, restartElbo] = /step (\d+), test ELBO (-?[\d.]+) nats/.exec(notice);
  assert.equal(Number(restartStep), saved, `${notice} (saved at step ${saved})`);
  assert.equal(`${restartElbo} nats`, elbo, 'the test ELBO shown when that state was saved');
  await until(async () => (await step(page)) > saved + 20, { timeout: 120_000, what: 'training after the restart' });
  const after = (await shown(page)).slice(log.findIndex(([id, t]) => id === 'recovery-notice' && /: step/.test(t)));
  const steps = after.filter(([id]) => id === 'step-value').map(([, t]) => number(t));
  assert.ok(steps.length > 0 && steps.every((s) => s >= saved), `steps after the restart: ${steps.slice(0, 5).join(', ')}… (saved ${saved})`);
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});
