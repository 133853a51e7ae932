// The saved training run, in IndexedDB (available to the page and to workers alike).
// Two records: 'meta' (small: what the page shows in its resume offer) and 'state' (the
// Trainer.saveState blob: model, optimizer moments, position, config). Written together in
// one transaction, so a reload never sees one without the other.
import type { DatasetName, OwnOptions } from './protocol';
import type { Binarization, ModelConfig, TrainConfig } from './wasm';

const DB = 'vae-playground';
const STORE = 'training';
const VERSION = 1;

export type Point = [step: number, value: number];

export interface SavedMeta {
  step: number;
  epoch: number;
  /** ms since the epoch (Date.now()) */
  savedAt: number;
  dataset: DatasetName;
  own?: OwnOptions;
  binarization: Binarization;
  config: ModelConfig;
  train: TrainConfig;
  /** The page's step and epoch offsets (earlier trainers on the same model). */
  offset: number;
  epochOffset: number;
  curves: { train: Point[]; test: Point[] };
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function transact<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

/** Replaces the saved run. */
export function save(state: Uint8Array, meta: SavedMeta, slot = 'page'): Promise<unknown> {
  return transact('readwrite', (s) => {
    s.put(state, `${slot}:state`);
    s.put(meta, `${slot}:meta`);
  });
}

export async function loadMeta(slot = 'page'): Promise<SavedMeta | null> {
  return ((await transact<SavedMeta>('readonly', (s) => s.get(`${slot}:meta`))) as SavedMeta | undefined) ?? null;
}

export async function loadState(slot = 'page'): Promise<{ state: Uint8Array; meta: SavedMeta } | null> {
  const meta = await loadMeta(slot);
  const state = (await transact<Uint8Array>('readonly', (s) => s.get(`${slot}:state`))) as Uint8Array | undefined;
  return meta && state ? { state, meta } : null;
}

/** Forgets the saved run (the explicit reset). */
export function clear(slot = 'page'): Promise<unknown> {
  return transact('readwrite', (s) => {
    s.delete(`${slot}:state`);
    s.delete(`${slot}:meta`);
  });
}

/** Keeps a curve at most `max` points long by dropping every other old point. */
export function thin(points: Point[], max = 1500): void {
  if (points.length <= max) return;
  const keep = points.filter((_, i) => i % 2 === 0 || i >= points.length - max / 4);
  points.splice(0, points.length, ...keep);
}
