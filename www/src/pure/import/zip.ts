// A .zip's files, with fflate (unzipSync's filter sees each entry's declared size before it
// is inflated, so the total is checked first). Folders and macOS' resource forks are skipped.
import { errorMessage } from '../error-message';
import { unzipSync } from 'fflate';
import { checkBytes, checkImages, ImportError } from './limits';

export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

export function unzipChecked(b: Uint8Array, name: string): { path: string; bytes: Uint8Array }[] {
  let total = 0;
  let files = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(b, {
      filter: (f) => {
        if (f.name.endsWith('/') || f.name.startsWith('__MACOSX/') || /(^|\/)\./.test(f.name)) return false;
        total += f.originalSize;
        checkBytes(total, `${name} (unzipped)`);
        checkImages(++files, name);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`${name}: not a readable zip file (${errorMessage(e)}).`);
  }
  return Object.entries(entries).map(([path, bytes]) => ({ path: `${name}/${path}`, bytes }));
}
