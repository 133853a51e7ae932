// Pictures to ink: MNIST's white on black stays, dark ink on light paper is inverted, a
// transparent picture's ink is its paint; then the drawing's preprocessing (or none, for a
// 28×28 picture kept as it is). References: the MNIST bytes themselves, and closed forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildImport, mnistIdx } from './import-build.mjs';

let g;
let m;
let cleanup;
let mn;
before(async () => {
  ({ m, cleanup } = await buildImport());
  g = m.grey;
  mn = await mnistIdx(1);
});
after(() => cleanup?.());

/** RGBA of a greyscale image, with alpha. */
const rgba = (grey, alpha = () => 255) => Uint8Array.from({ length: grey.length * 4 }, (_, k) => (k % 4 === 3 ? alpha(k >> 2) : grey[k >> 2]));

test('an MNIST digit as a 28×28 picture, kept as it is: its own bytes (±1 for the luminance weights)', () => {
  const d = g.toDigit(g.toInk(rgba(mn.rawImages), 28, 28), 28, 28, true);
  assert.ok(d.every((v, i) => Math.abs(v - mn.rawImages[i]) <= 1));
});

test('the same digit inverted (ink on paper) gives the same ink', () => {
  const paper = g.toInk(rgba(mn.rawImages.map((v) => 255 - v)), 28, 28);
  assert.ok(paper.every((v, i) => Math.abs(v - mn.rawImages[i] / 255) < 0.01));
});

test('transparent: black paint on nothing is ink where the paint is', () => {
  const ink = g.toInk(rgba(new Uint8Array(784), (i) => mn.rawImages[i]), 28, 28);
  assert.ok(ink.every((v, i) => Math.abs(v - mn.rawImages[i] / 255) < 1e-6));
});

test('a blank picture is no digit; a large one is fitted into the 20×20 box', () => {
  assert.equal(g.toDigit(new Float32Array(100 * 100), 100, 100, false), null);
  const big = new Float32Array(100 * 100);
  for (let y = 10; y < 90; y++) for (let x = 40; x < 60; x++) big[y * 100 + x] = 1; // an 80×20 bar
  const d = g.toDigit(big, 100, 100, false);
  const rows = new Set();
  const cols = new Set();
  d.forEach((v, i) => v > 0 && (rows.add(Math.floor(i / 28)), cols.add(i % 28)));
  assert.equal(rows.size, 20); // the long side is 20 px
  assert.equal(cols.size, 5); // 20 × 20/80
});
