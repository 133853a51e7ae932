// MNIST-style preprocessing of a drawing, as a pure function (tested in Node).
// LeCun et al. normalised each digit to fit a 20x20 box preserving its aspect ratio
// (anti-aliased), then placed it in a 28x28 image so that its centre of mass sits at the
// centre. A model trained on MNIST only understands drawings prepared the same way.

export const SIDE = 28;
const BOX = 20;

/** Scales n values at `stride` apart by `scale` into m = ceil(n * scale) values, each the
 * fraction of its output pixel covered by ink (a box filter with fractional coverage): thin
 * strokes turn grey instead of vanishing or thickening, at any scale. */
function resample1d(src: Float32Array, start: number, stride: number, n: number, scale: number, out: Float32Array, outStart: number, outStride: number, m: number): void {
  const ratio = 1 / scale; // source pixels per output pixel
  for (let i = 0; i < m; i++) {
    const a = i * ratio;
    const b = a + ratio;
    let sum = 0;
    for (let j = Math.floor(a); j < Math.min(n, Math.ceil(b)); j++) {
      const cover = Math.min(b, j + 1) - Math.max(a, j);
      if (cover > 0) sum += src[start + j * stride] * cover;
    }
    out[outStart + i * outStride] = sum / ratio;
  }
}

/** Bounding box of the pixels above `threshold`, or null when there are none. */
export function inkBox(ink: Float32Array, w: number, h: number, threshold = 0.05): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/**
 * ink: w*h intensities in [0,1] (1 = ink), row-major. Returns 784 intensities in [0,1],
 * or null for an empty drawing.
 */
export function preprocess(ink: Float32Array, w: number, h: number): Float32Array | null {
  const box = inkBox(ink, w, h);
  if (!box) return null;
  const [bx, by, bw, bh] = box;
  // One scale for both axes (the aspect ratio is kept); the short side may end in a
  // partly covered pixel.
  const scale = BOX / Math.max(bw, bh);
  const ow = Math.min(BOX, Math.ceil(bw * scale - 1e-6));
  const oh = Math.min(BOX, Math.ceil(bh * scale - 1e-6));

  // Separable: scale each row of the box to ow columns, then each column to oh rows.
  const rows = new Float32Array(bh * ow);
  for (let y = 0; y < bh; y++) resample1d(ink, (by + y) * w + bx, 1, bw, scale, rows, y * ow, 1, ow);
  const small = new Float32Array(oh * ow);
  for (let x = 0; x < ow; x++) resample1d(rows, x, ow, bh, scale, small, x, ow, oh);

  // Centre of mass, measured at pixel centres.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const v = small[y * ow + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  cx /= mass;
  cy /= mass;
  // Integer shift (as MNIST did), clamped so a very lopsided digit stays inside the frame
  // rather than losing ink over the edge.
  const dx = Math.max(0, Math.min(SIDE - ow, Math.round(SIDE / 2 - cx)));
  const dy = Math.max(0, Math.min(SIDE - oh, Math.round(SIDE / 2 - cy)));

  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      out[(y + dy) * SIDE + x + dx] = Math.min(1, Math.max(0, small[y * ow + x]));
    }
  }
  return out;
}
