// The draw panel's outputs: what the model sees (the 28x28 input), its reconstruction,
// the posterior q(z|x) per latent dimension, and per-datapoint refinement. A widget's compact
// draw panel (next to a traversal, say) leaves out the posterior and refinement: those parts
// are looked up with find() and skipped when absent.
import type { DrawPad } from './draw-pad';
import type { ModelHolder } from '../app/model-holder';
import { el, errorMessage, find, frameThrottle, nats, paintDigit, randomSeed, showError, type Root } from './ui';
import type { Posterior } from '../shared/wasm';

export class DrawPanel {
  /** The current input (784 values) and its posterior; null while the canvas is empty. */
  x: Float32Array | null = null;
  posterior: Posterior | null = null;
  /** Refine's q for the current drawing (mu, log sigma^2); null until Refine, and again
   * once the drawing or the model is replaced. */
  refinedQ: { mu: Float32Array; lv: Float32Array } | null = null;
  /** The two ELBOs of the last Refine, unrounded, as shown (read by the debug hooks). */
  refinedElbo: { before: number; after: number } | null = null;
  private listeners: (() => void)[] = [];
  private refinedListeners: (() => void)[] = [];
  private readonly schedule: () => void;
  private firstPaint: (() => void) | null;
  /** Set when the drawing or the whole model changed: an old refinement no longer applies. */
  private stale = true;

  constructor(
    private readonly holder: ModelHolder,
    private readonly pad: DrawPad,
    onFirstPaint: () => void,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    this.firstPaint = onFirstPaint;
    this.schedule = frameThrottle(() => this.update());
    holder.subscribe((change) => {
      if (change === 'replaced') this.stale = true;
      this.schedule();
    });
    el('clear-button', root).addEventListener('click', () => pad.clear());
    el('example-button', root).addEventListener('click', () => pad.drawExample());
    find('refine-button', root)?.addEventListener('click', () => this.refine());
    const bars = find('posterior', root);
    if (bars) new ResizeObserver(() => this.paintPosterior()).observe(bars);
  }

  /** Called by the pad on every stroke segment; the work runs at most once a frame. */
  changed(): void {
    this.stale = true;
    this.schedule();
  }

  /** Runs after each update (traversal, interpolation and imputation follow the drawing). */
  onUpdate(f: () => void): void {
    this.listeners.push(f);
  }

  /** Runs after Refine found a q for this drawing (the posterior map shows its gap). */
  onRefined(f: () => void): void {
    this.refinedListeners.push(f);
  }

  private update(): void {
    // Re-read the canvas only when it changed: training redraws twice a second.
    const x = this.stale ? this.pad.image() : this.x;
    const m = this.holder.model;
    this.x = x;
    el('draw-hint', this.root).hidden = x !== null;
    if (this.stale) this.clearRefinement();
    this.stale = false;
    if (x) {
      try {
        this.posterior = m.encode(x);
        paintDigit(el('input-view', this.root), x);
        paintDigit(el('reconstruction', this.root), m.reconstruct(x));
      } catch (e) {
        this.posterior = null;
        showError(`Reconstruction failed: ${errorMessage(e)}`, this.root);
      }
    } else {
      this.posterior = null;
      paintDigit(el('input-view', this.root), null);
      paintDigit(el('reconstruction', this.root), null);
    }
    const refine = find<HTMLButtonElement>('refine-button', this.root);
    if (refine) refine.disabled = x === null;
    this.paintPosterior();
    for (const f of this.listeners) f();
    if (x && this.firstPaint) {
      const done = this.firstPaint;
      this.firstPaint = null;
      done();
    }
  }

  private clearRefinement(): void {
    this.refinedQ = null;
    this.refinedElbo = null;
    const result = find('refine-result', this.root);
    if (result) result.textContent = '';
    const figure = find('refined-figure', this.root);
    if (figure) figure.hidden = true;
  }

  /** Bars: posterior mean per dimension, with a band of ±1 posterior standard deviation. */
  private paintPosterior(): void {
    const canvas = find<HTMLCanvasElement>('posterior', this.root);
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    const mid = h / 2;
    const scale = (h / 2 - 2) / 3; // ±3 fills the height
    ctx.fillStyle = '#8884';
    ctx.fillRect(0, Math.round(mid), w, Math.max(1, dpr));
    const p = this.posterior;
    if (!p) return;
    const n = p.mu.length;
    const col = w / n;
    for (let i = 0; i < n; i++) {
      const mu = Math.max(-3, Math.min(3, p.mu[i]));
      const s = p.sigma[i];
      const x = i * col + col * 0.15;
      const bw = col * 0.7;
      ctx.fillStyle = 'rgba(230, 140, 20, 0.35)';
      const top = Math.max(0, mid - (mu + s) * scale);
      const bottom = Math.min(h, mid - (mu - s) * scale);
      ctx.fillRect(x, top, bw, bottom - top);
      ctx.fillStyle = '#2a6fdb';
      ctx.fillRect(x + bw * 0.25, Math.min(mid, mid - mu * scale), bw * 0.5, Math.max(1, Math.abs(mu * scale)));
    }
    const active = p.sigma.filter((s) => s < 0.5).length;
    el('posterior-note', this.root).textContent = `${active} of ${n} dimensions active (posterior σ < 0.5); the rest match the prior N(0, 1).`;
  }

  /** Per-datapoint SVI from the encoder's answer: how much better q could be for this x. */
  private refine(): void {
    const x = this.x;
    if (!x) return;
    const button = el<HTMLButtonElement>('refine-button', this.root);
    button.disabled = true;
    el('refine-result', this.root).textContent = 'Refining…';
    // Let the "Refining…" text paint before the (synchronous) optimisation runs.
    setTimeout(() => {
      try {
        const r = this.holder.model.refine(x, 200, 0.05, 10, randomSeed());
        const gap = r.elbo_after - r.elbo_before;
        this.refinedElbo = { before: r.elbo_before, after: r.elbo_after };
        el('refine-result', this.root).textContent =
          `ELBO ${nats(r.elbo_before)} → ${nats(r.elbo_after)} ` +
          `(${gap >= 0 ? '+' : ''}${gap.toFixed(1)} nats: the amortization gap)`;
        paintDigit(el('refined', this.root), r.reconstruction);
        el('refined-figure', this.root).hidden = false;
        // Only while it is still this drawing's q (a stroke may have landed meanwhile).
        if (this.x === x) {
          this.refinedQ = { mu: Float32Array.from(r.mu), lv: Float32Array.from(r.lv) };
          for (const f of this.refinedListeners) f();
        }
      } catch (e) {
        el('refine-result', this.root).textContent = '';
        showError(`Refinement failed: ${errorMessage(e)}`, this.root);
      } finally {
        button.disabled = this.x === null;
      }
    }, 30);
  }
}
