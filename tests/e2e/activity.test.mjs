// KL per latent dimension and the active units (Burda et al. 2016) in the real page: for the
// pretrained model the per-dimension KLs, the activities and the count equal the native
// CLI's (`vae activity`, the core on the same 1000 test images); the count is the number of
// bars that reach above the threshold's line; and the panel follows training.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, text, until } from './helpers.mjs';
import { PRETRAINED, vae, zoo } from './native.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** The table's rows: [KL, A_d, active] per dimension. */
function rows(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('#kl-table tbody tr'), (tr) => {
      const td = tr.querySelectorAll('td');
      return [Number(td[0].textContent), Number(td[1].textContent), td[2].textContent === 'active'];
    }),
  );
}

async function settled(page) {
  const bars = page.getByTestId('kl-bars');
  await bars.scrollIntoViewIfNeeded();
  await until(async () => ['done', 'refused', 'failed'].includes(await bars.getAttribute('data-state')), { timeout: 120_000, what: 'the KL bars' });
  return bars.getAttribute('data-state');
}

test('the pretrained model: KL per dimension, activity and active units equal `vae activity`; the bars above the line are the active ones', async () => {
  const ref = await vae('activity', '--model', PRETRAINED, '--test-limit', '1000');
  const { page, errors } = await openPage(env, '#workers=1&view=activity');
  assert.equal(await settled(page), 'done', await page.locator('#kl-note').innerText());
  const got = await rows(page);
  assert.equal(got.length, ref.activity.length);
  for (let d = 0; d < got.length; d++) {
    const [kl, a, active] = got[d];
    // f32 encoders in wasm and natively (different matmul kernels), ~1e-6 relative; the
    // table shows KL to 4 decimals and A_d to 4 significant digits.
    assert.ok(Math.abs(kl - ref.kl_per_dim[d]) <= 5e-5 + 1e-4 * ref.kl_per_dim[d], `z${d + 1} KL: page ${kl} vs CLI ${ref.kl_per_dim[d]}`);
    assert.ok(Math.abs(a - ref.activity[d]) <= 5e-4 * ref.activity[d] + 1e-12, `z${d + 1} A: page ${a} vs CLI ${ref.activity[d]}`);
    assert.equal(active, ref.activity[d] > ref.threshold, `z${d + 1} active`);
  }
  const shown = await text(page, 'active-units');
  const count = Number(/^(\d+) of (\d+)/.exec(shown)?.[1]);
  assert.equal(count, ref.active_units, shown);

  // The bars a person sees above the red line: at each bar's centre, the pixel 3 px above
  // the line is the active bars' blue.
  const above = await page.evaluate(() => {
    const c = document.querySelector('[data-testid="kl-bars"]');
    const ctx = c.getContext('2d');
    const y = Number(c.dataset.line) - 3;
    return JSON.parse(c.dataset.columns).filter((x) => {
      const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
      return r === 0x2a && g === 0x6f && b === 0xdb;
    }).length;
  });
  assert.equal(above, count, `bars above the line: ${above}, count shown: ${count}`);
  console.log(`# pretrained: ${shown}; KL per dimension ${ref.kl_per_dim.map((v) => v.toFixed(2)).join(' ')}`);
  await screenshot(page, 'activity');

  // It follows training: a few seconds of updates move the figures.
  const before = JSON.stringify(got);
  await page.getByTestId('train-toggle').click();
  // The click scrolled the train panel into view; the bars compute only while on screen.
  await page.getByTestId('kl-bars').scrollIntoViewIfNeeded();
  await until(async () => (await page.getByTestId('kl-bars').getAttribute('data-state')) === 'done' && JSON.stringify(await rows(page)) !== before, {
    timeout: 120_000,
    what: 'figures of the trained model',
  });
  await page.getByTestId('train-toggle').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the two-layer model: the activity of z1 and its active units equal `vae activity`; no KL per dimension, and the panel says why', async () => {
  const ref = await vae('activity', '--model', zoo('mnist-dlgm'), '--test-limit', '1000');
  const { page, errors } = await openPage(env, '#model=mnist-dlgm&view=activity');
  assert.equal(await settled(page), 'done');
  assert.equal(ref.kl_per_dim, null);
  const got = await page.evaluate(() => Array.from(document.querySelectorAll('#kl-table tbody tr'), (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.equal(got.length, ref.activity.length);
  for (let d = 0; d < got.length; d++) {
    assert.equal(got[d][0], '—');
    assert.ok(Math.abs(Number(got[d][1]) - ref.activity[d]) <= 5e-4 * ref.activity[d] + 1e-12, `z1_${d + 1}: ${got[d][1]} vs ${ref.activity[d]}`);
  }
  assert.equal(Number(/^(\d+) of/.exec(await text(page, 'active-units'))?.[1]), ref.active_units);
  assert.match(await page.locator('#kl-note').innerText(), /two-layer model.*not N\(0, I\)/);
  assert.deepEqual(errors, []);
  await page.close();
});
