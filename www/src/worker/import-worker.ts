// Parses an upload off the page's thread: reads the files, unpacks zips and gzips, decodes
// PNG/JPEG with createImageBitmap into an OffscreenCanvas, and reports progress. The page
// stores the result (shared/own-data-store.ts); on any error nothing is stored.
import { errorMessage } from '../pure/error-message';
import { importFiles, type InFile } from '../pure/import/files';
import { checkBytes, ImportError } from '../pure/import/limits';
import type { FromImport, ToImport } from '../shared/import-protocol';

declare const self: DedicatedWorkerGlobalScope;

function post(m: FromImport, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

async function decode(bytes: Uint8Array): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]));
  try {
    const { width, height } = bitmap;
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2-D canvas in this worker');
    ctx.drawImage(bitmap, 0, 0);
    return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

self.onmessage = async (e: MessageEvent<ToImport>) => {
  try {
    const { files, keep28 } = e.data;
    checkBytes(files.reduce((s, f) => s + f.file.size, 0), 'The upload');
    const read: InFile[] = [];
    for (const [i, f] of files.entries()) {
      read.push({ path: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) });
      post({ type: 'progress', done: i + 1, total: files.length, what: 'Reading files' });
    }
    const out = await importFiles(read, {
      keep28,
      decode,
      progress: (done, total) => (done % 20 === 0 || done === total) && post({ type: 'progress', done, total, what: 'Decoding images' }),
    });
    post({ type: 'done', count: out.count, pixels: out.pixels, labels: out.labels, tags: out.tags, skipped: out.skipped }, [out.pixels.buffer]);
  } catch (err) {
    const message = err instanceof ImportError ? err.message : `The upload could not be read: ${errorMessage(err)}`;
    post({ type: 'error', message });
  }
};
