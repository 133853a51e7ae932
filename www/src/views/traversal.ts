// Latent traversal: one dimension at a time, z_d sweeps from 3 prior standard deviations
// below the posterior mean of the current drawing (or 0) to 3 above and back, while the
// other dimensions stay fixed. Decodes one row per frame at ~30 fps.
import type { DrawPanel } from './draw-panel';
import { SIDE } from '../pure/preprocess';
import type { ModelHolder } from '../app/model-holder';
import { el, type Root } from './ui';

const SWEEP_MS = 2400; // one dimension: -3 -> +3 -> -3
const FRAME_MS = 33;
const STRIP = 7; // static tiles at -3, -2, ..., +3
const BIG = 6; // the animated tile's scale
const SMALL = 2;
const GAP = 4;
const STRIP_W = STRIP * SIDE * SMALL + (STRIP - 1) * GAP;

export class Traversal {
  private readonly canvas: HTMLCanvasElement;
  private readonly tile = document.createElement('canvas');
  private dim = 0;
  private t0 = performance.now();
  private lastFrame = 0;
  private playing = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  /** Decoded strip for the current dimension (STRIP rows); recomputed when anything moves. */
  private strip: Float32Array | null = null;
  /** Off screen (a widget further down a tutorial) the animation stops decoding: several
   * widgets on one page would otherwise each spend a core's share at 30 fps. */
  private onScreen = true;

  constructor(
    private readonly holder: ModelHolder,
    private readonly panel: DrawPanel,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    this.canvas = el<HTMLCanvasElement>('traversal', root);
    new IntersectionObserver(([entry]) => (this.onScreen = entry.isIntersecting)).observe(this.canvas);
    this.tile.width = this.tile.height = SIDE;
    // The animated tile on top, the strip of fixed steps under it, a marker in between.
    this.canvas.width = STRIP_W;
    this.canvas.height = SIDE * BIG + 24 + SIDE * SMALL;
    holder.subscribe(() => (this.strip = null));
    panel.onUpdate(() => (this.strip = null));
    el('traversal-play', this.root).addEventListener('click', () => this.setPlaying(!this.playing));
    el('traversal-prev', this.root).addEventListener('click', () => this.step(-1));
    el('traversal-next', this.root).addEventListener('click', () => this.step(1));
    this.setPlaying(this.playing);
    requestAnimationFrame((now) => this.frame(now));
  }

  private setPlaying(on: boolean): void {
    this.playing = on;
    const b = el('traversal-play', this.root);
    b.textContent = on ? 'Pause animation' : 'Play animation';
    b.setAttribute('aria-pressed', String(on));
    this.t0 = performance.now();
  }

  private step(delta: number): void {
    const n = this.holder.latent;
    this.dim = (((this.dim + delta) % n) + n) % n;
    this.strip = null;
    this.t0 = performance.now();
    if (!this.playing) this.draw(0);
  }

  /** The traversal's centre: the drawing's posterior mean, or the prior mean. */
  private base(): Float32Array {
    const n = this.holder.latent;
    const mu = this.panel.posterior?.mu;
    return mu && mu.length === n ? Float32Array.from(mu) : new Float32Array(n);
  }

  private frame(now: number): void {
    // A removed widget's canvas never comes back (a re-inserted widget builds new panels).
    if (!this.canvas.isConnected) return;
    requestAnimationFrame((t) => this.frame(t));
    if (!this.playing || !this.onScreen || now - this.lastFrame < FRAME_MS) return;
    this.lastFrame = now;
    let phase = (now - this.t0) / SWEEP_MS;
    if (phase >= 1) {
      this.dim = (this.dim + 1) % this.holder.latent;
      this.strip = null;
      this.t0 = now;
      phase = 0;
    }
    // -cos: starts at -3, smooth turnarounds at both ends.
    this.draw(-3 * Math.cos(2 * Math.PI * phase));
  }

  private draw(offset: number): void {
    const m = this.holder.model;
    const n = m.latent();
    if (this.dim >= n) this.dim = 0;
    const z = this.base();
    const centre = z[this.dim];
    if (!this.strip) {
      const rows = new Float32Array(STRIP * n);
      for (let i = 0; i < STRIP; i++) {
        rows.set(z, i * n);
        rows[i * n + this.dim] = centre - 3 + i;
      }
      this.strip = m.decode(rows);
    }
    z[this.dim] = centre + offset;
    const image = m.decode(z);

    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.blit(ctx, image, 0, (STRIP_W - SIDE * BIG) / 2, 0, SIDE * BIG);
    const y0 = SIDE * BIG + 24;
    for (let i = 0; i < STRIP; i++) this.blit(ctx, this.strip, i, i * (SIDE * SMALL + GAP), y0, SIDE * SMALL);
    // A marker above the strip at the animated value.
    const mx = (SIDE * SMALL) / 2 + ((offset + 3) / 6) * (STRIP_W - SIDE * SMALL);
    ctx.fillStyle = '#d9480f';
    ctx.beginPath();
    ctx.moveTo(mx, y0 - 4);
    ctx.lineTo(mx - 8, y0 - 18);
    ctx.lineTo(mx + 8, y0 - 18);
    ctx.fill();

    const sigma = this.panel.posterior?.sigma[this.dim];
    const note = sigma === undefined ? '' : sigma < 0.5 ? ` · posterior σ ${sigma.toFixed(2)} (active)` : ` · posterior σ ${sigma.toFixed(2)} (inactive: unused by the model)`;
    el('traversal-label', this.root).textContent = `Dimension ${this.dim + 1} of ${n}: z${this.dim + 1} = ${centre.toFixed(2)} ${offset >= 0 ? '+' : '−'} ${Math.abs(offset).toFixed(1)}${note}`;
  }

  private blit(ctx: CanvasRenderingContext2D, pixels: Float32Array, index: number, x: number, y: number, size: number): void {
    const tctx = this.tile.getContext('2d');
    if (!tctx) return;
    const img = tctx.createImageData(SIDE, SIDE);
    const base = index * SIDE * SIDE;
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[base + i])));
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    tctx.putImageData(img, 0, 0);
    ctx.drawImage(this.tile, x, y, size, size);
  }
}
