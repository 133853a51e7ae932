// Downloads the compact data set (gzipped idx files under www/build/data/) and gunzips it
// in the browser. Used by the worker (training) and the page (test digits, scatter), so
// only APIs both a window and a worker have.
import type { DatasetName } from './protocol';

export const DATASET_LABELS: Record<DatasetName, string> = {
  mnist: 'MNIST',
  'fashion-mnist': 'Fashion-MNIST',
  own: 'your data set',
  'own-mnist': 'your data set mixed into MNIST',
};

const TRAIN = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'];
const TEST = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** (bytes downloaded so far, bytes expected in all; 0 when a size is unknown) */
export type ProgressFn = (loaded: number, total: number) => void;

/** The data lives next to the bundles (www/build/data/...), whichever bundle asks. */
function dataUrl(dataset: DatasetName, file: string): URL {
  return new URL(`./data/${dataset}/${file}.gz`, import.meta.url);
}

async function fetchGz(url: URL, onBytes: (n: number) => void, onTotal: (n: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) {
    throw new Error(`Could not download ${url.pathname} (HTTP ${res.status}). Was scripts/build-web.sh run?`);
  }
  onTotal(Number(res.headers.get('Content-Length')) || 0);
  const counted = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        onBytes(chunk.byteLength);
        out.enqueue(chunk);
      },
    }),
  );
  // The browser's native gunzip is much faster than doing it in wasm; the wasm parser also
  // accepts gzip, so a browser without DecompressionStream still works.
  const stream =
    typeof DecompressionStream === 'undefined'
      ? counted
      : counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Fetches the files in parallel; progress is summed over all of them. */
async function fetchAll(dataset: DatasetName, files: string[], onProgress?: ProgressFn): Promise<Uint8Array[]> {
  let loaded = 0;
  const totals = files.map(() => 0);
  const report = () => onProgress?.(loaded, totals.reduce((a, b) => a + b, 0));
  return Promise.all(
    files.map((f, i) =>
      fetchGz(
        dataUrl(dataset, f),
        (n) => {
          loaded += n;
          report();
        },
        (n) => {
          totals[i] = n;
        },
      ),
    ),
  );
}

/** [trainImages, trainLabels, testImages, testLabels], raw idx bytes. */
export function fetchFull(dataset: DatasetName, onProgress?: ProgressFn): Promise<Uint8Array[]> {
  return fetchAll(dataset, [...TRAIN, ...TEST], onProgress);
}

/** [testImages, testLabels]: 10,000 images, ~1.7 MB compressed. */
export function fetchTest(dataset: DatasetName, onProgress?: ProgressFn): Promise<Uint8Array[]> {
  return fetchAll(dataset, TEST, onProgress);
}

export function megabytes(n: number): string {
  return (n / 1e6).toFixed(1);
}
