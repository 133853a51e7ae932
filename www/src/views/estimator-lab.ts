// The estimator lab: the variance of four unbiased estimators of the ELBO's gradient with
// respect to the encoder's parameters, as L grows (Model.estimatorVariance, one L a request
// to worker/lab-worker.ts), on a log-log plot and in a table with the estimators' means.
// AEVB section 2.2-2.4: the reparameterised estimators' variance is orders of magnitude
// below the score function's.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ModelHolder } from '../app/model-holder';
import type { DrawPanel } from './draw-panel';
import type { FromLabWorker, ToLabWorker } from '../shared/lab-protocol';
import type { EstimatorStats } from '../shared/wasm';
import { spawn } from './spawn';
import { el, paintDigit, type Root } from './ui';

/** The values of L: powers of two up to 64, as `vae estimators` by default. */
const SWEEP = [1, 2, 4, 8, 16, 32, 64];
const ESTIMATORS: { name: EstimatorStats['estimator']; label: string; colour: string }[] = [
  { name: 'sgvb-b', label: 'SGVB B', colour: '#2a6fdb' },
  { name: 'sgvb-a', label: 'SGVB A', colour: '#17a2b8' },
  { name: 'score', label: 'score function', colour: '#d9480f' },
  { name: 'score-baseline', label: 'score + baseline', colour: '#e8a400' },
];
/** Four significant digits, as the CLI prints them: what a test reads back. */
const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : '—');

export class EstimatorLab {
  private worker: Worker | null = null;
  /** The current run's id: answers of a cancelled run are dropped. */
  private run = 0;
  private running = false;
  private results: EstimatorStats[][] = [];
  /** The drawing the figures are for (as measured: 8-bit levels), and whether the model
   * has moved or been replaced since. */
  private measured: Float32Array | null = null;
  private drawn: Float32Array | null = null;
  private plot: uPlot | null = null;
  /** The run's choices, fixed at Measure (the form may change while it runs). */
  private choice = { repetitions: 20, seed: 1 };
  /** Training moved the model while a run measured its copy. */
  private moved = false;
  private readonly host: HTMLElement;

  constructor(
    private readonly holder: ModelHolder,
    private readonly draw: DrawPanel,
    private readonly root: Root = document,
  ) {
    this.host = el('estimator-variance', root);
    el('lab-measure', root).addEventListener('click', () => this.measure());
    holder.subscribe((change) => {
      // A run measures the model as it was at Measure (the worker has a copy): training only
      // dates the figures; a replaced model makes a run pointless.
      if (change === 'replaced') this.outdated('the model was replaced');
      else if (this.running) this.moved = true;
      else if (this.measured) this.outdated('training has moved the model');
    });
    draw.onUpdate(() => {
      if (this.draw.x !== this.drawn && this.measured) this.outdated('the drawing changed');
    });
  }

  private measure(): void {
    const x = this.draw.x;
    if (!x) {
      this.status('Draw a digit first: the lab measures the gradient for your drawing.');
      return;
    }
    this.stop();
    const repetitions = Number(el<HTMLSelectElement>('lab-repetitions', this.root).value);
    const seedText = el<HTMLInputElement>('lab-seed', this.root).value;
    const seed = Number(seedText);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      this.status(`The seed must be a whole number from 0 to 4294967295, not "${seedText}".`);
      return;
    }
    // MNIST's pixels are bytes: the drawing at 8-bit levels is an image anyone can save and
    // measure again with `vae estimators --image`.
    const x8 = Float32Array.from(x, (v) => Math.round(255 * Math.min(1, Math.max(0, v))) / 255);
    const worker = this.start();
    if (!worker) return;
    this.run += 1;
    this.running = true;
    this.results = [];
    [this.measured, this.drawn] = [x8, x];
    this.host.dataset.state = 'busy';
    this.choice = { repetitions, seed };
    this.moved = false;
    this.offerImage(x8);
    this.table();
    const bytes = this.holder.model.toCheckpoint({});
    this.post({ type: 'model', bytes }, [bytes.buffer]);
    this.next();
  }

  private next(): void {
    const { repetitions, seed } = this.choice;
    const samples = SWEEP[this.results.length];
    const progress = el<HTMLProgressElement>('lab-progress', this.root);
    progress.hidden = false;
    progress.max = SWEEP.length;
    progress.value = this.results.length;
    this.status(`Measuring L = ${samples} (${this.results.length + 1} of ${SWEEP.length}), ${repetitions} repetitions of fresh noise, seed ${seed}…`);
    const x = this.measured as Float32Array;
    this.post({ type: 'measure', id: this.run, x: x.slice(), samples, repetitions, seed });
  }

  private answer(m: FromLabWorker): void {
    if (m.id !== this.run || !this.running || m.type === 'activity') return;
    if (m.type === 'refused') {
      this.running = false;
      this.host.dataset.state = 'refused';
      el('lab-progress', this.root).hidden = true;
      this.status(`No estimator lab for this model: ${m.reason}.`);
      return;
    }
    this.results.push(m.stats);
    this.table();
    this.chart();
    const [first] = m.stats;
    if (this.results.length < SWEEP.length) {
      this.next();
      return;
    }
    this.running = false;
    el('lab-progress', this.root).hidden = true;
    this.host.dataset.state = 'done';
    this.status(`Done: L = ${SWEEP.join(', ')}, ${first.repetitions} repetitions each.`);
    if (this.moved) this.outdated('training has moved the model');
  }

  /** Stops a run (terminating the worker: a long L ends at once) or dates finished figures. */
  private outdated(why: string): void {
    if (this.running) {
      this.stop();
      this.host.dataset.state = 'cancelled';
      el('lab-progress', this.root).hidden = true;
      this.status(`Stopped: ${why}. Measure again for the figures of what is on screen now.`);
    } else if (this.host.dataset.state === 'done') {
      this.host.dataset.state = 'stale';
      this.status(`These figures are from before: ${why} since. Measure again to update them.`);
    }
  }

  private stop(): void {
    if (!this.running) return;
    this.running = false;
    this.worker?.terminate();
    this.worker = null;
  }

  /** Ends a run and the worker for good (a widget removed from its page). */
  dispose(): void {
    this.running = false;
    this.worker?.terminate();
    this.worker = null;
  }

  private post(m: ToLabWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    this.worker = spawn<FromLabWorker>('lab-worker.js', 'vae-estimator-lab', (m) => this.answer(m), (why) => this.failed(why));
    return this.worker;
  }

  private failed(reason: string): void {
    this.stop();
    this.worker?.terminate();
    this.worker = null;
    this.host.dataset.state = 'failed';
    this.status(`The estimators could not be measured: ${reason}`);
  }

  private status(text: string): void {
    el('lab-status', this.root).textContent = text;
  }

  /** The exact image measured, as a PNG to download (and to give `vae estimators --image`). */
  private offerImage(x8: Float32Array): void {
    const canvas = document.createElement('canvas');
    paintDigit(canvas, x8);
    const link = el<HTMLAnchorElement>('lab-image', this.root);
    link.href = canvas.toDataURL('image/png');
    link.hidden = false;
  }

  private table(): void {
    const cell = (s: EstimatorStats, text: string) => `<td data-estimator="${s.estimator}" data-samples="${s.samples}">${text}</td>`;
    const rows = (f: (s: EstimatorStats) => string) =>
      this.results.map((stats) => `<tr><th scope="row">${stats[0].samples}</th>${ESTIMATORS.map((e) => {
        const s = stats.find((t) => t.estimator === e.name) as EstimatorStats;
        return cell(s, f(s));
      }).join('')}</tr>`).join('');
    // Numbers only (toExponential/toFixed): nothing from outside reaches this markup.
    el('estimator-table', this.root).querySelector('tbody')!.innerHTML = rows((s) => sci(s.mean_param_variance));
    el('estimator-means', this.root).querySelector('tbody')!.innerHTML = rows(
      (s) => `${sci(s.projection_mean)} ± ${sci(Math.sqrt(s.projection_variance / s.repetitions))}`,
    );
    el('lab-summary', this.root).textContent = this.summary();
  }

  /** How far above SGVB B the score function's variance lies, at the first and last L. */
  private summary(): string {
    if (!this.results.length) return '';
    const ratio = (stats: EstimatorStats[], name: string) => {
      const v = (n: string) => stats.find((s) => s.estimator === n)?.mean_param_variance ?? NaN;
      return v(name) / v('sgvb-b');
    };
    const ends = [this.results[0], this.results[this.results.length - 1]];
    const at = ends.map((s) => `×${Math.round(ratio(s, 'score')).toLocaleString('en')} at L = ${s[0].samples}`);
    const base = ends.map((s) => `×${ratio(s, 'score-baseline').toFixed(1)}`);
    return `The score function's variance is SGVB B's ${at.join(' and ')}; with the baseline ${base.join(' and ')}.`;
  }

  private chart(): void {
    const xs = this.results.map((s) => s[0].samples);
    const ys = ESTIMATORS.map((e) => this.results.map((s) => s.find((t) => t.estimator === e.name)?.mean_param_variance ?? null));
    const data = [xs, ...ys] as uPlot.AlignedData;
    if (!this.plot) {
      const opts: uPlot.Options = {
        width: Math.max(200, this.host.clientWidth),
        height: 260,
        scales: { x: { time: false, distr: 3, log: 2 }, y: { distr: 3, log: 10 } },
        axes: [
          { label: 'samples L (log scale)', stroke: 'currentColor', grid: { stroke: '#8883' } },
          { label: 'gradient variance (log scale)', stroke: 'currentColor', grid: { stroke: '#8883' }, size: 70 },
        ],
        series: [{ label: 'L' }, ...ESTIMATORS.map((e) => ({ label: e.label, stroke: e.colour, width: 2, points: { show: true, size: 6 } }))],
      };
      this.plot = new uPlot(opts, data, this.host);
      new ResizeObserver(() => this.plot?.setSize({ width: Math.max(200, this.host.clientWidth), height: 260 })).observe(this.host);
    } else this.plot.setData(data);
  }
}
