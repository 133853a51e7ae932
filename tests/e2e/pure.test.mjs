// The page's pure functions, run in Node: MNIST-style preprocessing of a drawing and the
// numerics behind the latent views. esbuild compiles the TypeScript on the fly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT } from './helpers.mjs';

let dir;
let pre;
let math;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vae-pure-'));
  await build({
    entryPoints: { preprocess: join(ROOT, 'www/src/pure/preprocess.ts'), math: join(ROOT, 'www/src/pure/math.ts') },
    bundle: true, format: 'esm', platform: 'neutral', outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  pre = await import(pathToFileURL(join(dir, 'preprocess.mjs')));
  math = await import(pathToFileURL(join(dir, 'math.mjs')));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A w*h canvas with a filled rectangle of ink. */
function rect(w, h, x0, y0, rw, rh, v = 1) {
  const a = new Float32Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) a[y * w + x] = v;
  return a;
}

function stats(img) {
  let mass = 0, cx = 0, cy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      if (v <= 0) continue;
      mass += v; cx += v * (x + 0.5); cy += v * (y + 0.5);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return { mass, cx: cx / mass, cy: cy / mass, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

test('an empty drawing gives null', () => {
  assert.equal(pre.preprocess(new Float32Array(280 * 280), 280, 280), null);
});

test('a tall stroke is scaled to 20 px high, keeps its aspect, and is centred by mass', () => {
  // 40 x 200 bar in the top-left corner of a 280 x 280 canvas.
  const out = pre.preprocess(rect(280, 280, 10, 5, 40, 200), 280, 280);
  assert.equal(out.length, 784);
  const s = stats(out);
  assert.equal(s.h, 20);
  assert.equal(s.w, 4);
  assert.ok(Math.abs(s.cx - 14) <= 0.5 && Math.abs(s.cy - 14) <= 0.5, `centre of mass ${s.cx}, ${s.cy}`);
  assert.ok(out.every((v) => v >= 0 && v <= 1));
  // Area averaging conserves ink: 40*200 source pixels -> 4*20 output pixels of full ink.
  assert.ok(Math.abs(s.mass - 80) < 1e-3, `mass ${s.mass}`);
});

test('anti-aliasing: a thin line becomes grey, not dropped', () => {
  // 200 wide x 3 high: scaled by 0.1, the line covers 0.3 of an output row.
  const out = pre.preprocess(rect(280, 280, 40, 100, 200, 3), 280, 280);
  const s = stats(out);
  assert.equal(s.w, 20);
  assert.equal(s.h, 1);
  const max = Math.max(...out);
  assert.ok(Math.abs(max - 0.3) < 1e-5, `grey 0.3, got ${max}`);
});

test('an L is centred by its centre of mass, not its box', () => {
  // A vertical bar with a foot to the right: the mass sits left of the box's middle.
  const ink = rect(100, 100, 10, 10, 10, 80);
  for (let y = 80; y < 90; y++) for (let x = 20; x < 70; x++) ink[y * 100 + x] = 1;
  const s = stats(pre.preprocess(ink, 100, 100));
  assert.ok(Math.abs(s.cx - 14) <= 0.5 && Math.abs(s.cy - 14) <= 0.5, `centre of mass ${s.cx}, ${s.cy}`);
  assert.ok(s.w === 15 && s.h === 20, `box ${s.w}x${s.h}`);
});

test('a very lopsided shape stays inside the frame', () => {
  const ink = rect(100, 100, 10, 10, 30, 80);
  for (let y = 86; y < 90; y++) for (let x = 40; x < 90; x++) ink[y * 100 + x] = 1;
  const out = pre.preprocess(ink, 100, 100);
  const s = stats(out);
  const sourceMass = ink.reduce((a, v) => a + v, 0) * (20 / 80) ** 2;
  assert.ok(Math.abs(s.mass - sourceMass) < 1e-2, `no ink lost: ${s.mass} vs ${sourceMass}`);
});

test('a single dot is enlarged to fill the box', () => {
  const s = stats(pre.preprocess(rect(50, 50, 20, 20, 2, 2), 50, 50));
  assert.equal(s.w, 20);
  assert.equal(s.h, 20);
});

test('normalQuantile inverts the normal CDF', () => {
  assert.ok(Math.abs(math.normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(math.normalQuantile(0.975) - 1.959963985) < 1e-6);
  assert.ok(Math.abs(math.normalQuantile(0.001) + 3.090232306) < 1e-6);
  assert.ok(Math.abs(math.normalQuantile(1 / 30) + math.normalQuantile(29 / 30)) < 1e-9);
});

test('seeded normals repeat and look standard', () => {
  const a = math.normals(20000, 3);
  assert.deepEqual(a.slice(0, 5), math.normals(5, 3));
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
});

test('pca finds the directions of largest variance', () => {
  // Points spread 10x along (1,1,0)/sqrt2, 3x along z, 0.1x along (1,-1,0)/sqrt2.
  const n = 500, d = 3, x = new Float32Array(n * d);
  const g = math.normals(3 * n, 9);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [10 * g[3 * i], 3 * g[3 * i + 1], 0.1 * g[3 * i + 2]];
    x.set([(a + c) / Math.SQRT2, (a - c) / Math.SQRT2, b], i * d);
  }
  const [p1, p2] = math.pca(x, n, d);
  assert.ok(Math.abs(Math.abs(p1[0] + p1[1]) / Math.SQRT2 - 1) < 1e-3, `p1 ${p1}`);
  assert.ok(Math.abs(Math.abs(p2[2]) - 1) < 1e-3, `p2 ${p2}`);
});
