// Live chart of the training bound and the test ELBO against the step (uPlot).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { frameThrottle } from '../views/ui';

const POINT_MS = 500; // average the per-slice training bounds into one point per 0.5 s

export class ElboChart {
  private steps: number[] = [];
  private train: (number | null)[] = [];
  private test: (number | null)[] = [];
  private pending = { sum: 0, n: 0, since: 0 };
  private readonly plot: uPlot;
  private readonly redraw: () => void;

  constructor(host: HTMLElement) {
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: 240,
      scales: { x: { time: false } },
      axes: [
        { label: 'step (minibatch updates)', stroke: 'currentColor', grid: { stroke: '#8883' } },
        { label: 'nats per image', stroke: 'currentColor', grid: { stroke: '#8883' }, size: 60 },
      ],
      series: [
        { label: 'step' },
        { label: 'train bound', stroke: '#2a6fdb', width: 1.5, spanGaps: true, points: { show: false } },
        { label: 'test ELBO', stroke: '#d9480f', width: 2, spanGaps: true, points: { show: true, size: 5 } },
      ],
    };
    this.plot = new uPlot(opts, [[], [], []], host);
    const empty = host.querySelector<HTMLElement>('.chart-empty');
    this.redraw = frameThrottle(() => {
      if (empty) empty.hidden = this.steps.length > 0;
      this.plot.setData([this.steps, this.train, this.test] as uPlot.AlignedData);
    });
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(200, host.clientWidth), height: 240 })).observe(host);
  }

  reset(): void {
    this.steps = [];
    this.train = [];
    this.test = [];
    this.pending = { sum: 0, n: 0, since: 0 };
    this.redraw();
  }

  /** Replaces the curves (a restored run's), as [step, value] points. */
  load(train: [number, number][], test: [number, number][]): void {
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
      }
    }
    this.redraw();
  }

  /** The test ELBO points shown, as [step, value] (tests compare curves across a reload). */
  testPoints(): [number, number][] {
    return this.steps.flatMap((s, i) => (this.test[i] === null ? [] : [[s, this.test[i] as number] as [number, number]]));
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

  addTest(step: number, elbo: number): void {
    const last = this.steps.length - 1;
    if (last >= 0 && this.steps[last] === step) {
      this.test[last] = elbo;
      this.redraw();
    } else {
      this.push(step, null, elbo);
    }
  }

  private push(step: number, train: number | null, test: number | null): void {
    // uPlot wants x ascending; a restarted trainer is offset by the caller, so this holds.
    if (this.steps.length && step < this.steps[this.steps.length - 1]) return;
    this.steps.push(step);
    this.train.push(train);
    this.test.push(test);
    this.redraw();
  }
}
