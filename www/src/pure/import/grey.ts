// Any picture to a 28×28 digit the way a drawing becomes one: greyscale ink (1 = ink), then
// the MNIST preprocessing of ../preprocess.ts (20×20 box, centre of mass at the centre).
import { preprocess } from '../preprocess';
import { PIXELS, SIDE } from './limits';

/** Ink in [0, 1] from RGBA. Transparent pictures: ink is where the paint is (alpha times its
 * darkness). Opaque ones: the luminance (ITU-R BT.601 weights), inverted when the border is
 * light, so dark ink on white paper and MNIST's white on black both come out as ink. */
export function toInk(rgba: ArrayLike<number>, w: number, h: number): Float32Array {
  const n = w * h;
  const lum = new Float32Array(n);
  let transparent = false;
  for (let i = 0; i < n; i++) {
    lum[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    if (rgba[4 * i + 3] < 255) transparent = true;
  }
  const ink = new Float32Array(n);
  if (transparent) {
    for (let i = 0; i < n; i++) ink[i] = (rgba[4 * i + 3] / 255) * (1 - lum[i]);
    return ink;
  }
  let border = 0;
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y === 0 || x === 0 || y === h - 1 || x === w - 1) {
        border += lum[y * w + x];
        count++;
      }
    }
  }
  const invert = border / count > 0.5;
  for (let i = 0; i < n; i++) ink[i] = invert ? 1 - lum[i] : lum[i];
  return ink;
}

/** 784 bytes, or null for a blank picture. keep28: a 28×28 picture is taken as it is (it may
 * be MNIST-prepared already); otherwise it goes through the drawing's preprocessing. */
export function toDigit(ink: Float32Array, w: number, h: number, keep28: boolean): Uint8Array | null {
  const x = keep28 && w === SIDE && h === SIDE ? ink : preprocess(ink, w, h);
  if (!x || !x.some((v) => v > 0.05)) return null;
  const out = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = Math.round(Math.min(1, Math.max(0, x[i])) * 255);
  return out;
}

/** A float image (the drawing pad's 784 values) as stored bytes. */
export function toBytes(x: Float32Array): Uint8Array {
  return Uint8Array.from(x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}
