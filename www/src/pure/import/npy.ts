// NumPy's .npy format (numpy.lib.format, "NEP 1"): the magic \x93NUMPY, a version, a header
// length, a Python dict literal with descr, fortran_order and shape, then the array. Only
// what the playground can train on is accepted: uint8 or float32 in [0, 1], N×28×28 or N×784.
import { checkImages, ImportError, PIXELS, SIDE } from './limits';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(b: Uint8Array): boolean {
  return b.length >= 6 && MAGIC.every((m, i) => b[i] === m);
}

export function parseNpy(b: Uint8Array, name: string): { count: number; pixels: Uint8Array } {
  if (!isNpy(b) || b.length < 10) throw new ImportError(`${name}: not a .npy file (no \\x93NUMPY magic).`);
  const major = b[6];
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const headerLen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLen;
  if (start > b.length) throw new ImportError(`${name}: truncated .npy header.`);
  const header = new TextDecoder('latin1').decode(b.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new ImportError(`${name}: the .npy header cannot be read.`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const kind = ['|u1', '<u1', 'u1', '|b1'].includes(descr) ? 'u8' : descr === '<f4' ? 'f32' : null;
  if (!kind) throw new ImportError(`${name}: dtype ${descr} is not supported: use uint8 (0–255) or float32 (0–1).`);
  const ok = (shape.length === 3 && shape[1] === SIDE && shape[2] === SIDE) || (shape.length === 2 && shape[1] === PIXELS);
  if (!ok) throw new ImportError(`${name}: shape (${shape.join(', ')}) is not N×28×28 or N×784.`);
  if (fortran === 'True' && shape.length === 3) throw new ImportError(`${name}: Fortran-ordered arrays are not supported: save with np.ascontiguousarray.`);
  const count = shape[0];
  checkImages(count, name);
  const width = kind === 'u8' ? 1 : 4;
  const need = count * PIXELS * width;
  if (b.length - start < need) throw new ImportError(`${name}: truncated: the shape needs ${need} bytes of data but ${b.length - start} follow.`);
  if (kind === 'u8') return { count, pixels: b.slice(start, start + need) };
  const pixels = new Uint8Array(count * PIXELS);
  for (let i = 0; i < pixels.length; i++) {
    const x = v.getFloat32(start + 4 * i, true);
    if (!(x >= 0 && x <= 1)) throw new ImportError(`${name}: value ${x} at index ${i}: float32 images must be intensities in [0, 1].`);
    pixels[i] = Math.round(x * 255);
  }
  return { count, pixels };
}
