// The drawing canvas: pointer events (mouse, touch, pen) leave thick round white strokes
// on black, like MNIST's ink; image() turns the canvas into the 28x28 input the model
// expects (see pure/preprocess.ts). show() puts a prepared 28x28 digit (one of the personal
// set's) on the pad: that digit is then the input as it is, until the next stroke.
import { preprocess } from '../pure/preprocess';

type Point = [number, number];

/** A "2" in unit coordinates, drawn when the page opens so every panel has something to show. */
const EXAMPLE: Point[][] = [
  [
    [0.3, 0.33], [0.36, 0.24], [0.46, 0.19], [0.58, 0.2], [0.66, 0.27], [0.67, 0.37],
    [0.62, 0.48], [0.52, 0.59], [0.41, 0.7], [0.31, 0.8], [0.45, 0.8], [0.58, 0.8], [0.71, 0.79],
  ],
];

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: Point | null = null;
  private pointer: number | null = null;
  private inked = false;
  /** A digit put on the pad by show(), already prepared: image() returns it unchanged
   * (preparing it again would rescale it). A stroke over it makes it a drawing again. */
  private given: Float32Array | null = null;

  /** onChange runs after every stroke segment; callers throttle their own work. */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser cannot draw on a canvas');
    this.ctx = ctx;
    this.clear(false);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
    // Keyboard: Delete/Backspace/Escape clear the focused canvas.
    canvas.addEventListener('keydown', (e) => {
      if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
        e.preventDefault();
        this.clear();
      }
    });
  }

  get empty(): boolean {
    return !this.inked;
  }

  clear(notify = true): void {
    const { ctx, canvas } = this;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.inked = false;
    this.given = null;
    if (notify) this.onChange();
  }

  /** Shows the 28x28 digit `x` (intensities in [0, 1]) on the pad, one square per pixel,
   * and makes it the input. */
  show(x: Float32Array): void {
    this.clear(false);
    const { ctx, canvas } = this;
    const [sw, sh] = [canvas.width / 28, canvas.height / 28];
    for (let i = 0; i < 784; i++) {
      const v = Math.round(Math.min(1, Math.max(0, x[i])) * 255);
      if (v === 0) continue;
      ctx.fillStyle = `rgb(${v}, ${v}, ${v})`;
      ctx.fillRect((i % 28) * sw, Math.floor(i / 28) * sh, sw, sh);
    }
    this.given = x.slice();
    this.inked = true;
    this.onChange();
  }

  /** Replays the built-in example digit. */
  drawExample(): void {
    this.clear(false);
    const { width, height } = this.canvas;
    for (const stroke of EXAMPLE) {
      this.last = null;
      for (const [x, y] of stroke) this.segment([x * width, y * height]);
    }
    this.last = null;
    this.onChange();
  }

  /** The drawing as 784 intensities in [0,1], or null when nothing is drawn. */
  image(): Float32Array | null {
    if (!this.inked) return null;
    if (this.given) return this.given.slice();
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4] / 255;
    return preprocess(ink, width, height);
  }

  private point(e: PointerEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private segment(p: Point): void {
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    // ~7.5% of the canvas: after scaling a digit to 20 px this is MNIST's 2-3 px stroke.
    ctx.lineWidth = this.canvas.width * 0.075;
    ctx.beginPath();
    if (this.last) {
      ctx.moveTo(this.last[0], this.last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    } else {
      ctx.arc(p[0], p[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    this.last = p;
    this.inked = true;
    this.given = null;
  }

  private down(e: PointerEvent): void {
    if (this.pointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.pointer = e.pointerId;
    this.canvas.setPointerCapture(e.pointerId);
    this.last = null;
    this.segment(this.point(e));
    this.onChange();
  }

  private move(e: PointerEvent): void {
    if (e.pointerId !== this.pointer) return;
    e.preventDefault();
    // Coalesced events keep fast strokes smooth when frames are busy.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) this.segment(this.point(ev));
    this.onChange();
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointer) return;
    this.pointer = null;
    this.last = null;
  }
}
