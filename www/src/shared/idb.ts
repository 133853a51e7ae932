// One IndexedDB object store, opened per call (the page and workers alike: a connection held
// open would block another tab's version upgrade) and used in one transaction at a time.
// Shared by the saved run (persist.ts) and the personal data set (own-data-store.ts).

export interface StoreSpec {
  db: string;
  store: string;
  version: number;
  /** The store's options when the database is first made (e.g. an auto-increment key). */
  options?: IDBObjectStoreParameters;
}

function open(spec: StoreSpec): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(spec.db, spec.version);
    req.onupgradeneeded = () => req.result.createObjectStore(spec.store, spec.options);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

/** Runs f in one transaction; resolves with its request's result once the transaction has
 * committed (not when the request succeeds: a later abort would undo it). */
export async function transact<T>(spec: StoreSpec, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open(spec);
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(spec.store, mode);
      const req = f(tx.objectStore(spec.store));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}
