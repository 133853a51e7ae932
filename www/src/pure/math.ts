// Pure numerics for the latent views (tested in Node): seeded normals, the normal
// quantile function, PCA by power iteration.

/** A seeded standard normal (mulberry32 + Box–Muller): the same seed, the same z. */
export function normals(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

/** Inverse CDF of N(0,1) (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Top-k principal directions of the rows of x (n x d) by power iteration with deflation. */
export function pca(x: Float32Array, n: number, d: number, k = 2, iterations = 100): Float64Array[] {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = x[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (va * (x[i * d + b] - mean[b])) / n;
    }
  }
  const out: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    let v = new Float64Array(d).map((_, j) => 1 + j * 0.01); // fixed start: a stable picture
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b] * v[b];
      const norm = Math.hypot(...w) || 1;
      v = w.map((t) => t / norm);
    }
    // Deflate: remove the found direction's variance before looking for the next.
    let lambda = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) lambda += v[a] * cov[a * d + b] * v[b];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= lambda * v[a] * v[b];
    out.push(v);
  }
  return out;
}
