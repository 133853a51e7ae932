// What the page shows, read as a person's eyes would and as the page's debug hooks
// (www/src/app/debug.ts, `?debug`) report it: a canvas's pixels, and the values a canvas
// was painted from. The value tests compare the two with each other and with native.mjs.
import assert from 'node:assert/strict';

/** RGBA bytes and size of the canvas with data-testid or id `name`. */
export function pixels(page, name) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`) ?? document.getElementById(id);
    return { width: c.width, height: c.height, data: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
  }, name);
}

/** The values the canvas `name` was last painted from (app/debug.ts). */
export function painted(page, name) {
  return page.evaluate((id) => window.__vaeDebug.painted(id), name);
}

/** Two frames: panels redraw at most once a frame after a change. */
export function frames(page) {
  return page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/** Tile `t` (28x28 grey levels) of a grid painted `cols` wide with `gap` pixels between tiles. */
export function tile(img, t, cols, gap) {
  const x0 = (t % cols) * (28 + gap);
  const y0 = Math.floor(t / cols) * (28 + gap);
  const out = [];
  for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) out.push(img.data[((y0 + r) * img.width + x0 + c) * 4]);
  return out;
}

/** Grey levels (0..255) against 255 · clamp(v): at most 1 apart (the page rounds). */
export function assertShows(grey, values, what) {
  assert.equal(grey.length, values.length, `${what}: sizes`);
  let worst = 0;
  for (let i = 0; i < grey.length; i++) worst = Math.max(worst, Math.abs(grey[i] - 255 * Math.min(1, Math.max(0, values[i]))));
  assert.ok(worst <= 1, `${what}: a pixel is ${worst} grey levels from its value`);
}

/** The test ELBO's terms in the line under the training chart ("Test ELBO at step S: E =
 * E_q[log p(x|z)] R − KL(q(z|x)‖p(z)) K nats per image"), or null when it does not say them. */
export function elboTerms(line) {
  const m = /at step (\d+): (-?\d+\.\d\d) = E_q\[log p\(x\|z\)\] (-?\d+\.\d\d) − KL\(q\(z\|x\)‖p\(z\)\) (-?\d+\.\d\d) nats/.exec(line);
  return m ? { step: Number(m[1]), elbo: Number(m[2]), rec: Number(m[3]), kl: Number(m[4]) } : null;
}
