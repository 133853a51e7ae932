// KL(q(z_d|x) || p(z_d)) per latent dimension as bars, and the active units of Burda et al.
// (2016, section 5.2): dimension d is active when A_d = Cov_x(E_q[z_d | x]) > 0.01, over the
// first 1000 test images as the model is evaluated on them (Model.latentActivity in a
// worker/lab-worker.ts of its own). Follows the model: at once when it is replaced, at most
// every few seconds while training moves it.
import type { ModelHolder } from '../app/model-holder';
import type { FromLabWorker, ToLabWorker } from '../shared/lab-protocol';
import { type Activity, binarizationFor, prepareTest, withVariant } from '../shared/wasm';
import { testSet } from './testset';
import { el, errorMessage, type Root } from './ui';

/** Burda et al.'s threshold (vae_core::inference::activity::ACTIVE_THRESHOLD). */
export const ACTIVE_THRESHOLD = 0.01;
/** While training moves the model, the bars follow at most this often. */
const PARAMS_MS = 3000;
const H = 300;
const M = { left: 52, right: 10, top: 12, bottom: 24 };
/** The lower panel's log scale for A_d: 1e-5 .. 10. */
const A_MIN = 1e-5;
const A_MAX = 10;

export class KlBars {
  private worker: Worker | null = null;
  private disposed = false;
  private sent = 0;
  private inFlight = false;
  private due = false;
  private modelChanged = true;
  private onScreen = false;
  private lastSent = 0;
  private timer = 0;
  private x: { key: string; x: Float32Array } | null = null;
  private readonly canvas: HTMLCanvasElement;

  constructor(
    private readonly holder: ModelHolder,
    private readonly root: Root = document,
  ) {
    this.canvas = el<HTMLCanvasElement>('kl-bars', root);
    this.canvas.dataset.state = 'empty';
    new IntersectionObserver(([entry]) => {
      this.onScreen = entry.isIntersecting;
      if (this.onScreen) void this.request(true);
    }).observe(this.canvas);
    holder.subscribe((change) => {
      this.modelChanged = true;
      void this.request(change === 'replaced');
    });
  }

  /** Ends the worker for good (a widget removed from its page). */
  dispose(): void {
    this.disposed = true;
    window.clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
  }

  private async request(now: boolean): Promise<void> {
    if (!this.onScreen || this.disposed) return;
    if (!this.modelChanged && this.canvas.dataset.state === 'done') return;
    if (!now) {
      const wait = this.lastSent + PARAMS_MS - performance.now();
      if (wait > 0) {
        this.timer ||= window.setTimeout(() => {
          this.timer = 0;
          void this.request(true);
        }, wait);
        return;
      }
    }
    if (this.inFlight) {
      this.due = true;
      return;
    }
    this.canvas.dataset.state = 'busy';
    this.inFlight = true;
    try {
      const x = await this.testImages();
      const worker = this.start();
      if (this.modelChanged) {
        const bytes = this.holder.model.toCheckpoint({});
        worker.postMessage({ type: 'model', bytes } satisfies ToLabWorker, [bytes.buffer]);
        this.modelChanged = false;
      }
      this.sent += 1;
      this.lastSent = performance.now();
      worker.postMessage({ type: 'activity', id: this.sent, x: x.slice() } satisfies ToLabWorker);
    } catch (e) {
      this.inFlight = false;
      this.show(null, `The activity could not be computed: ${errorMessage(e)}`, 'failed');
    }
  }

  /** The first 1000 test images of the model's data set, binarized as `vae eval` does. */
  private async testImages(): Promise<Float32Array> {
    const dataset = this.holder.info.dataset;
    const binarization = binarizationFor(this.holder.model.config().decoder);
    const key = `${dataset}/${binarization}`;
    if (this.x?.key !== key) {
      const set = await testSet(dataset, (t) => {
        el('kl-note', this.root).textContent = t;
      });
      this.x = { key, x: prepareTest(set.images, binarization) };
    }
    return this.x.x;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(withVariant(new URL('./lab-worker.js', import.meta.url)), { type: 'module', name: 'vae-activity' });
    w.onmessage = (e: MessageEvent<FromLabWorker>) => this.answer(e.data);
    w.onerror = (e) => {
      this.worker?.terminate();
      this.worker = null;
      this.inFlight = false;
      this.modelChanged = true;
      this.show(null, `The activity could not be computed: ${e.message || 'could not load lab-worker.js'}`, 'failed');
    };
    this.worker = w;
    return w;
  }

  private answer(m: FromLabWorker): void {
    if (m.id !== this.sent) return;
    this.inFlight = false;
    if (m.type === 'refused') this.show(null, `No activity for this model: ${m.reason}.`, 'refused');
    else if (m.type === 'activity') this.show(m.activity, '', 'done');
    if (this.due) {
      this.due = false;
      void this.request(false);
    }
  }

  private show(a: Activity | null, note: string, state: string): void {
    this.paint(a);
    const k = a?.activity.length ?? 0;
    el('active-units', this.root).textContent = a ? `${a.active_units} of ${k} latent dimensions active (Cov_x(E_q[z_d]) > ${ACTIVE_THRESHOLD})` : '';
    el('kl-note', this.root).textContent =
      note ||
      (a && !a.kl_per_dim ? 'A two-layer model: its p(z1) is not N(0, I), so there is no KL per dimension of z1; the activity is that of z1.' : '');
    const rows = a
      ? a.activity
          .map((act, d) => {
            const kl = a.kl_per_dim ? a.kl_per_dim[d].toFixed(4) : '—';
            return `<tr data-dim="${d + 1}"><th scope="row">z${d + 1}</th><td>${kl}</td><td>${act.toExponential(3)}</td><td>${act > ACTIVE_THRESHOLD ? 'active' : ''}</td></tr>`;
          })
          .join('')
      : '';
    // Numbers only: nothing from outside reaches this markup.
    el('kl-table', this.root).querySelector('tbody')!.innerHTML = rows;
    this.canvas.dataset.state = state;
  }

  /** Top: KL per dimension (nats). Bottom: A_d on a log scale with the threshold's line. */
  private paint(a: Activity | null): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.round(H * dpr);
    this.canvas.width = w;
    this.canvas.height = h;
    const ctx = this.canvas.getContext('2d');
    if (!ctx || !a) return;
    const k = a.activity.length;
    const s = dpr;
    const [left, right, top, bottom] = [M.left * s, w - M.right * s, M.top * s, h - M.bottom * s];
    const mid = top + (bottom - top) / 2;
    const col = (right - left) / k;
    const colour = getComputedStyle(this.canvas).color || '#555';
    ctx.font = `${11 * s}px system-ui, sans-serif`;
    ctx.fillStyle = colour;
    // KL bars, scaled to the largest.
    const kl = a.kl_per_dim ?? [];
    const klMax = Math.max(1e-9, ...kl);
    const klBottom = mid - 8 * s;
    for (let d = 0; d < kl.length; d++) {
      const bh = (kl[d] / klMax) * (klBottom - top);
      ctx.fillStyle = '#7a3fbf';
      ctx.fillRect(left + d * col + col * 0.15, klBottom - bh, col * 0.7, bh);
    }
    ctx.fillStyle = colour;
    ctx.textAlign = 'right';
    ctx.fillText(`KL ${klMax.toFixed(2)}`, left - 4 * s, top + 8 * s);
    ctx.fillText('0', left - 4 * s, klBottom);
    // Activity bars on a log scale, from the panel's floor.
    const aTop = mid + 8 * s;
    const ay = (v: number) => bottom - ((Math.log10(Math.min(A_MAX, Math.max(A_MIN, v))) - Math.log10(A_MIN)) / (Math.log10(A_MAX) - Math.log10(A_MIN))) * (bottom - aTop);
    for (let d = 0; d < k; d++) {
      const y = ay(a.activity[d]);
      ctx.fillStyle = a.activity[d] > ACTIVE_THRESHOLD ? '#2a6fdb' : '#9aa5b1';
      ctx.fillRect(left + d * col + col * 0.15, y, col * 0.7, bottom - y);
    }
    const line = Math.round(ay(ACTIVE_THRESHOLD));
    ctx.fillStyle = '#d9480f';
    ctx.fillRect(left, line, right - left, Math.max(1, s));
    ctx.fillStyle = colour;
    ctx.fillText('A = 0.01', left - 4 * s, line + 4 * s);
    ctx.fillText(`${A_MIN}`, left - 4 * s, bottom);
    ctx.textAlign = 'center';
    for (let d = 0; d < k; d++) if (k <= 20 || d % 5 === 4) ctx.fillText(`z${d + 1}`, left + (d + 0.5) * col, h - 6 * s);
    // Where the bars and the threshold's line are, for a reader of the pixels (tests).
    this.canvas.dataset.line = String(line);
    this.canvas.dataset.columns = JSON.stringify(Array.from({ length: k }, (_, d) => Math.round(left + (d + 0.5) * col)));
  }
}
