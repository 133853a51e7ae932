// The independent reference of the value tests: the native core, through the `vae` CLI
// (release build: the scatter encodes 1000 images, the reproducibility test trains), and the test
// set's idx files read directly (labels, the mean image). Nothing here uses the page's code.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers.mjs';

const run = promisify(execFile);
// VAE_BIN names a binary built already (then nothing is built here).
const BIN = process.env.VAE_BIN || join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'vae');
const SCRATCH = mkdtempSync(join(tmpdir(), 'vae-native-'));
let built = null;

export const PRETRAINED = join(ROOT, 'www/assets/pretrained.safetensors');
export const zoo = (name) => join(ROOT, 'www/assets/models', `${name}.safetensors`);

/** Runs `vae ARGS` (building it first, once) and returns what it printed. */
export async function vaeText(...args) {
  built ??= process.env.VAE_BIN ? Promise.resolve() : run('cargo', ['build', '--release', '-q', '-p', 'vae-cli'], { cwd: ROOT, maxBuffer: 1 << 24 });
  await built;
  const { stdout } = await run(BIN, args, { cwd: ROOT, maxBuffer: 1 << 30 });
  return stdout;
}

/** Runs `vae ARGS --json` and parses its one line. */
export async function vae(...args) {
  return JSON.parse(await vaeText(...args, '--json'));
}

/** A path in this run's scratch directory. */
export function scratch(name) {
  return join(SCRATCH, name);
}

/** The tensors of a safetensors file's bytes, read by the format's definition (8-byte
 * little-endian header length, a JSON header, then the data): {name: {shape, values}}. */
export function tensors(bytes) {
  const b = Buffer.from(bytes);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (t.dtype !== 'F32') throw new Error(`${name}: dtype ${t.dtype}, not F32`);
    const [from, to] = t.data_offsets;
    const data = b.subarray(8 + n + from, 8 + n + to);
    out[name] = { shape: t.shape, values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
  }
  return out;
}

/** Writes `value` as JSON to a scratch file and returns its path (for --z, --input). */
export function jsonFile(name, value) {
  const path = join(SCRATCH, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The first `n` MNIST test labels, from the idx file (data/mnist). */
export function testLabels(n) {
  const b = readFileSync(join(ROOT, 'data/mnist/t10k-labels-idx1-ubyte'));
  if (b.readUInt32BE(0) !== 2049) throw new Error('not an idx1 label file');
  return Array.from(b.subarray(8, 8 + n));
}

/** The mean of all MNIST test images, in [0, 1] (784 values). */
export function meanTestImage() {
  const b = readFileSync(join(ROOT, 'data/mnist/t10k-images-idx3-ubyte'));
  if (b.readUInt32BE(0) !== 2051) throw new Error('not an idx3 image file');
  const n = b.readUInt32BE(4);
  const mean = new Float64Array(784);
  for (let i = 0; i < n; i++) for (let j = 0; j < 784; j++) mean[j] += b[16 + i * 784 + j];
  return Array.from(mean, (s) => s / n / 255);
}

/** How far the page's values may be from the native core's, relative: maxRelative(page,
 * native) <= TOL. The wasm kernel and native gemm add the same f32 products in different
 * orders (and with or without FMA), ~1e-6 apart on these models (README, "Checkpoints
 * outside the playground"); a transposed image, a stale decoder output or another code
 * moves values by 1e-2 or more (each value test's controls). */
export const TOL = 1e-4;

/** Largest |a - b| / (1 + |b|) over two equally long arrays (Infinity when the lengths differ). */
export function maxRelative(a, b) {
  if (!a || !b || a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}
