// The scatter of 1000 test digits' posterior means, as a person sees it: each point is
// painted in its label's colour from the legend (labels read from the idx file), the means
// are the native encoder's (`vae reconstruct --greyscale`, within 1e-4 · (1 + |native|), as
// in values-reconstruction.test.mjs), and on the pretrained model digits of a class cluster:
// in the plotted plane the mean distance between two points of one class is below the mean
// distance between points of different classes. With latent 2 the positions are the means.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, until } from './helpers.mjs';
import { PRETRAINED, maxRelative, testLabels, vae, zoo } from './native.mjs';
import { pixels } from './shown.mjs';

const N = 1000;
let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function encodeTestDigits(page) {
  const button = page.getByRole('button', { name: 'Encode the test digits' });
  await button.scrollIntoViewIfNeeded();
  await button.click();
  const plot = await until(() => page.evaluate(() => window.__vaeDebug.scatter()), { what: 'the scatter' });
  const legend = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#scatter-legend li'), (li) => ({ label: li.textContent, colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor })),
  );
  return { plot, legend };
}

/** Mean pairwise distance within classes and between them, of points `xy` (x, y, x, y, ...). */
function distances(xy, labels, d = 2) {
  let [within, nw, between, nb] = [0, 0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (xy[i * d + k] - xy[j * d + k]) ** 2;
      if (labels[i] === labels[j]) [within, nw] = [within + Math.sqrt(s), nw + 1];
      else [between, nb] = [between + Math.sqrt(s), nb + 1];
    }
  }
  return { within: within / nw, between: between / nb };
}

/** Points whose centre pixel no later point overlaps (later points paint over earlier ones)
 * have exactly their label's legend colour there. The page's mapping: 10 px padding, the
 * points' range stretched over the rest, y up. Returns how many points were checked. */
function assertColours(img, plot, legend) {
  const { xy, labels } = plot;
  const colour = legend.map((l) => l.colour.match(/\d+/g).slice(0, 3).map(Number));
  const xs = xy.filter((_, i) => i % 2 === 0);
  const ys = xy.filter((_, i) => i % 2 === 1);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 10;
  const at = (i) => [pad + ((xs[i] - x0) * (img.width - 2 * pad)) / (x1 - x0), img.height - pad - ((ys[i] - y0) * (img.height - 2 * pad)) / (y1 - y0)];
  const centres = labels.map((_, i) => at(i));
  let checked = 0;
  for (let i = 0; i < labels.length; i++) {
    const [px, py] = centres[i];
    // A dot of radius 2.5 covers its centre pixel whole; a later dot within 4.5 might touch it.
    if (centres.slice(i + 1).some(([qx, qy]) => Math.hypot(qx - px, qy - py) < 4.5)) continue;
    const o = (Math.floor(py) * img.width + Math.floor(px)) * 4;
    assert.deepEqual(img.data.slice(o, o + 3), colour[labels[i]], `point ${i} (label ${labels[i]}) at (${px.toFixed(1)}, ${py.toFixed(1)})`);
    checked++;
  }
  return checked;
}

test('the scatter: points in their label colours, the native encoder\'s means, and classes that cluster', async () => {
  const { page, errors } = await openPage(env, '?debug');
  assert.equal(await page.evaluate(() => devicePixelRatio), 1, 'the mapping below is for one device pixel per CSS pixel');
  const { plot, legend } = await encodeTestDigits(page);
  assert.deepEqual(plot.labels, testLabels(N), 'the labels are the first 1000 test labels');
  assert.deepEqual(legend.map((l) => l.label), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(new Set(legend.map((l) => l.colour)).size, 10, 'ten colours');
  const native = (await vae('reconstruct', '--model', PRETRAINED, '--first', '0', '--n', String(N), '--greyscale')).images;
  const mu = native.flatMap((im) => im.mu);
  const err = maxRelative(plot.mu, mu);
  assert.ok(err <= 1e-4, `the page's means vs native: ${err}`);
  const checked = assertColours(await pixels(page, 'scatter'), plot, legend);
  const plane = distances(plot.xy, plot.labels);
  const full = distances(mu, plot.labels, mu.length / N);
  console.log(`# pretrained: means within ${err.toExponential(2)} of native; ${checked} points' colours checked; plotted plane: within ${plane.within.toFixed(3)}, between ${plane.between.toFixed(3)}; 10-D means: within ${full.within.toFixed(3)}, between ${full.between.toFixed(3)}`);
  assert.ok(checked >= 100, `only ${checked} points could be checked`);
  assert.ok(plane.within < plane.between, `plotted: ${JSON.stringify(plane)}`);
  assert.ok(full.within < full.between, `10-D: ${JSON.stringify(full)}`);
  // Control: the same positions with shuffled labels do not cluster.
  const shuffled = plot.labels.map((_, i) => plot.labels[(i * 7919) % N]);
  const control = distances(plot.xy, shuffled);
  assert.ok(Math.abs(control.within - control.between) / control.between < Math.abs(plane.within - plane.between) / plane.between);
  assert.deepEqual(errors, []);
  await page.close();
});

test('#model=mnist-2d: the plotted positions are the native posterior means themselves', async () => {
  const { page, errors } = await openPage(env, '?debug#model=mnist-2d&view=scatter');
  const { plot, legend } = await encodeTestDigits(page);
  const native = (await vae('reconstruct', '--model', zoo('mnist-2d'), '--first', '0', '--n', String(N), '--greyscale')).images;
  const err = maxRelative(plot.xy, native.flatMap((im) => im.mu));
  console.log(`# mnist-2d: positions within ${err.toExponential(2)} of native means; ${assertColours(await pixels(page, 'scatter'), plot, legend)} colours checked`);
  assert.ok(err <= 1e-4, `positions vs native means: ${err}`);
  assert.deepEqual(errors, []);
  await page.close();
});
