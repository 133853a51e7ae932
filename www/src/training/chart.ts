// Live chart of the training bound and the test ELBO against the step (uPlot), and on a
// toggle the test ELBO's two terms (AEVB eq. 7): E_q[log p(x|z)] on the bound's axis and
// KL(q(z|x) || p(z)) on its own axis at the right (~20 nats against ~-100).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { frameThrottle } from '../views/ui';

const POINT_MS = 500; // average the per-slice training bounds into one point per 0.5 s

export class ElboChart {
  private steps: number[] = [];
  private train: (number | null)[] = [];
  private test: (number | null)[] = [];
  private rec: (number | null)[] = [];
  private kl: (number | null)[] = [];
  private pending = { sum: 0, n: 0, since: 0 };
  private plot: uPlot;
  private readonly redraw: () => void;

  /** terms: the toggle that shows the two terms' curves, and the line that spells out the
   * last test point's split (absent in a widget's markup without them). */
  constructor(
    private readonly host: HTMLElement,
    private readonly terms: { toggle: HTMLInputElement; line: HTMLElement } | null = null,
  ) {
    this.plot = this.build();
    // The KL axis comes and goes with its curves: uPlot fixes its axes when built.
    terms?.toggle.addEventListener('change', () => {
      this.plot.destroy();
      this.plot = this.build();
    });
    const empty = host.querySelector<HTMLElement>('.chart-empty');
    this.redraw = frameThrottle(() => {
      if (empty) empty.hidden = this.steps.length > 0;
      this.plot.setData(this.data());
    });
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(200, host.clientWidth), height: 240 })).observe(host);
  }

  private data(): uPlot.AlignedData {
    return [this.steps, this.train, this.test, this.rec, this.kl] as uPlot.AlignedData;
  }

  private build(): uPlot {
    const shown = this.terms?.toggle.checked ?? false;
    const axes: uPlot.Axis[] = [
      { label: 'step (minibatch updates)', stroke: 'currentColor', grid: { stroke: '#8883' } },
      { label: 'nats per image', stroke: 'currentColor', grid: { stroke: '#8883' }, size: 60 },
    ];
    if (shown) axes.push({ label: 'KL (nats)', scale: 'kl', side: 1, stroke: '#7a3fbf', grid: { show: false }, size: 50 });
    const opts: uPlot.Options = {
      width: Math.max(200, this.host.clientWidth),
      height: 240,
      scales: { x: { time: false }, kl: { auto: true } },
      axes,
      series: [
        { label: 'step' },
        { label: 'train bound', stroke: '#2a6fdb', width: 1.5, spanGaps: true, points: { show: false } },
        { label: 'test ELBO', stroke: '#d9480f', width: 2, spanGaps: true, points: { show: true, size: 5 } },
        { label: 'test E_q[log p(x|z)]', stroke: '#2f9e44', width: 2, dash: [6, 3], spanGaps: true, show: shown, points: { show: true, size: 4 } },
        { label: 'test KL (right axis)', scale: 'kl', stroke: '#7a3fbf', width: 2, dash: [2, 3], spanGaps: true, show: shown, points: { show: true, size: 4 } },
      ],
    };
    return new uPlot(opts, this.data(), this.host);
  }

  reset(): void {
    this.steps = [];
    this.train = [];
    this.test = [];
    this.rec = [];
    this.kl = [];
    this.pending = { sum: 0, n: 0, since: 0 };
    if (this.terms) this.terms.line.textContent = '';
    this.redraw();
  }

  /** Replaces the curves (a restored run's), as [step, value] points, and the test ELBO's
   * terms as [step, E_q[log p(x|z)], KL] (a run saved before they were kept has none). */
  load(train: [number, number][], test: [number, number][], terms: [number, number, number][] = []): void {
    this.reset();
    const points = [...train.map(([s, v]) => [s, v, null]), ...test.map(([s, v]) => [s, null, v])] as [number, number | null, number | null][];
    points.sort((a, b) => a[0] - b[0]);
    for (const [s, tr, te] of points) {
      const last = this.steps.length - 1;
      if (last >= 0 && this.steps[last] === s) {
        this.train[last] ??= tr;
        this.test[last] ??= te;
      } else {
        this.steps.push(s);
        this.train.push(tr);
        this.test.push(te);
        this.rec.push(null);
        this.kl.push(null);
      }
    }
    const at = new Map(this.steps.map((s, i) => [s, i]));
    for (const [s, rec, kl] of terms) {
      const i = at.get(s);
      if (i !== undefined) [this.rec[i], this.kl[i]] = [rec, kl];
    }
    const lastTerms = terms.at(-1);
    const lastTest = test.find(([s]) => s === lastTerms?.[0]);
    if (lastTerms && lastTest) this.sayTerms(lastTerms[0], lastTest[1], { reconstruction: lastTerms[1], kl: lastTerms[2] });
    this.redraw();
  }

  /** The test ELBO points shown, as [step, value] (tests compare curves across a reload). */
  testPoints(): [number, number][] {
    return this.steps.flatMap((s, i) => (this.test[i] === null ? [] : [[s, this.test[i] as number] as [number, number]]));
  }

  /** The terms' points shown, as [step, E_q[log p(x|z)], KL]. */
  termPoints(): [number, number, number][] {
    return this.steps.flatMap((s, i) => (this.rec[i] === null ? [] : [[s, this.rec[i] as number, this.kl[i] as number] as [number, number, number]]));
  }

  addTrain(step: number, bound: number): void {
    const p = this.pending;
    const now = performance.now();
    if (p.n === 0) p.since = now;
    p.sum += bound;
    p.n++;
    if (now - p.since < POINT_MS) return;
    this.push(step, p.sum / p.n, null);
    p.sum = 0;
    p.n = 0;
  }

  /** A test evaluation: the ELBO and, when given, its two terms (rec - kl = elbo). */
  addTest(step: number, elbo: number, terms?: { reconstruction: number; kl: number }): void {
    const last = this.steps.length - 1;
    if (last >= 0 && this.steps[last] === step) {
      this.test[last] = elbo;
      this.rec[last] = terms?.reconstruction ?? null;
      this.kl[last] = terms?.kl ?? null;
      this.redraw();
    } else {
      this.push(step, null, elbo, terms);
    }
    if (terms) this.sayTerms(step, elbo, terms);
  }

  /** The line that spells out the latest evaluation's terms. */
  private sayTerms(step: number, elbo: number, terms: { reconstruction: number; kl: number }): void {
    if (!this.terms) return;
    const f = (v: number) => v.toFixed(2);
    this.terms.line.textContent =
      `Test ELBO at step ${step}: ${f(elbo)} = E_q[log p(x|z)] ${f(terms.reconstruction)} − KL(q(z|x)‖p(z)) ${f(terms.kl)} nats per image`;
  }

  private push(step: number, train: number | null, test: number | null, terms?: { reconstruction: number; kl: number }): void {
    // uPlot wants x ascending; a restarted trainer is offset by the caller, so this holds.
    if (this.steps.length && step < this.steps[this.steps.length - 1]) return;
    this.steps.push(step);
    this.train.push(train);
    this.test.push(test);
    this.rec.push(terms?.reconstruction ?? null);
    this.kl.push(terms?.kl ?? null);
    this.redraw();
  }
}
