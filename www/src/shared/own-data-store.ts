// The personal data set, in IndexedDB (the page adds and deletes; the training worker reads
// it when training starts): one record per image, so deleting one touches one record and
// a reload shows the set as it was.
import { transact as inStore, type StoreSpec } from './idb';
import { ImportError, MAX_IMAGES, PIXELS, type ImageSet } from '../pure/import/limits';
import { MIN_OWN, tooSmall } from '../pure/import/own-split';
import type { DatasetName } from './protocol';

const DB = 'vae-own-data';
const STORE = 'images';
const VERSION = 1;

export interface OwnImage {
  id: number;
  /** 784 bytes, intensity x 255, as the core stores images. */
  pixels: Uint8Array;
  label: number | null;
  tag: string;
  source: 'drawn' | 'upload';
}

const SPEC: StoreSpec = { db: DB, store: STORE, version: VERSION, options: { keyPath: 'id', autoIncrement: true } };

function transact<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return inStore(SPEC, mode, f);
}

/** In-page listeners to changes of the set (the scatter's highlight, the posterior's
 * "your digit #k"): the panel that adds or deletes tells them, after the change is stored. */
const listeners = new Set<() => void>();

/** Calls `f` after every change of the set; the answer stops it. */
export function onOwnChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

function changed<T>(v: T): T {
  for (const f of listeners) f();
  return v;
}

export async function countImages(): Promise<number> {
  return (await transact('readonly', (s) => s.count())) ?? 0;
}

export async function listImages(): Promise<OwnImage[]> {
  return ((await transact('readonly', (s) => s.getAll())) ?? []) as OwnImage[];
}

/** Adds every image of `set` in one transaction (all or none); the set's new size. */
export async function addImages(set: ImageSet, source: OwnImage['source']): Promise<number> {
  const before = await countImages();
  if (before + set.count > MAX_IMAGES) {
    throw new ImportError(`Your set has ${before} images; adding ${set.count} would pass the limit of ${MAX_IMAGES.toLocaleString('en')}.`);
  }
  await transact('readwrite', (s) => {
    for (let i = 0; i < set.count; i++) {
      s.add({ pixels: set.pixels.slice(i * PIXELS, (i + 1) * PIXELS), label: set.labels[i], tag: set.tags[i], source });
    }
  });
  return changed(before + set.count);
}

export async function removeImage(id: number): Promise<void> {
  changed(await transact('readwrite', (s) => s.delete(id)));
}

export async function clearImages(): Promise<void> {
  changed(await transact('readwrite', (s) => s.clear()));
}

/** The whole set as one ImageSet, in the order added. */
export async function loadSet(): Promise<ImageSet> {
  const all = await listImages();
  const pixels = new Uint8Array(all.length * PIXELS);
  all.forEach((r, i) => pixels.set(r.pixels, i * PIXELS));
  return { count: all.length, pixels, labels: all.map((r) => r.label), tags: all.map((r) => r.tag) };
}

/** Why `dataset` cannot be trained on now (a personal set that is too small), or null. */
export async function ownSetProblem(dataset: DatasetName): Promise<string | null> {
  if (dataset !== 'own' && dataset !== 'own-mnist') return null;
  const n = await countImages();
  return n >= MIN_OWN ? null : tooSmall(n);
}
