// idx and gzip importers on real MNIST bytes: what comes out is the file's own pixels and
// labels (read here by offset, per the format's spec), and each damage gets its message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { buildImport, mnistIdx } from './import-build.mjs';

let m;
let cleanup;
let mn;
before(async () => {
  ({ m, cleanup } = await buildImport());
  mn = await mnistIdx(200);
});
after(() => cleanup?.());

const decode = async () => {
  throw new Error('no pictures here');
};

test('an idx pair of 200 MNIST test images: the bytes and labels of the file', async () => {
  const out = await m.files.importFiles([{ path: 't10k-images-idx3-ubyte', bytes: mn.images }, { path: 't10k-labels-idx1-ubyte', bytes: mn.labels }], { keep28: true, decode });
  assert.equal(out.count, 200);
  assert.deepEqual(Buffer.from(out.pixels), Buffer.from(mn.rawImages));
  assert.deepEqual(out.labels, [...mn.rawLabels]);
  assert.deepEqual(out.labels.slice(0, 5), [7, 2, 1, 0, 4]); // MNIST's first test labels
});

test('gzip (Node zlib, not our code) decompresses to the same set', async () => {
  const out = await m.files.importFiles([{ path: 'a-images.gz', bytes: gzipSync(mn.images) }, { path: 'a-labels.gz', bytes: gzipSync(mn.labels) }], { keep28: true, decode });
  assert.equal(out.count, 200);
  assert.deepEqual(Buffer.from(out.pixels), Buffer.from(mn.rawImages));
});

test('wrong magic, wrong count, truncated, count mismatch: each says which', () => {
  const bad = mn.images.slice();
  bad[3] = 0x01;
  assert.throws(() => m.idx.parseIdxImages(bad, 'x'), /wrong magic number 0x00000801 for idx images/);
  const more = mn.images.slice();
  new DataView(more.buffer).setUint32(4, 150);
  assert.throws(() => m.idx.parseIdxImages(more, 'x'), /wrong count: the header says 150 images but the file holds 200/);
  assert.throws(() => m.idx.parseIdxImages(mn.images.subarray(0, 16 + 199 * 784 + 5), 'x'), /truncated: the header says 200 images/);
  assert.throws(() => m.idx.parseIdxLabels(mn.labels.subarray(0, 100), 'y'), /truncated: the header says 200 labels but only 92/);
  const lbl = m.idx.writeIdxLabels([1, 2, 3]);
  return assert.rejects(
    m.files.importFiles([{ path: 'i', bytes: mn.images }, { path: 'l', bytes: lbl }], { keep28: true, decode }),
    /holds 200 images but l holds 3 labels/,
  );
});

test('writeIdx* round-trips through the parser and matches the MNIST header byte for byte', () => {
  const w = m.idx.writeIdxImages(mn.rawImages, 200);
  assert.deepEqual(Buffer.from(w), Buffer.from(mn.images));
  assert.deepEqual(Buffer.from(m.idx.writeIdxLabels(mn.rawLabels)), Buffer.from(mn.labels));
});

test('limits: a header saying 100,001 images or a gzip saying 300 MB is refused before allocation', () => {
  const h = new Uint8Array(16);
  new DataView(h.buffer).setUint32(0, 0x803);
  new DataView(h.buffer).setUint32(4, 100_001);
  assert.throws(() => m.idx.parseIdxImages(h, 'big'), /holds 100,001 images: the limit is 100,000/);
  const gz = gzipSync(mn.labels);
  new DataView(gz.buffer, gz.byteOffset).setUint32(gz.length - 4, 300_000_000, true);
  assert.throws(() => m.gzip.gunzipChecked(new Uint8Array(gz), 'bomb.gz'), /bomb.gz \(decompressed\) is 300 MB: the limit is 200 MB/);
});

test('files that are none of the formats: a message naming them', () =>
  assert.rejects(m.files.importFiles([{ path: 'notes.txt', bytes: new TextEncoder().encode('hello') }], { keep28: true, decode }), /no PNG, JPEG, idx image or \.npy file \(notes\.txt\)/));
