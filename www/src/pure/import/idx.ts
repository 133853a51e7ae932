// The idx format of MNIST (LeCun et al., "THE MNIST DATABASE", file formats section): a
// big-endian header (magic 0x00000803 for images, 0x00000801 for labels, then the counts)
// and the bytes. Every size is checked against the header before anything is allocated.
import { checkImages, ImportError, PIXELS, SIDE } from './limits';

export const IMAGES_MAGIC = 0x803;
export const LABELS_MAGIC = 0x801;

export function idxMagic(b: Uint8Array): number {
  return b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0) : -1;
}

/** count x 784 bytes, a view into `b`. */
export function parseIdxImages(b: Uint8Array, name: string): { count: number; pixels: Uint8Array } {
  if (b.length < 16) throw new ImportError(`${name}: too short for an idx image file (${b.length} bytes; the header alone is 16).`);
  const v = new DataView(b.buffer, b.byteOffset, 16);
  const magic = v.getUint32(0);
  if (magic !== IMAGES_MAGIC) throw new ImportError(`${name}: wrong magic number 0x${hex(magic)} for idx images (expected 0x${hex(IMAGES_MAGIC)}).`);
  const [count, rows, cols] = [v.getUint32(4), v.getUint32(8), v.getUint32(12)];
  checkImages(count, name);
  if (rows !== SIDE || cols !== SIDE) throw new ImportError(`${name}: images are ${rows}×${cols}; the models here take ${SIDE}×${SIDE}.`);
  const body = b.length - 16;
  if (body < count * PIXELS) {
    throw new ImportError(`${name}: truncated: the header says ${count} images (${count * PIXELS} bytes) but only ${body} bytes follow.`);
  }
  if (body > count * PIXELS) {
    throw new ImportError(`${name}: wrong count: the header says ${count} images but the file holds ${body / PIXELS} images' bytes.`);
  }
  return { count, pixels: b.subarray(16) };
}

export function parseIdxLabels(b: Uint8Array, name: string): Uint8Array {
  if (b.length < 8) throw new ImportError(`${name}: too short for an idx label file (${b.length} bytes; the header alone is 8).`);
  const v = new DataView(b.buffer, b.byteOffset, 8);
  const magic = v.getUint32(0);
  if (magic !== LABELS_MAGIC) throw new ImportError(`${name}: wrong magic number 0x${hex(magic)} for idx labels (expected 0x${hex(LABELS_MAGIC)}).`);
  const count = v.getUint32(4);
  checkImages(count, name);
  if (b.length - 8 < count) throw new ImportError(`${name}: truncated: the header says ${count} labels but only ${b.length - 8} bytes follow.`);
  if (b.length - 8 > count) throw new ImportError(`${name}: wrong count: the header says ${count} labels but the file holds ${b.length - 8}.`);
  const labels = b.subarray(8);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new ImportError(`${name}: label ${labels[bad]} at index ${bad} is not a digit 0–9.`);
  return labels;
}

/** The two files, as MNIST ships them. */
export function writeIdxImages(pixels: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(16 + count * PIXELS);
  const v = new DataView(out.buffer);
  v.setUint32(0, IMAGES_MAGIC);
  v.setUint32(4, count);
  v.setUint32(8, SIDE);
  v.setUint32(12, SIDE);
  out.set(pixels.subarray(0, count * PIXELS), 16);
  return out;
}

export function writeIdxLabels(labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, LABELS_MAGIC);
  v.setUint32(4, labels.length);
  out.set(Array.from(labels), 8);
  return out;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');
