// The files a person brings as a data set of their own, written by the tests from MNIST's
// test set (data/mnist) into a scratch directory: the bytes written here are the references
// the page's counts, pixels and exports are compared with.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './helpers.mjs';

/** A fresh scratch directory (`prefix` names it) and MNIST's test idx files, read once. */
export async function ownFiles(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const mnist = {
    images: await readFile(join(ROOT, 'data/mnist/t10k-images-idx3-ubyte')),
    labels: await readFile(join(ROOT, 'data/mnist/t10k-labels-idx1-ubyte')),
  };
  /** Test image `i`'s 784 bytes. */
  const image = (i) => mnist.images.subarray(16 + i * 784, 16 + (i + 1) * 784);
  return {
    dir,
    mnist,
    image,
    /** The idx pair of test images `ids` (headers say how many), written as
     * NAME-images-idx3-ubyte (with `gzip`, gzipped and named .gz) and NAME-labels-idx1-ubyte.
     * Returns the two paths and the raw bytes of each file. */
    async writeIdx(ids, name, { gzip = false } = {}) {
      const images = Buffer.concat([mnist.images.subarray(0, 16), ...ids.map(image)]);
      images.writeUInt32BE(ids.length, 4);
      const labels = Buffer.concat([mnist.labels.subarray(0, 8), Buffer.from(ids.map((i) => mnist.labels[8 + i]))]);
      labels.writeUInt32BE(ids.length, 4);
      const files = [join(dir, `${name}-images-idx3-ubyte${gzip ? '.gz' : ''}`), join(dir, `${name}-labels-idx1-ubyte`)];
      await writeFile(files[0], gzip ? gzipSync(images) : images);
      await writeFile(files[1], labels);
      return { files, images, labels };
    },
    /** Removes the scratch directory. */
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The n test image indices from `from` on: from, from + 1, ..., from + n - 1. */
export const range = (n, from = 0) => Array.from({ length: n }, (_, i) => from + i);
