// The training data of the lead: MNIST or Fashion-MNIST downloaded once and kept while the
// data set stays the same, or the personal set (own-data.ts), read afresh for every run.
import { DATASET_LABELS, fetchFull, megabytes } from '../shared/data';
import type { DatasetName, OwnOptions } from '../shared/protocol';
import { Data } from '../shared/wasm';
import { ownFiles } from './own-data';
import { post, run, TEST_IMAGES } from './lead-run';

const OWN_DEFAULTS: OwnOptions = { holdout: 0.1, mix: 0.25 };

/** A personal set as idx files; throws (saying why) before anything is stopped. */
export async function prepareOwn(name: DatasetName, opts: OwnOptions | undefined): Promise<{ files: Uint8Array[]; note: string } | undefined> {
  if (name !== 'own' && name !== 'own-mnist') return undefined;
  return ownFiles(name, opts ?? OWN_DEFAULTS, (text) => post({ type: 'status', text }));
}

/** own: the personal set's idx files, prepared (and checked) before the old run stopped. */
export async function getData(name: DatasetName, own?: { files: Uint8Array[]; note: string }): Promise<Data> {
  if (own) {
    run.data?.d.free();
    const [a, b, c, d] = own.files;
    run.data = { name, d: Data.fromIdx(a, b, c, d), note: own.note };
    return run.data.d;
  }
  if (run.data?.name === name) return run.data.d;
  run.data?.d.free();
  run.data = null;
  const label = DATASET_LABELS[name];
  let shown = 0;
  const files = await fetchFull(name, (loaded, total) => {
    const now = performance.now();
    if (now - shown < 150) return; // a status line per chunk would flood the page
    shown = now;
    post({ type: 'status', text: `Downloading ${label}: ${megabytes(loaded)} / ${megabytes(total)} MB` });
  });
  post({ type: 'status', text: `Parsing ${label}…` });
  const [a, b, c, d] = files;
  run.data = { name, d: Data.fromIdx(a, b, c, d), note: `Test ELBO: on the first ${TEST_IMAGES} test images of ${label}` };
  return run.data.d;
}
