// Erase and impute: rub out part of the current digit; the model fills the erased pixels
// in (Model.impute: iterate encode -> sample z -> decode, keeping the known pixels clamped,
// Rezende et al. 2014, section 6.3) with the average of the decoder's means over the last
// AVERAGED iterations of CHAINS chains: an estimate of E[x_erased | x_kept], the guess with
// the least expected squared error (vae_core::impute says why several chains).
import type { DrawPanel } from './draw-panel';
import { SIDE } from '../pure/preprocess';
import type { ModelHolder } from '../app/model-holder';
import { el, errorMessage, frameThrottle, paintDigit, showError, type Root } from './ui';

/** 8 chains in one batch: one chain can stay with another digit's completion for hundreds
 * of iterations (the example 2's top half: MSE 0.120 with one chain, 0.071 with 8, the mean
 * image 0.080), and 8 rows cost about what one does. */
const CHAINS = 8;
const ITERATIONS = 100;
/** The first half of each chain is burn-in (it forgets its start at 0.5); its second half's
 * 50 draws of z are averaged: 400 in all. */
const AVERAGED = 50;
const BRUSH = 2.5; // radius in 28x28 pixels

export class ImputePanel {
  /** 1 = pixel kept, 0 = erased (unknown to the model). */
  private readonly observed = new Uint8Array(SIDE * SIDE).fill(1);
  private readonly canvas: HTMLCanvasElement;
  private erasing: number | null = null;
  private readonly schedule: () => void;

  constructor(
    private readonly holder: ModelHolder,
    private readonly panel: DrawPanel,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    this.canvas = el<HTMLCanvasElement>('impute-canvas', root);
    this.schedule = frameThrottle(() => this.update());
    holder.subscribe(() => this.schedule());
    panel.onUpdate(() => this.schedule());
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (this.erasing !== null) return;
      e.preventDefault();
      this.erasing = e.pointerId;
      c.setPointerCapture(e.pointerId);
      this.erase(e);
    });
    c.addEventListener('pointermove', (e) => {
      if (e.pointerId === this.erasing) this.erase(e);
    });
    const end = (e: PointerEvent) => {
      if (e.pointerId === this.erasing) this.erasing = null;
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    // Buttons give keyboard users the same experiment without a pointer.
    el('erase-top', this.root).addEventListener('click', () => this.preset((r) => r < SIDE / 2));
    el('erase-bottom', this.root).addEventListener('click', () => this.preset((r) => r >= SIDE / 2));
    el('erase-left', this.root).addEventListener('click', () => this.preset((_, c2) => c2 < SIDE / 2));
    el('erase-reset', this.root).addEventListener('click', () => this.preset(() => false));
  }

  private preset(erased: (row: number, col: number) => boolean): void {
    for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) this.observed[r * SIDE + c] = erased(r, c) ? 0 : 1;
    this.schedule();
  }

  private erase(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * SIDE;
    const py = ((e.clientY - rect.top) / rect.height) * SIDE;
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        if ((c + 0.5 - px) ** 2 + (r + 0.5 - py) ** 2 <= BRUSH * BRUSH) this.observed[r * SIDE + c] = 0;
      }
    }
    this.schedule();
  }

  private update(): void {
    const x = this.panel.x;
    const erased = this.observed.includes(0);
    el('impute-note', this.root).textContent = !x
      ? 'Draw a digit first.'
      : erased
        ? 'Erased pixels (red) are unknown to the model; on the right it fills them in.'
        : 'Rub out part of the digit (or use a button) to see the model fill it in.';
    this.paintMasked(x);
    if (!x || !erased) {
      paintDigit(el('imputed', this.root), x);
      return;
    }
    // The model must not see the erased ink: zero it before imputing.
    const known = x.map((v, i) => (this.observed[i] ? v : 0));
    try {
      paintDigit(el('imputed', this.root), this.holder.model.impute(known, this.observed, CHAINS, ITERATIONS, AVERAGED, 7));
    } catch (e) {
      showError(`Imputation failed: ${errorMessage(e)}`, this.root);
    }
  }

  /** The digit with its erased pixels tinted red. */
  private paintMasked(x: Float32Array | null): void {
    const c = this.canvas;
    c.width = SIDE;
    c.height = SIDE;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = x ? Math.round(255 * Math.min(1, Math.max(0, x[i]))) : 0;
      const o = i * 4;
      if (this.observed[i]) {
        img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
      } else {
        img.data[o] = 120 + v / 3;
        img.data[o + 1] = 20;
        img.data[o + 2] = 30;
      }
      img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
}
