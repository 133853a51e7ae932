// Messages between the page and the import worker (worker/import-worker.ts). Types only.
export type ToImport = { files: { path: string; file: File }[]; keep28: boolean };
export type FromImport =
  | { type: 'progress'; done: number; total: number; what: string }
  | { type: 'done'; count: number; pixels: Uint8Array; labels: (number | null)[]; tags: string[]; skipped: string[] }
  | { type: 'error'; message: string };
