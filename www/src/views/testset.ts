// The first 1000 test images of a data set, on the page's own wasm instance. Fetched only
// when asked for (random test digits, the scatter plot): ~1.7 MB compressed, not the
// whole training set. One download per page however many widgets ask: the cache is
// module-wide and every asker hears the progress.
import { DATASET_LABELS, fetchTest, megabytes } from '../shared/data';
import type { DatasetName } from '../shared/protocol';
import { Data } from '../shared/wasm';

export const TEST_COUNT = 1000;

export interface TestSet {
  images: Float32Array; // TEST_COUNT * 784
  labels: Uint8Array;
}

/** Shows a line of progress text ('' when done). */
export type StatusFn = (text: string) => void;

const cache = new Map<DatasetName, Promise<TestSet>>();
const listeners = new Map<DatasetName, Set<StatusFn>>();

async function load(asked: DatasetName): Promise<TestSet> {
  // A model trained on a personal set is shown MNIST's test digits (the set may have none
  // with labels, and fewer than the scatter's thousand).
  const name = asked === 'own' || asked === 'own-mnist' ? 'mnist' : asked;
  const label = DATASET_LABELS[name];
  const tell = (text: string) => listeners.get(asked)?.forEach((f) => f(text));
  let files: Uint8Array[];
  try {
    files = await fetchTest(name, (loaded, total) => {
      tell(`Downloading the ${label} test set: ${megabytes(loaded)} / ${megabytes(total)} MB`);
    });
  } finally {
    tell('');
    listeners.delete(asked); // only downloads in flight have listeners
  }
  const [images, labels] = files;
  const d = Data.testOnly(images, labels);
  try {
    return { images: d.testImages(TEST_COUNT), labels: d.testLabels(TEST_COUNT) };
  } finally {
    d.free();
  }
}

export function testSet(name: DatasetName, onStatus?: StatusFn): Promise<TestSet> {
  let p = cache.get(name);
  if (!p) listeners.set(name, new Set());
  if (onStatus) listeners.get(name)?.add(onStatus);
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
