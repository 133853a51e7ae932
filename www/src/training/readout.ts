// What the training panel shows: the run's figures (epoch, step, test ELBO, train bound,
// speed), the workers' shares, the state line and the start/pause button. Only writes the
// DOM; the run itself is panel.ts's.
import type { FromWorker, Progress, WorkerStat } from '../shared/protocol';
import { duration, el, nats, type Root } from '../views/ui';

export type State = 'idle' | 'starting' | 'running' | 'paused';

/** A figure left as it is. */
const KEEP = undefined;

export class Readout {
  constructor(private readonly root: Root) {}

  /** Epoch, step, test ELBO and train bound; undefined keeps a figure, null shows "—". */
  numbers(epoch?: number | null, step?: number | null, elbo?: number | null, bound?: number | null): void {
    const put = (id: string, v: number | null | undefined, f: (v: number) => string) => {
      if (v !== KEEP) el(id, this.root).textContent = v === null ? '—' : f(v);
    };
    put('epoch-value', epoch, (v) => v.toFixed(2));
    put('step-value', step, (v) => String(v));
    put('elbo-value', elbo, (v) => `${nats(v)} nats`);
    put('bound-value', bound, nats);
  }

  /** A slice's report; `step` and `epoch` already count earlier trainers on this model. */
  progress(m: Progress, step: number, epoch: number): void {
    el<HTMLProgressElement>('epoch-progress', this.root).value = m.epochFraction;
    this.numbers(epoch, step, KEEP, m.bound);
    el('speed-value', this.root).textContent = Math.round(m.samplesPerSec).toLocaleString('en-US');
    el('eta-value', this.root).textContent = duration(m.etaSec);
    this.workers(m.workers);
  }

  status(text: string): void {
    el('train-status', this.root).textContent = text;
  }

  workerRestarted(m: Extract<FromWorker, { type: 'worker-restarted' }>): void {
    el('worker-notice', this.root).textContent =
      `Worker ${m.index} stopped (${m.reason}). Every worker was restarted from the last saved state and the steps since were replayed exactly, so training goes on as if nothing happened.`;
  }

  workersChosen(m: Extract<FromWorker, { type: 'workers-chosen' }>): void {
    el('worker-choice', this.root).textContent = m.auto
      ? `Using ${m.k} worker${m.k > 1 ? 's' : ''}: the fastest here` +
        (Object.keys(m.rates).length
          ? ` (measured: ${Object.entries(m.rates).map(([k, r]) => `K = ${k}: ${r.toLocaleString('en-US')} images/s`).join(', ')}).`
          : ', as measured earlier in this session.')
      : `Using ${m.k} worker${m.k > 1 ? 's' : ''}, as chosen.`;
  }

  clearWorkerChoice(): void {
    el('worker-choice', this.root).textContent = '';
  }

  recovery(text: string): void {
    el('recovery-notice', this.root).textContent = text;
  }

  /** K and where each worker's time went over the last slice. */
  private workers(stats: WorkerStat[]): void {
    el('workers-value', this.root).textContent = String(stats.length);
    const share = (w: WorkerStat) => {
      const p = w.phases;
      const total = p.compute + p.transfer + p.reduce + p.update + p.idle || 1;
      const pct = (x: number) => `${Math.round((100 * x) / total)}%`;
      return `gradient ${pct(p.compute)}, exchange ${pct(p.transfer)}, update ${pct(p.reduce + p.update)}, waiting ${pct(p.idle)}`;
    };
    el('worker-stats', this.root).textContent = stats.map((w, i) => `worker ${i + 1}: ${share(w)}`).join(' · ');
  }

  /** The button and the state line. `stale`: settings changed since the trainer was built;
   * `pausing`: the worker has not yet confirmed a pause (its last parameters and save are on
   * their way). */
  render(state: State, stale: boolean, pausing: boolean): void {
    const busy = state === 'running' || state === 'starting';
    const b = el('train-toggle', this.root);
    b.textContent = busy ? 'Pause' : state === 'paused' ? 'Resume training' : 'Start training';
    b.setAttribute('aria-pressed', String(busy));
    el('train-state', this.root).textContent = pausing && state === 'paused' ? 'Pausing…' : { idle: 'Not training', starting: 'Starting', running: 'Training', paused: 'Paused' }[state];
    if (!busy) el('eta-value', this.root).textContent = '—';
    if (!busy) this.status(stale && state === 'paused' ? 'New settings apply when training resumes.' : '');
  }
}
