// Compiles the DOM-free importers (www/src/pure/import) for Node with esbuild, once per test
// file, and reads the committed MNIST test files the tests slice real bytes from.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** { files, idx, npy, zip, gzip, grey, limits } modules, and a cleanup. */
export async function buildImport() {
  const dir = await mkdtemp(join(tmpdir(), 'vae-import-'));
  const names = ['files', 'idx', 'npy', 'zip', 'gzip', 'grey', 'limits', 'own-split'];
  await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, join(ROOT, `www/src/pure/import/${n}.ts`)])),
    bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  const m = {};
  for (const n of names) m[n] = await import(pathToFileURL(join(dir, `${n}.mjs`)));
  return { m, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The first n MNIST test images and labels as idx files (headers rewritten for n). */
export async function mnistIdx(n) {
  const img = await readFile(join(ROOT, 'data/mnist/t10k-images-idx3-ubyte'));
  const lbl = await readFile(join(ROOT, 'data/mnist/t10k-labels-idx1-ubyte'));
  const images = Buffer.concat([img.subarray(0, 16), img.subarray(16, 16 + n * 784)]);
  images.writeUInt32BE(n, 4);
  const labels = Buffer.concat([lbl.subarray(0, 8), lbl.subarray(8, 8 + n)]);
  labels.writeUInt32BE(n, 4);
  return { images: new Uint8Array(images), labels: new Uint8Array(labels), rawImages: img.subarray(16, 16 + n * 784), rawLabels: lbl.subarray(8, 8 + n) };
}
