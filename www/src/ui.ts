// Small page helpers: element lookup, the error banner, number formatting, painting
// 28x28 greyscale images onto canvases.
import { SIDE } from './preprocess';

/** The element with data-testid or id `name`; a missing one is a bug in index.html. */
export function el<T extends HTMLElement = HTMLElement>(name: string): T {
  const found = document.querySelector(`[data-testid="${name}"]`) ?? document.getElementById(name);
  if (!found) throw new Error(`index.html has no element "${name}"`);
  return found as T;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/** Shows a message in the error banner (role=alert, so screen readers announce it). */
export function showError(message: string): void {
  const banner = el('error');
  el('error-text').textContent = message;
  banner.hidden = false;
}

export function clearError(): void {
  el('error').hidden = true;
}

export function initErrorBanner(): void {
  el('error-close').addEventListener('click', clearError);
  // Anything that escapes a handler still reaches the person using the page.
  window.addEventListener('unhandledrejection', (e) => showError(errorMessage(e.reason)));
}

/** Nats with one decimal and an ASCII minus, so the text is easy to read back. */
export function nats(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : '—';
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Seeds for the wasm side (f64 there, cast to u64): any 32-bit integer. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  return ctx;
}

/** Writes image `index` of a batch of 28x28 intensities into `img` at (x, y). */
function blit(img: ImageData, pixels: ArrayLike<number>, index: number, x: number, y: number): void {
  const base = index * SIDE * SIDE;
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[base + r * SIDE + c])));
      const o = ((y + r) * img.width + x + c) * 4;
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
      img.data[o + 3] = 255;
    }
  }
}

/** Paints one 28x28 image onto a 28x28 canvas (CSS scales it up, pixelated). */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number> | null): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const ctx = context(canvas);
  const img = ctx.createImageData(SIDE, SIDE);
  if (pixels) blit(img, pixels, 0, 0, 0);
  else for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255; // black
  ctx.putImageData(img, 0, 0);
}

/** Paints `count` images in a grid of `cols` columns, `gap` pixels apart, at native size. */
export function paintGrid(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, count: number, cols: number, gap = 1): void {
  const rows = Math.ceil(count / cols);
  canvas.width = cols * SIDE + (cols - 1) * gap;
  canvas.height = rows * SIDE + (rows - 1) * gap;
  const ctx = context(canvas);
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(255); // white gaps between the tiles
  for (let i = 0; i < count; i++) {
    blit(img, pixels, i, (i % cols) * (SIDE + gap), Math.floor(i / cols) * (SIDE + gap));
  }
  ctx.putImageData(img, 0, 0);
}

/** Coalesces repeated requests into one call per animation frame. */
export function frameThrottle(f: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      f();
    });
  };
}
