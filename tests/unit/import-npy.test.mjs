// .npy and .zip importers. The .npy fixtures are written by NumPy itself when python3 has it
// (the interop setup installs it), else by the small writer below, which follows the format's
// spec (magic, version 1.0, little-endian header length, dict, padding to 64 bytes). The zips
// are made with fflate's zipSync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { zipSync } from 'fflate';
import { buildImport, mnistIdx } from './import-build.mjs';

let m;
let cleanup;
let mn;
before(async () => {
  ({ m, cleanup } = await buildImport());
  mn = await mnistIdx(20);
});
after(() => cleanup?.());
const decode = async () => {
  throw new Error('no pictures here');
};

function hasNumpy() {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A .npy of `data` (Uint8Array or Float32Array) with `shape`, by NumPy when present. */
function npy(data, shape) {
  const descr = data instanceof Float32Array ? '<f4' : '|u1';
  if (hasNumpy()) {
    const py = `import sys, io, numpy as np\nb = sys.stdin.buffer.read()\na = np.frombuffer(b, dtype='${descr}').reshape(${JSON.stringify(shape)})\nf = io.BytesIO(); np.save(f, a); sys.stdout.buffer.write(f.getvalue())`;
    return new Uint8Array(execFileSync('python3', ['-c', py], { input: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }));
  }
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

test('uint8 N×28×28 and N×784: the MNIST bytes as they were', () => {
  for (const shape of [[20, 28, 28], [20, 784]]) {
    const out = m.npy.parseNpy(npy(new Uint8Array(mn.rawImages), shape), 'a.npy');
    assert.equal(out.count, 20);
    assert.deepEqual(Buffer.from(out.pixels), Buffer.from(mn.rawImages));
  }
});

test('float32 in [0, 1]: byte / 255 comes back to the same byte', () => {
  const f = Float32Array.from(mn.rawImages, (b) => b / 255);
  const out = m.npy.parseNpy(npy(f, [20, 28, 28]), 'f.npy');
  assert.deepEqual(Buffer.from(out.pixels), Buffer.from(mn.rawImages));
});

test('wrong dtype, wrong shape, out-of-range floats: each says what is wrong', () => {
  const f64 = npy(new Float32Array(784 * 2), [2, 784]);
  const asF8 = new TextDecoder('latin1').decode(f64).replace("'<f4'", "'<f8'");
  assert.throws(() => m.npy.parseNpy(Uint8Array.from(asF8, (c) => c.charCodeAt(0)), 'd.npy'), /dtype <f8 is not supported: use uint8 \(0–255\) or float32 \(0–1\)/);
  assert.throws(() => m.npy.parseNpy(npy(new Uint8Array(2 * 32 * 32), [2, 32, 32]), 's.npy'), /shape \(2, 32, 32\) is not N×28×28 or N×784/);
  assert.throws(() => m.npy.parseNpy(npy(Float32Array.from({ length: 784 }, () => 255), [1, 784]), 'r.npy'), /value 255 at index 0: float32 images must be intensities in \[0, 1\]/);
});

test('a zip (fflate) of an idx pair and a .npy: 20 + 20 images, labels from the idx file', async () => {
  const zip = zipSync({ 'mine/t10k-images-idx3-ubyte': mn.images, 'mine/t10k-labels-idx1-ubyte': mn.labels, 'more.npy': npy(new Uint8Array(mn.rawImages), [20, 784]), 'README.txt': new TextEncoder().encode('hi') });
  const out = await m.files.importFiles([{ path: 'set.zip', bytes: zip }], { keep28: true, decode });
  assert.equal(out.count, 40);
  assert.deepEqual(out.labels.slice(0, 20), [...mn.rawLabels]);
  assert.deepEqual(out.labels.slice(20), Array(20).fill(null));
  assert.deepEqual(out.skipped, ['README.txt (not an image, idx or .npy file)']);
});

test('a zip with nothing usable, and a zip declaring 300 MB, are refused with their messages', async () => {
  const junk = zipSync({ 'a.txt': new TextEncoder().encode('x'), 'b.csv': new TextEncoder().encode('1,2') });
  await assert.rejects(m.files.importFiles([{ path: 'junk.zip', bytes: junk }], { keep28: true, decode }), /junk\.zip has nothing usable: no PNG, JPEG, idx image or \.npy file \(a\.txt, b\.csv\)/);
  // The central directory's uncompressed size (offset 24 of its entry) says 300 MB.
  const big = zipSync({ 'a.npy': new Uint8Array(10) });
  const cd = Buffer.from(big).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  new DataView(big.buffer).setUint32(cd + 24, 300_000_000, true);
  assert.throws(() => m.zip.unzipChecked(big, 'big.zip'), /big\.zip \(unzipped\) is 300 MB: the limit is 200 MB/);
});

test('labels from folder names: a digit folder is the label, any other a tag', () => {
  assert.deepEqual(m.files.labelOf('digits/3/a.png'), { label: 3, tag: '' });
  assert.deepEqual(m.files.labelOf('shapes/circle/a.png'), { label: null, tag: 'circle' });
  assert.deepEqual(m.files.labelOf('a.png'), { label: null, tag: '' });
});
