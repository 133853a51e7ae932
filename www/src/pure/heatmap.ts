// The posterior map's colour scale and axis ticks, DOM-free. The scale is logarithmic in
// the density: log p(x, z) itself, clipped to the 25 nats below its maximum. A linear
// (exp-normalised) scale would show only the mode's few cells, since a trained q is far
// narrower than the grid's box; on a log scale the tails, a second mode or a banana shape
// stay visible.

/** The nats shown below the maximum; everything lower has the darkest colour. */
export const RANGE_NATS = 25;

// Viridis at five stops (dark blue -> green -> yellow): perceptually ordered, readable in
// greyscale and by most colour-blind readers.
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** RGB of t in [0, 1] (clamped). */
export function viridis(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** RGBA bytes of a row-major nx x ny map, row 0 at the top: the map's y axis runs upwards,
 * so the grid's last row (largest z_y) is painted first. */
export function heatmapPixels(logJoint: ArrayLike<number>, nx: number, ny: number, max: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(nx * ny * 4);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const [r, g, b] = viridis(1 - (max - logJoint[j * nx + i]) / RANGE_NATS);
      const o = ((ny - 1 - j) * nx + i) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Round tick values (1, 2 or 5 times a power of ten) within [lo, hi], about `n` of them. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
