// Your own digits in the other views, as a person uses them: upload a few (an idx pair with
// labels, a .npy without), switch on "Show my digits" in the scatter, click a thumbnail.
// References: the bytes this test wrote from data/mnist, the native encoder (`vae
// reconstruct --input`, within 1e-4 · (1 + |native|), as in values-scatter.test.mjs) and the
// label colours of the scatter's own legend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { drawStroke, launch, number, openPage, text, until } from './helpers.mjs';
import { jsonFile, maxRelative, vae, zoo } from './native.mjs';
import { ownFiles } from './own-files.mjs';
import { assertShows, painted, pixels } from './shown.mjs';

const IDX = [30, 31, 32, 33]; // MNIST test images uploaded with their labels
const NPY = [40, 41]; // and without
let env;
let own;
before(async () => {
  env = await launch();
  own = await ownFiles('vae-own-views-');
});
after(async () => {
  await env?.close();
  await own?.remove();
});

/** A uint8 N×784 .npy of test images `ids` (NumPy's format 1.0: magic, header length, dict). */
async function writeNpy(ids) {
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${ids.length}, 784), }`;
  const header = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const file = join(own.dir, 'few.npy');
  await writeFile(file, Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]), Buffer.from(header, 'latin1'), ...ids.map(own.image)]));
  return file;
}

const rgb = (css) => css.match(/\d+/g).slice(0, 3).map(Number);

test('"Show my digits": one ringed point per own digit, at the native posterior means, in its label colour; a thumbnail goes on the pad and the posterior names it', async () => {
  const { page, errors } = await openPage(env, '?debug#model=mnist-2d');
  assert.equal(await page.evaluate(() => devicePixelRatio), 1, 'the mapping below is for one device pixel per CSS pixel');
  const count = async () => number(await text(page, 'own-data-count'));
  await page.getByTestId('data-upload').setInputFiles((await own.writeIdx(IDX, 'few')).files);
  await until(async () => (await count()) === IDX.length, { what: 'the idx pair' });
  await page.getByTestId('data-upload').setInputFiles(await writeNpy(NPY));
  const n = IDX.length + NPY.length;
  await until(async () => (await count()) === n, { what: 'the .npy' });
  const ids = [...IDX, ...NPY];
  const labels = [...IDX.map((i) => own.mnist.labels[8 + i]), ...NPY.map(() => null)];

  // The highlight: as many ringed points as the set holds, where the native encoder puts them.
  await page.getByTestId('scatter-own').scrollIntoViewIfNeeded();
  await page.getByTestId('scatter-own').check();
  const plot = await until(() => page.evaluate(() => window.__vaeDebug.scatter()?.own && window.__vaeDebug.scatter()), { what: 'the scatter with your digits' });
  assert.equal(plot.own.labels.length, n, 'one highlighted point per image of the set');
  assert.deepEqual(plot.own.labels, labels, 'idx labels, and none for the .npy');
  assert.match(await text(page, 'scatter-own-count'), new RegExp(`^${n} of your digits ringed`));
  assert.equal(await page.getByTestId('scatter-own-legend').locator('..').innerText(), `your digits (${n})`);
  const native = (await vae('reconstruct', '--model', zoo('mnist-2d'), '--input', jsonFile('own.json', ids.map((i) => Array.from(own.image(i), (b) => b / 255))))).images;
  const err = maxRelative(plot.own.xy, native.flatMap((im) => im.mu));
  assert.ok(err <= 1e-4, `own digits' positions vs native means: ${err}`);

  // What a person sees: each ringed point (not overlapped by another) filled with its
  // label's legend colour (white without one) and ringed in black. The page's mapping: 10 px
  // padding, the range of all points (test digits and own) stretched over the rest, y up.
  const img = await pixels(page, 'scatter');
  const legend = await page.evaluate(() => Array.from(document.querySelectorAll('#scatter-legend li .swatch'), (s) => getComputedStyle(s).backgroundColor));
  const all = [...plot.xy, ...plot.own.xy];
  const xs = all.filter((_, i) => i % 2 === 0);
  const ys = all.filter((_, i) => i % 2 === 1);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const at = (i) => [10 + ((plot.own.xy[2 * i] - x0) * (img.width - 20)) / (x1 - x0), img.height - 10 - ((plot.own.xy[2 * i + 1] - y0) * (img.height - 20)) / (y1 - y0)];
  const px = (x, y) => img.data.slice((Math.floor(y) * img.width + Math.floor(x)) * 4, (Math.floor(y) * img.width + Math.floor(x)) * 4 + 3);
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const [cx, cy] = at(i);
    if (labels.some((_, j) => j !== i && Math.hypot(at(j)[0] - cx, at(j)[1] - cy) < 11)) continue; // rings touch
    const fill = labels[i] === null ? [255, 255, 255] : rgb(legend[labels[i]]);
    assert.deepEqual(px(cx, cy), fill, `own digit ${i + 1} (label ${labels[i]}) at (${cx.toFixed(1)}, ${cy.toFixed(1)}): its fill`);
    assert.ok(px(cx + 4.5, cy).every((v) => v <= 60), `own digit ${i + 1}: a black ring (${px(cx + 4.5, cy)})`);
    seen++;
  }
  console.log(`# ${n} own digits within ${err.toExponential(2)} of native means; ${seen} checked on screen`);
  assert.ok(seen >= 3, `only ${seen} own points could be checked`);

  // A thumbnail on the pad: the model's input is exactly the stored digit, the posterior is
  // the native one of those bytes, and the posterior panel names it.
  for (const k of [2, 5]) {
    const want = Array.from(own.image(ids[k - 1]), (b) => b / 255);
    await page.getByTestId('own-data-pick').nth(k - 1).click();
    await until(async () => maxRelative(await painted(page, 'input-view'), want) < 1e-6, { what: `digit #${k} on the pad` });
    const grey = await pixels(page, 'input-view');
    assertShows(grey.data.filter((_, j) => j % 4 === 0), want, `digit #${k} as the model sees it`);
    const q = await page.evaluate(() => window.__vaeDebug.posterior());
    assert.ok(maxRelative(q.mu, native[k - 1].mu) <= 1e-4, `digit #${k}: q(z|x)'s mean is the native one`);
    const name = labels[k - 1] === null ? '' : `, label ${labels[k - 1]}`;
    await until(async () => (await text(page, 'posterior-own')) === `Your digit #${k}${name} (of the ${n} in your data set).`, {
      what: `the posterior panel naming digit #${k} (now: ${await text(page, 'posterior-own')})`,
    });
  }
  // A stroke over it makes it a drawing of one's own again: no longer one of the set.
  await page.getByTestId('draw-canvas').scrollIntoViewIfNeeded();
  await drawStroke(page, 'draw-canvas', [[0.2, 0.2], [0.8, 0.8]]);
  await until(async () => (await text(page, 'posterior-own')) === '', { what: 'the name to go' });

  await page.getByTestId('own-data-clear').click();
  await until(async () => (await count()) === 0, { what: 'the set to be emptied' });
  await until(async () => (await page.evaluate(() => window.__vaeDebug.scatter().own.labels.length)) === 0, { what: 'the scatter to follow the emptied set' });
  assert.match(await text(page, 'scatter-own-count'), /Your data set is empty/);
  assert.deepEqual(errors, []);
  await page.close();
});
