// The personal set as training data: the held-out share (closed form: max(1, round(n × share)),
// at most n − 1), which images are held out, the copies that make a mix ratio, and the idx
// files the training worker hands to the core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildImport, mnistIdx } from './import-build.mjs';

let s;
let m;
let cleanup;
let mn;
before(async () => {
  ({ m, cleanup } = await buildImport());
  s = m['own-split'];
  mn = await mnistIdx(200);
});
after(() => cleanup?.());

const setOf = (n) => ({ count: n, pixels: new Uint8Array(mn.rawImages.subarray(0, n * 784)), labels: [...mn.rawLabels.subarray(0, n)], tags: Array(n).fill('') });

test('held out: 10% of 200 is 20, of 12 is 1, of 2 is 1; fewer than 2 images is refused with the number needed', () => {
  assert.equal(s.heldOut(200, 0.1), 20);
  assert.equal(s.heldOut(12, 0.1), 1);
  assert.equal(s.heldOut(2, 0.5), 1);
  assert.equal(s.heldOut(10, 0.3), 3);
  assert.throws(() => s.splitOwn(setOf(1), 0.1), /Your set has 1 image: at least 2 are needed to train/);
  assert.throws(() => s.splitOwn(setOf(0), 0.1), /Your set has 0 images: at least 2/);
});

test('the split: disjoint, covers the set, every tenth image held out', () => {
  const { train, test } = s.splitOwn(setOf(200), 0.1);
  assert.equal(test.length, 20);
  assert.deepEqual(test, Array.from({ length: 20 }, (_, i) => 10 * i + 9));
  assert.deepEqual([...train, ...test].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
});

test('ownIdx: the four idx files parse back to the split images; a mix makes the own images its share', () => {
  const [ti, tl, si, sl] = s.ownIdx(setOf(200), 0.1);
  const train = m.idx.parseIdxImages(ti, 'ti');
  const test = m.idx.parseIdxImages(si, 'si');
  assert.equal(train.count, 180);
  assert.equal(test.count, 20);
  assert.deepEqual(Buffer.from(test.pixels.subarray(0, 784)), Buffer.from(mn.rawImages.subarray(9 * 784, 10 * 784)));
  assert.deepEqual([...m.idx.parseIdxLabels(sl, 'sl')], [...mn.rawLabels].filter((_, i) => i % 10 === 9));
  assert.equal(m.idx.parseIdxLabels(tl, 'tl').length, 180);
  // Mixed: 1000 "MNIST" images, the own 18 training images at 25%: 1000 × 0.25 / 0.75 / 18 ≈ 19 copies.
  const small = setOf(20);
  const other = { pixels: new Uint8Array(1000 * 784), labels: new Uint8Array(1000), mix: 0.25 };
  const [mi] = s.ownIdx(small, 0.1, other);
  const mixed = m.idx.parseIdxImages(mi, 'mi');
  assert.equal(s.copiesFor(18, 1000, 0.25), 19);
  assert.equal(mixed.count, 1000 + 18 * 19);
  const share = (18 * 19) / mixed.count;
  assert.ok(Math.abs(share - 0.25) < 0.01, `own share ${share}`);
});
