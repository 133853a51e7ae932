// Small page helpers: element lookup, the error banner, number formatting, painting
// 28x28 greyscale images onto canvases.
import { SIDE } from '../pure/preprocess';
import type { ErrorKind } from '../shared/wasm';
import { errorMessage } from '../pure/error-message';

/** Where a panel looks for its elements: the page (document) or a widget's shadow root.
 * Ids are only unique per root, so every lookup is scoped to one. */
export type Root = ParentNode;

/** The element with data-testid or id `name` under `root`, or null. For the parts a widget's
 * view may leave out (the posterior bars in a compact draw panel, say). */
export function find<T extends HTMLElement = HTMLElement>(name: string, root: Root = document): T | null {
  return root.querySelector<T>(`[data-testid="${name}"]`) ?? root.querySelector<T>(`#${CSS.escape(name)}`);
}

/** The element with data-testid or id `name` under `root`; a missing one is a bug in the markup. */
export function el<T extends HTMLElement = HTMLElement>(name: string, root: Root = document): T {
  const found = find<T>(name, root);
  if (!found) throw new Error(`the markup has no element "${name}"`);
  return found;
}

export { errorMessage };

/** Shows a message in the error banner of `root` (role=alert, so screen readers announce
 * it). Each widget has its own banner: one widget's failure is shown where it happened. */
/** Shows `message` in the banner; `kind`, the core's kind of the failure when it was one,
 * is kept on the banner (data-kind) for a widget's `error` event. */
export function showError(message: string, root: Root = document, kind: ErrorKind | null = null): void {
  const banner = find('error', root);
  if (!banner) {
    console.error(message); // a root without a banner still leaves a trace
    return;
  }
  banner.dataset.kind = kind ?? '';
  el('error-text', root).textContent = message;
  banner.hidden = false;
}

export function clearError(root: Root = document): void {
  el('error', root).hidden = true;
}

/** Wires the banner's close button. Only the page (global: true) also catches unhandled
 * rejections: a widget must not claim a host page's errors as its own. */
export function initErrorBanner(root: Root = document, global = root === document): void {
  el('error-close', root).addEventListener('click', () => clearError(root));
  // Anything that escapes a handler still reaches the person using the page.
  if (global) window.addEventListener('unhandledrejection', (e) => showError(errorMessage(e.reason)));
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

/** The values each canvas was last painted from (the decoder's output, the input), for the
 * page's debug hooks (app/debug.ts): tests compare them with the native core's, and the
 * canvas's pixels with them. A reference, not a copy: painted arrays are not changed later. */
const painted = new WeakMap<HTMLCanvasElement, ArrayLike<number> | null>();

/** What `canvas` was last painted from by paintDigit or paintGrid (undefined: never). */
export function paintedValues(canvas: HTMLCanvasElement): ArrayLike<number> | null | undefined {
  return painted.get(canvas);
}

/** Paints one 28x28 image onto a 28x28 canvas (CSS scales it up, pixelated). */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number> | null): void {
  painted.set(canvas, pixels);
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
  painted.set(canvas, pixels);
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
