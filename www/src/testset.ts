// The first 1000 test images of a data set, on the page's own wasm instance. Fetched only
// when asked for (random test digits, the scatter plot): ~1.7 MB compressed, not the
// whole training set.
import { DATASET_LABELS, fetchTest, megabytes } from './data';
import type { DatasetName } from './protocol';
import { el } from './ui';
import { Data } from './wasm';

export const TEST_COUNT = 1000;

export interface TestSet {
  images: Float32Array; // TEST_COUNT * 784
  labels: Uint8Array;
}

const cache = new Map<DatasetName, Promise<TestSet>>();

async function load(name: DatasetName): Promise<TestSet> {
  const status = el('latent-status');
  const label = DATASET_LABELS[name];
  const [images, labels] = await fetchTest(name, (loaded, total) => {
    status.textContent = `Downloading the ${label} test set: ${megabytes(loaded)} / ${megabytes(total)} MB`;
  });
  status.textContent = '';
  const d = Data.testOnly(images, labels);
  try {
    return { images: d.testImages(TEST_COUNT), labels: d.testLabels(TEST_COUNT) };
  } finally {
    d.free();
  }
}

export function testSet(name: DatasetName): Promise<TestSet> {
  let p = cache.get(name);
  if (!p) {
    p = load(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name)); // a failed download may be retried
  }
  return p;
}

export function image(set: TestSet, i: number): Float32Array {
  return set.images.slice(i * 784, (i + 1) * 784);
}
