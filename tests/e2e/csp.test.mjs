// The page under the strict Content-Security-Policy header (script-src 'self'
// 'wasm-unsafe-eval': no inline script, no eval): every feature runs, nothing is blocked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drawStroke, launch, openPage, until } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
  // Collects violations in the page (workers' violations would stop them working, which
  // the training below would notice).
  await env.context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});
after(async () => {
  await env?.close();
});

test('served with the strict CSP header, the page draws, trains with workers and loads data without violations', async () => {
  const res = await fetch(env.server.url);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
  const { page, errors } = await openPage(env);
  await drawStroke(page, 'draw-canvas', [[0.3, 0.3], [0.7, 0.7]]);
  await page.getByTestId('opt-workers').selectOption('2');
  await page.getByTestId('train-toggle').click();
  const step = async () => Number((await page.getByTestId('step-value').innerText()).replaceAll(',', ''));
  await until(async () => (await step()) > 20, { timeout: 120_000, what: 'training under CSP' });
  await until(async () => (await page.getByTestId('workers-value').innerText()) === '2', { what: 'two workers' });
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await page.close();
});
