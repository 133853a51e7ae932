// gzip with its size checked first: the trailer's ISIZE (RFC 1952, section 2.3.1) says how
// large the data decompresses to, so a small "gzip bomb" is refused before any allocation.
import { errorMessage } from '../error-message';
import { gunzipSync } from 'fflate';
import { checkBytes, ImportError } from './limits';

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export function gunzipChecked(b: Uint8Array, name: string): Uint8Array {
  if (b.length < 18) throw new ImportError(`${name}: not a complete gzip file.`);
  const isize = new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true);
  checkBytes(isize, `${name} (decompressed)`);
  // ISIZE is the size modulo 2^32; a buffer of exactly that size cannot grow, and a file
  // that lied comes out short, which the format's own parser then reports.
  try {
    return gunzipSync(b, { out: new Uint8Array(isize) });
  } catch (e) {
    throw new ImportError(`${name}: the gzip data is damaged (${errorMessage(e)}).`);
  }
}
