// The saved training run, in IndexedDB (available to the page and to workers alike).
// Two records: 'meta' (small: what the page shows of the run) and 'state' (the
// Trainer.saveState blob: model, optimizer moments, position, config). Written together in
// one transaction, so a reload never sees one without the other.
// A third, 'generation', counts discards. A run's saves carry the generation it started
// under and are dropped, inside the same transaction, once a discard has moved it on: a save
// still in flight (another tab, a worker's last save on pause) can never bring back a run
// someone discarded.
import { transact as inStore, type StoreSpec } from './idb';
import type { DatasetName, OwnOptions } from './protocol';
import type { Binarization, ModelConfig, TrainConfig } from './wasm';

const DB = 'vae-playground';
const STORE = 'training';
const VERSION = 1;

export type Point = [step: number, value: number];
export type TermPoint = [step: number, reconstruction: number, kl: number];

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
  /** terms: the test ELBO's two terms at each evaluation, [step, E_q[log p(x|z)], KL]
   * (absent in runs saved before they were kept). */
  curves: { train: Point[]; test: Point[]; terms?: TermPoint[] };
  /** Workers K the run trained with (the setting: a number or 'auto'). */
  workers?: number | 'auto';
}

const SPEC: StoreSpec = { db: DB, store: STORE, version: VERSION };

function transact<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return inStore(SPEC, mode, f);
}

const key = (slot: string, what: 'state' | 'meta' | 'generation') => `${slot}:${what}`;

/** The discards so far: a run started now saves under this generation. */
export async function generation(slot = 'page'): Promise<number> {
  return ((await transact<number>('readonly', (s) => s.get(key(slot, 'generation')))) as number | undefined) ?? 0;
}

/** Replaces the saved run, unless a discard came after the run's `gen` began: then nothing is
 * written and the answer is false. The check and the write are one transaction, and
 * IndexedDB runs overlapping read-write transactions one at a time, in order. */
export async function save(state: Uint8Array, meta: SavedMeta, gen: number, slot = 'page'): Promise<boolean> {
  let written = false;
  await transact('readwrite', (s) => {
    const current = s.get(key(slot, 'generation'));
    current.onsuccess = () => {
      if (((current.result as number | undefined) ?? 0) !== gen) return;
      s.put(state, key(slot, 'state'));
      s.put(meta, key(slot, 'meta'));
      written = true;
    };
  });
  return written;
}

export async function loadMeta(slot = 'page'): Promise<SavedMeta | null> {
  return ((await transact<SavedMeta>('readonly', (s) => s.get(key(slot, 'meta')))) as SavedMeta | undefined) ?? null;
}

/** The saved run, with the generation its later saves must carry. */
export async function loadState(slot = 'page'): Promise<{ state: Uint8Array; meta: SavedMeta; generation: number } | null> {
  let out: { state?: Uint8Array; meta?: SavedMeta; generation?: number } = {};
  await transact('readonly', (s) => {
    const get = (what: 'state' | 'meta' | 'generation') => {
      const r = s.get(key(slot, what));
      r.onsuccess = () => (out = { ...out, [what]: r.result });
    };
    get('state');
    get('meta');
    get('generation');
  });
  return out.meta && out.state ? { state: out.state, meta: out.meta, generation: out.generation ?? 0 } : null;
}

/** Forgets the saved run (the explicit reset) and moves the generation on, so that no save
 * begun before this one lands after it. */
export function discard(slot = 'page'): Promise<unknown> {
  return transact('readwrite', (s) => {
    const current = s.get(key(slot, 'generation'));
    current.onsuccess = () => {
      s.put(((current.result as number | undefined) ?? 0) + 1, key(slot, 'generation'));
      s.delete(key(slot, 'state'));
      s.delete(key(slot, 'meta'));
    };
  });
}

/** Keeps a curve at most `max` points long by dropping every other old point. */
export function thin<P>(points: P[], max = 1500): void {
  if (points.length <= max) return;
  const keep = points.filter((_, i) => i % 2 === 0 || i >= points.length - max / 4);
  points.splice(0, points.length, ...keep);
}
