// The training worker's data when it trains on the personal set: read from IndexedDB, a
// held-out share for the test ELBO, optionally mixed into MNIST's training set, as the four
// idx files Data.fromIdx takes (so the core has one data path).
import { fetchFull } from '../shared/data';
import { loadSet } from '../shared/own-data-store';
import type { OwnOptions } from '../shared/protocol';
import { gunzipChecked, isGzip } from '../pure/import/gzip';
import { copiesFor, heldOut, ownIdx, splitOwn } from '../pure/import/own-split';

export async function ownFiles(name: 'own' | 'own-mnist', opts: OwnOptions, status: (text: string) => void): Promise<{ files: Uint8Array[]; note: string }> {
  status('Reading your data set…');
  const set = await loadSet();
  let mnist: { pixels: Uint8Array; labels: Uint8Array; mix: number } | undefined;
  if (name === 'own-mnist') {
    splitOwn(set, opts.holdout); // too small a set is refused before the download
    status('Downloading MNIST to mix into…');
    // Without DecompressionStream the files arrive still gzipped.
    const [img, lbl] = (await fetchFull('mnist')).map((b) => (isGzip(b) ? gunzipChecked(b, 'MNIST') : b));
    mnist = { pixels: img.subarray(16), labels: lbl.subarray(8), mix: opts.mix };
  }
  const files = ownIdx(set, opts.holdout, mnist);
  const test = heldOut(set.count, opts.holdout);
  const share = Math.round(opts.holdout * 100);
  const own = set.count - test;
  const copies = mnist ? copiesFor(own, mnist.labels.length, opts.mix) : 1;
  const total = own * copies + (mnist?.labels.length ?? 0);
  const mixed = mnist
    ? `; training on your ${own} images ×${copies} mixed into MNIST's ${mnist.labels.length.toLocaleString('en')}: ${Math.round((100 * own * copies) / total)}% of ${total.toLocaleString('en')}`
    : '';
  return { files, note: `Test ELBO: on the ${test} image${test === 1 ? '' : 's'} of your data set held out of training (${share}%, at least one)${mixed}` };
}
