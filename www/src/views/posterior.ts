// The true posterior of the current drawing: log p(x, z) = log p(x|z) + log p(z) on a grid
// over z (Model.posterior, computed in worker/posterior-worker.ts), with the encoder's
// q(z|x) and, after Refine, the refined q drawn over it, and the gap KL(q || p(z|x)) =
// log p(x) - ELBO in nats. The encoder's gap is the amortization plus the approximation
// gap; the refined q's is the approximation gap alone (Cremer, Li & Duvenaud 2018). When the
// drawing is one of the personal set's (a thumbnail put on the pad, a drawing added), the
// panel names it.
import type { DrawPanel } from './draw-panel';
import type { ModelHolder } from '../app/model-holder';
import { heatmapPixels, ticks } from '../pure/heatmap';
import type { FromPosteriorWorker, ToPosteriorWorker } from '../shared/posterior-protocol';
import type { PosteriorMap, QBound } from '../shared/wasm';
import { nameOwnDigit } from './own-digits';
import { spawn } from './spawn';
import { el, find, type Root } from './ui';

/** Cells per axis: 64 x 64 values, plus the core's 32 x 32 coarse pass to find the mass. */
const GRID = 64;
/** The plot's margins in canvas pixels: room for the tick labels. */
const M = { left: 46, right: 10, top: 10, bottom: 36 };
const SIZE = 440;
/** While only training moves the model (twice a second), the map follows it at most this
 * often: on two cores every refresh is taken from the training workers. */
const PARAMS_MS = 2000;

/** Two decimals: gaps are often well below one nat. ASCII minus, so tests read it back. */
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

export class PosteriorPanel {
  private worker: Worker | null = null;
  /** The model moved (training) or was replaced since the worker last got a copy. */
  private modelChanged = true;
  /** The newest request's id; answers to older ones are stale and dropped. */
  private sent = 0;
  private inFlight = false;
  /** Something changed while a request was computed: send the newest once it is back. */
  private due = false;
  private readonly canvas: HTMLCanvasElement;
  private readonly cells = document.createElement('canvas');
  /** Off screen nothing is computed: the worker and its wasm start when the map is first
   * seen, and a page that never scrolls to it pays nothing. */
  private onScreen = false;
  /** What the last request was for: a drawing, Refine's q, a replaced model are shown at
   * once; parameters moved by training alone wait for PARAMS_MS. */
  private lastX: Float32Array | null = null;
  private lastQ: DrawPanel['refinedQ'] = null;
  private replaced = false;
  private lastSent = 0;
  private timer = 0;
  /** data-state once the last answer is shown: done, refused, failed or empty. */
  private settled = 'empty';

  constructor(
    private readonly holder: ModelHolder,
    private readonly draw: DrawPanel,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    this.canvas = el<HTMLCanvasElement>('posterior-map', root);
    this.canvas.width = this.canvas.height = SIZE;
    new IntersectionObserver(([entry]) => {
      this.onScreen = entry.isIntersecting;
      if (this.onScreen) this.request();
    }).observe(this.canvas);
    holder.subscribe((change) => {
      this.modelChanged = true;
      if (change === 'replaced') this.replaced = true;
      this.request();
    });
    // After every drawing update (and training's parameter updates, which re-run it) and Refine.
    draw.onUpdate(() => this.request());
    draw.onRefined(() => this.request());
    const own = find('posterior-own', root);
    if (own) nameOwnDigit(draw, own);
  }

  private request(): void {
    if (!this.onScreen) {
      // Whatever it shows may be out of date by the time it is seen again.
      this.canvas.dataset.state = 'off-screen';
      return;
    }
    const x = this.draw.x;
    if (!x) {
      this.lastX = null;
      if (this.inFlight) this.due = true;
      else this.clear('Draw a digit to see its posterior.', 'empty');
      return;
    }
    const q = this.draw.refinedQ;
    const same = x === this.lastX && q === this.lastQ && !this.replaced;
    if (same && !this.modelChanged) {
      this.canvas.dataset.state = this.settled; // on screen already (a redraw, scrolled back)
      return;
    }
    if (same) {
      const wait = this.lastSent + PARAMS_MS - performance.now();
      if (wait > 0) {
        this.timer ||= window.setTimeout(() => {
          this.timer = 0;
          this.request();
        }, wait);
        return;
      }
    }
    this.canvas.dataset.state = 'busy';
    if (this.inFlight) {
      this.due = true;
      return;
    }
    const worker = this.start();
    if (!worker) return;
    if (this.modelChanged) {
      const bytes = this.holder.model.toCheckpoint({});
      this.post(worker, { type: 'model', bytes }, [bytes.buffer]);
      this.modelChanged = false;
    }
    this.sent += 1;
    this.inFlight = true;
    this.due = false;
    [this.lastX, this.lastQ, this.replaced, this.lastSent] = [x, q, false, performance.now()];
    // Copies: the drawing's buffers stay the page's.
    this.post(worker, { type: 'posterior', id: this.sent, x: x.slice(), grid: GRID, refined: q ? { mu: q.mu.slice(), lv: q.lv.slice() } : null });
  }

  /** Stops for good: the worker ends (a removed widget). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private post(w: Worker, m: ToPosteriorWorker, transfer: Transferable[] = []): void {
    w.postMessage(m, transfer);
  }

  /** The worker, started when the map is first on screen with a drawing. */
  private start(): Worker | null {
    if (this.worker) return this.worker;
    this.worker = spawn<FromPosteriorWorker>('posterior-worker.js', 'vae-posterior', (m) => this.answer(m), (why) => this.failed(why));
    return this.worker;
  }

  private failed(reason: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.inFlight = false;
    this.modelChanged = true;
    this.lastX = null;
    this.clear(`The posterior could not be computed: ${reason}`, 'failed');
  }

  private answer(m: FromPosteriorWorker): void {
    if (m.id !== this.sent) return; // stale: a newer request is on its way
    this.inFlight = false;
    if (m.type === 'refused') this.clear(`No posterior map for this model: ${m.reason}.`, 'refused');
    else {
      this.show(m.map);
      this.canvas.dataset.state = this.settled = 'done';
    }
    // Shown even when the drawing has moved on (it is the newest finished one: while
    // training or drawing fast, waiting for a current one could show nothing at all);
    // then the newest state is computed, and everything in between was never sent.
    if (this.due) this.request(); // and data-state is busy again
  }

  /** state: on the canvas as data-state, for tests (busy, off-screen, and the settled ones:
   * done, empty, refused, failed): "done" means the map shows the drawing as it is now. */
  private clear(note: string, state: string): void {
    this.canvas.dataset.state = this.settled = state;
    const ctx = this.canvas.getContext('2d');
    ctx?.clearRect(0, 0, SIZE, SIZE);
    el('posterior-map-note', this.root).textContent = note;
    for (const id of ['posterior-logpx', 'posterior-elbo', 'posterior-gap-encoder', 'posterior-gap-refined']) el(id, this.root).textContent = '';
  }

  private show(map: PosteriorMap): void {
    this.paint(map);
    const [a, b] = map.dims.map((d) => `z${d + 1}`);
    el('posterior-map-note', this.root).textContent = map.slice
      ? `A conditional slice: log p(x, z) over ${a} and ${b} (the two dimensions q moves furthest from the prior), ` +
        `the other ${map.z_held.length - 2} dimensions held at the posterior mean. The slice is not the marginal posterior, ` +
        `and a slice cannot be integrated: log p(x) is importance-sampled instead.`
      : `The whole posterior: z = (${a}, ${b}).`;
    const how = map.log_px_method === 'grid' ? 'grid' : 'importance-sampled';
    el('posterior-logpx', this.root).textContent = `log p(x) ≈ ${f2(map.log_px)} nats (${how})`;
    el('posterior-elbo', this.root).textContent = `ELBO of the encoder's q = ${this.bound(map.encoder)}`;
    el('posterior-gap-encoder', this.root).textContent = `KL(q‖p(z|x)) = log p(x) − ELBO = ${f2(map.encoder.gap)} nats`;
    const r = map.refined;
    el('posterior-gap-refined', this.root).textContent = r
      ? `After Refine: ELBO ${this.bound(r)}; gap ${f2(r.gap)} nats, the approximation gap (what the best diagonal Gaussian ` +
        `still misses). The encoder's gap minus it, ${f2(map.encoder.gap - r.gap)} nats, is the amortization gap ` +
        `(one network answering for every image; Cremer, Li & Duvenaud 2018).`
      : 'Refine (above) to split the gap into its amortization and approximation parts.';
  }

  /** "−125.31 nats (E_q[log p(x|z)] … − KL(q‖p(z)) …)", with the Monte Carlo error when there is one. */
  private bound(q: QBound): string {
    const se = q.elbo_method === 'monte-carlo' ? ` ± ${f2(q.elbo_se)}` : '';
    return `${f2(q.elbo)}${se} nats (E_q[log p(x|z)] ${f2(q.expected_log_likelihood)} − KL(q‖p(z)) ${f2(q.kl)})`;
  }

  private paint(map: PosteriorMap): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { x_axis: xs, y_axis: ys } = map;
    const [nx, ny] = [xs.length, ys.length];
    // The grid's cells are centres: the map covers half a cell beyond the first and last.
    const edge = (v: number[]) => {
      const h = v.length > 1 ? (v[1] - v[0]) / 2 : 0.5;
      return [v[0] - h, v[v.length - 1] + h];
    };
    const [x0, x1] = edge(xs);
    const [y0, y1] = edge(ys);
    const w = SIZE - M.left - M.right;
    const h = SIZE - M.top - M.bottom;
    const px = (z: number) => M.left + ((z - x0) / (x1 - x0)) * w;
    const py = (z: number) => M.top + (1 - (z - y0) / (y1 - y0)) * h;

    this.cells.width = nx;
    this.cells.height = ny;
    const cctx = this.cells.getContext('2d');
    if (!cctx) return;
    cctx.putImageData(new ImageData(heatmapPixels(map.log_joint, nx, ny, map.max_log_joint), nx, ny), 0, 0);
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.imageSmoothingEnabled = false; // one square per grid cell: what was computed
    ctx.drawImage(this.cells, M.left, M.top, w, h);

    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, w, h);
    ctx.clip();
    const [d0, d1] = map.dims;
    const ellipse = (q: QBound, k: number, colour: string, dash: number[]) => {
      ctx.beginPath();
      ctx.ellipse(px(q.mu[d0]), py(q.mu[d1]), k * q.sigma[d0] * (w / (x1 - x0)), k * q.sigma[d1] * (h / (y1 - y0)), 0, 0, 2 * Math.PI);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.stroke();
    };
    // q is a diagonal Gaussian: its contours are axis-aligned ellipses at mu +- k sigma.
    ellipse(map.encoder, 1, '#ffffff', []);
    ellipse(map.encoder, 2, '#ffffff', [6, 4]);
    if (map.refined) {
      ellipse(map.refined, 1, '#ff5c8a', []);
      ellipse(map.refined, 2, '#ff5c8a', [6, 4]);
    }
    // The grid's best cell: the mode of the true posterior (within a cell).
    const [ax, ay] = [px(map.argmax[0]), py(map.argmax[1])];
    ctx.setLineDash([]);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 4;
    this.cross(ctx, ax, ay);
    ctx.strokeStyle = '#ff3b30';
    ctx.lineWidth = 2;
    this.cross(ctx, ax, ay);
    ctx.restore();
    this.axes(ctx, [x0, x1], [y0, y1], px, py, map.dims);
  }

  private cross(ctx: CanvasRenderingContext2D, x: number, y: number): void {
    ctx.beginPath();
    ctx.moveTo(x - 7, y);
    ctx.lineTo(x + 7, y);
    ctx.moveTo(x, y - 7);
    ctx.lineTo(x, y + 7);
    ctx.stroke();
  }

  /** Tick labels of both axes, in the page's text colour (the map itself is its own colours). */
  private axes(ctx: CanvasRenderingContext2D, xr: number[], yr: number[], px: (z: number) => number, py: (z: number) => number, dims: [number, number]): void {
    const colour = getComputedStyle(this.canvas).color || '#555';
    ctx.fillStyle = ctx.strokeStyle = colour;
    ctx.lineWidth = 1;
    ctx.font = '12px system-ui, sans-serif';
    const bottom = SIZE - M.bottom;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(xr[0], xr[1])) {
      ctx.fillRect(px(t), bottom, 1, 4);
      ctx.fillText(String(+t.toPrecision(3)), px(t), bottom + 5);
    }
    ctx.fillText(`z${dims[0] + 1}`, M.left + (SIZE - M.left - M.right) / 2, bottom + 20);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(yr[0], yr[1])) {
      ctx.fillRect(M.left - 4, py(t), 4, 1);
      ctx.fillText(String(+t.toPrecision(3)), M.left - 6, py(t));
    }
    ctx.save();
    ctx.translate(12, M.top + (SIZE - M.top - M.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(`z${dims[1] + 1}`, 0, 0);
    ctx.restore();
  }
}
