// The posterior map's colour scale and ticks (www/src/pure/heatmap.ts), in Node: the map's
// maximum is the brightest colour, 25 nats below and lower the darkest, the y axis runs up,
// and the ticks are round numbers inside the range. esbuild compiles the TypeScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir;
let hm;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vae-unit-'));
  await build({
    entryPoints: { heatmap: join(ROOT, 'www/src/pure/heatmap.ts') },
    bundle: true, format: 'esm', platform: 'neutral', outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  hm = await import(pathToFileURL(join(dir, 'heatmap.mjs')));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the scale: the maximum is the brightest, RANGE_NATS below and lower the darkest', () => {
  const max = -100;
  // A 3 x 2 map, row-major [j * nx + i]: row j = 0 is the bottom of the picture.
  const v = [max, max - 5, max - hm.RANGE_NATS, max - 40, max - 12.5, -Infinity];
  const px = hm.heatmapPixels(v, 3, 2, max);
  const at = (i, jFromTop) => Array.from(px.slice((jFromTop * 3 + i) * 4, (jFromTop * 3 + i) * 4 + 4));
  assert.deepEqual(at(0, 1), [253, 231, 37, 255], 'the maximum (bottom row) is yellow');
  assert.deepEqual(at(2, 1), [68, 1, 84, 255], 'RANGE_NATS below is the darkest');
  assert.deepEqual(at(0, 0), [68, 1, 84, 255], 'further below as well');
  assert.deepEqual(at(2, 0), [68, 1, 84, 255], '-Infinity as well');
  assert.deepEqual(at(1, 0), [33, 145, 140, 255], 'half way is the middle colour');
  // Brightness falls with the value.
  const lum = ([r, g, b]) => 0.3 * r + 0.59 * g + 0.11 * b;
  for (let k = 0; k < 25; k++) assert.ok(lum(hm.viridis(k / 25)) < lum(hm.viridis((k + 1) / 25)));
});

test('ticks are round, inside the range, about five', () => {
  assert.deepEqual(hm.ticks(-1.37, 2.9), [-1, 0, 1, 2]);
  const small = hm.ticks(0.013, 0.061);
  assert.equal(small.length, 5, String(small));
  small.forEach((x, k) => assert.ok(Math.abs(x - (0.02 + 0.01 * k)) < 1e-12, String(small)));
  for (const [lo, hi] of [[-6, 6], [-0.3, -0.1], [2.5, 40]]) {
    const t = hm.ticks(lo, hi);
    assert.ok(t.length >= 2 && t.length <= 11, `${lo}..${hi}: ${t}`);
    assert.ok(t.every((x) => x >= lo - 1e-9 && x <= hi + 1e-9));
  }
  assert.deepEqual(hm.ticks(1, 1), []);
  assert.deepEqual(hm.ticks(NaN, 1), []);
});
