// The training panel: start/pause, train from scratch, progress, and the worker that trains.
// The page's model follows the worker's parameters (sent twice a second).
import type { ElboChart } from './chart';
import type { Phases } from '../shared/team-stats';
import type { FromWorker, StartFrom, ToWorker, WorkerStat } from '../shared/protocol';
import { SavedRunOffer } from './saved-run';
import type { ModelHolder } from '../app/model-holder';
import { duration, el, errorMessage, nats, randomSeed, showError, type Root } from '../views/ui';
import { binarizationFor, DEFAULT_MODEL, Model, withVariant } from '../shared/wasm';
import { architecture, settingsOf, trainConfigOf, trainingPath, trainSettingsOf, TRAINER_KEYS } from '../pure/settings';
import type { SettingsStore } from '../settings/store';

type State = 'idle' | 'starting' | 'running' | 'paused';

export interface BenchResult {
  samplesPerSec: number;
  steps: number;
  seconds: number;
  k: number;
  /** Per worker, milliseconds per step in each phase. */
  phases: Phases[];
  hostPath: boolean;
}

export interface EquivalenceResult {
  k: number;
  steps: number;
  maxDiff: number;
  repeatDiff: number;
  helpers: number;
}

export class TrainPanel {
  private worker: Worker | null = null;
  private state: State = 'idle';
  /** Training settings changed since the worker's trainer was built. */
  private stale = false;
  /** Restart with new settings as soon as the worker confirms the pause. */
  private restartOnPause = false;
  /** Steps of earlier trainers on this model, so the chart's x axis keeps going. */
  private offset = 0;
  private lastStep = 0;
  /** The same for epochs (fractional). */
  private epochOffset = 0;
  private lastEpoch = 0;
  /** Pauses sent whose 'paused' echo has not come back (a late echo must not undo a resume). */
  private awaitingPause = 0;
  /** Id of the trainer whose reports count; reports of older ones (still in flight after a
   * restart or a model replacement) are dropped. */
  private run = 0;
  private benchDone: ((r: BenchResult) => void) | null = null;
  private memoryDone: ((bytes: number) => void) | null = null;
  private equivalenceDone: ((r: EquivalenceResult) => void) | null = null;
  private offer: SavedRunOffer | null = null;
  /** When the training worker last died; a second death within a minute is not retried. */
  private lastCrash = -Infinity;

  constructor(
    private readonly holder: ModelHolder,
    /** The settings this panel trains with (it writes back what the worker changes). */
    private readonly store: SettingsStore,
    private readonly chart: ElboChart,
    /** The page, or a widget's shadow root: where this panel's controls are. */
    private readonly root: Root = document,
    /** Save the run in IndexedDB, offer to resume it, recover a crashed worker from it. */
    private readonly persist = false,
  ) {
    if (persist) {
      this.offer = new SavedRunOffer(root, () => this.restore());
      void this.offer.check();
    }
    el('train-toggle', this.root).addEventListener('click', () => this.toggle());
    el('train-scratch', this.root).addEventListener('click', () => this.fromScratch());
    store.subscribe((changed, source) => {
      // What the worker reported, or a saved run it restored, the worker has already.
      if (source === 'worker' || source === 'restore') return;
      if (changed.includes('lr')) this.send({ type: 'set-lr', lr: this.trainConfig().lr });
      if (changed.includes('workers')) {
        el('worker-choice', this.root).textContent = '';
        this.send({ type: 'set-workers', k: store.get('workers') });
      }
      if (changed.some((k) => TRAINER_KEYS.includes(k))) this.settingsChanged();
    });
    this.render();
  }

  private trainConfig(seed = randomSeed()) {
    return trainConfigOf(this.store.all(), seed);
  }

  /** The page's model was replaced from outside (a loaded file): its training starts over. */
  modelReplaced(): void {
    this.send({ type: 'reset' });
    this.run++;
    this.state = 'idle';
    this.offset = this.lastStep = this.epochOffset = this.lastEpoch = 0;
    this.chart.reset();
    this.showNumbers('—', '—', '—');
    this.render();
  }

  bench(warmup: number, steps: number, k = 1): Promise<BenchResult> {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    return new Promise((ok) => {
      this.benchDone = ok;
      this.send({ type: 'bench', warmup, steps, k });
    });
  }

  /** Benchmark hook: the training worker's wasm memory in bytes. */
  workerMemory(): Promise<number> {
    return new Promise((ok) => {
      this.memoryDone = ok;
      this.send({ type: 'memory' });
    });
  }

  /** Test hook: K-worker steps against one-worker steps, in the worker. */
  equivalence(k: number, steps: number): Promise<EquivalenceResult> {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    return new Promise((ok) => {
      this.equivalenceDone = ok;
      this.send({ type: 'equivalence', k, steps });
    });
  }

  /** Test hook: the training worker itself throws as a crash would. */
  crashTrainer(): void {
    this.send({ type: 'crash' });
  }

  /** Test hook: the test ELBO points on the chart. */
  testCurve(): [number, number][] {
    return this.chart.testPoints();
  }

  /** Continues the run saved in IndexedDB (after a reload, or after the worker died). */
  private restore(): void {
    this.offer?.hide();
    this.state = 'starting';
    this.stale = false;
    this.run++;
    el('train-status', this.root).textContent = 'Restoring the saved run…';
    this.send({ type: 'restore', run: this.run });
    this.render();
  }

  /** The training worker died: start a new one from the last saved state, once a minute. */
  private workerDied(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    const wasTraining = this.state === 'running' || this.state === 'starting';
    this.state = 'idle';
    const now = performance.now();
    if (this.persist && wasTraining && now - this.lastCrash > 60_000) {
      this.lastCrash = now;
      el('recovery-notice', this.root).textContent = `The training worker stopped (${message}); restarting it from the last saved state.`;
      this.restore();
    } else {
      showError(`The training worker failed: ${message}`, this.root);
      this.render();
    }
  }

  /** Test hook: gradient worker `index` (2..K) throws as a crash would. */
  crashWorker(index: number): void {
    this.send({ type: 'crash-helper', index });
  }

  private getWorker(): Worker {
    if (!this.worker) {
      // Created on first use: its wasm instance would compete with the page's first paint.
      this.worker = new Worker(withVariant(new URL('./worker.js', import.meta.url)), { type: 'module', name: 'vae-trainer' });
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
      this.worker.postMessage({ type: 'set-workers', k: this.store.get('workers') } satisfies ToWorker);
      this.worker.onerror = (e) => {
        e.preventDefault(); // reported (and recovered from) below
        this.workerDied(e.message || 'could not load worker.js');
      };
    }
    return this.worker;
  }

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    // Nothing to tell a worker that does not exist yet (it gets K when it starts).
    if (!this.worker && (m.type === 'reset' || m.type === 'set-lr' || m.type === 'pause' || m.type === 'set-workers')) return;
    this.getWorker().postMessage(m, transfer);
  }

  private toggle(): void {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    else if (this.state === 'paused' && !this.stale) {
      this.state = 'running';
      this.send({ type: 'resume' });
    } else this.continueTraining();
    this.render();
  }

  private pause(): void {
    this.awaitingPause++;
    this.send({ type: 'pause' });
    this.state = 'paused';
    this.render();
  }

  private settingsChanged(): void {
    this.stale = true;
    if (this.state === 'running' || this.state === 'starting') {
      this.restartOnPause = true;
      this.pause();
    }
  }

  /** Continue training the page's model (pretrained, loaded or paused) with the store's settings. */
  private continueTraining(): void {
    const bytes = this.holder.model.toCheckpoint({});
    this.offset += this.lastStep;
    this.epochOffset += this.lastEpoch;
    this.lastStep = this.lastEpoch = 0;
    this.start({ kind: 'checkpoint', bytes }, binarizationFor(this.holder.model.config().decoder, this.store.get('binarization')), [bytes.buffer]);
  }

  private fromScratch(): void {
    const config = architecture(DEFAULT_MODEL, this.store.all());
    const seed = randomSeed();
    try {
      // Replace the page's model now, so every panel shows the untrained decoder at once.
      this.holder.replace(Model.fresh(config, seed), { dataset: this.store.get('dataset'), origin: 'trained from scratch' });
    } catch (e) {
      showError(`Cannot build that model: ${errorMessage(e)}`, this.root);
      return;
    }
    this.offset = this.lastStep = this.epochOffset = this.lastEpoch = 0;
    this.chart.reset();
    this.showNumbers('—', '—', '—');
    this.start({ kind: 'fresh', model: config }, binarizationFor(config.decoder, this.store.get('binarization')), [], seed);
  }

  private start(from: StartFrom, binarization: ReturnType<typeof binarizationFor>, transfer: Transferable[], seed = randomSeed()): void {
    this.state = 'starting';
    this.stale = false;
    this.run++;
    this.holder.info = { ...this.holder.info, dataset: this.store.get('dataset') };
    el('train-status', this.root).textContent = 'Starting…';
    this.send(
      {
        type: 'start',
        run: this.run,
        from,
        train: this.trainConfig(seed),
        binarization,
        init: this.store.get('init'),
        dataset: this.store.get('dataset'),
        persist: this.persist,
        offset: this.offset,
        epochOffset: this.epochOffset,
      },
      transfer,
    );
    this.offer?.hide();
    this.render();
  }

  private receive(m: FromWorker): void {
    if ('run' in m && m.run !== this.run) return;
    switch (m.type) {
      case 'status':
        el('train-status', this.root).textContent = m.text;
        break;
      case 'started':
        if (this.state === 'starting') this.state = 'running';
        el('train-path', this.root).textContent = trainingPath(m.hostPath);
        break;
      case 'progress':
        this.lastStep = m.step;
        this.lastEpoch = m.epoch + m.epochFraction;
        this.chart.addTrain(this.offset + m.step, m.bound);
        el<HTMLProgressElement>('epoch-progress', this.root).value = m.epochFraction;
        el('bound-value', this.root).textContent = nats(m.bound);
        this.showNumbers((this.epochOffset + this.lastEpoch).toFixed(2), String(this.offset + m.step), undefined);
        el('speed-value', this.root).textContent = Math.round(m.samplesPerSec).toLocaleString('en-US');
        el('eta-value', this.root).textContent = duration(m.etaSec);
        this.showWorkers(m.workers);
        break;
      case 'worker-restarted':
        el('worker-notice', this.root).textContent =
          `Worker ${m.index} stopped (${m.reason}). Every worker was restarted from the last saved state and the steps since were replayed exactly, so training goes on as if nothing happened.`;
        break;
      case 'workers-chosen':
        el('worker-choice', this.root).textContent = m.auto
          ? `Using ${m.k} worker${m.k > 1 ? 's' : ''}: the fastest here` +
            (Object.keys(m.rates).length
              ? ` (measured: ${Object.entries(m.rates).map(([k, r]) => `K = ${k}: ${r.toLocaleString('en-US')} images/s`).join(', ')}).`
              : ', as measured earlier in this session.')
          : `Using ${m.k} worker${m.k > 1 ? 's' : ''}, as chosen.`;
        break;
      case 'saved':
        this.offer?.saved(this.offset + m.step);
        break;
      case 'recovered': {
        el('recovery-notice', this.root).textContent = m.message;
        this.store.set({ lr: String(m.lr) }, 'worker');
        this.lastStep = m.step;
        break;
      }
      case 'restored':
        this.restored(m);
        break;
      case 'equivalence-result':
        this.equivalenceDone?.(m);
        this.equivalenceDone = null;
        break;
      case 'params':
        this.holder.setParams(m.params);
        break;
      case 'test':
        this.chart.addTest(this.offset + m.step, m.elbo, m);
        this.showNumbers(undefined, undefined, nats(m.elbo));
        break;
      case 'paused':
        // An echo of our own pause changes nothing; an unasked one means training stopped.
        if (this.awaitingPause > 0) this.awaitingPause--;
        else if (this.state === 'running' || this.state === 'starting') this.state = 'paused';
        if (this.restartOnPause) {
          this.restartOnPause = false;
          this.continueTraining();
        }
        break;
      case 'need-start':
        this.continueTraining();
        break;
      case 'error':
        showError(m.message, this.root);
        break;
      case 'memory-result':
        this.memoryDone?.(m.wasmBytes);
        this.memoryDone = null;
        break;
      case 'bench-result':
        this.state = 'idle';
        this.benchDone?.(m);
        this.benchDone = null;
        break;
    }
    this.render();
  }

  /** The saved run is back in the worker: show its model, curves, numbers and settings. */
  private restored(m: Extract<FromWorker, { type: 'restored' }>): void {
    const meta = m.meta;
    try {
      this.holder.replace(Model.fromCheckpoint(m.checkpoint), { dataset: meta.dataset, origin: 'resumed from the saved run' });
    } catch (e) {
      showError(`The saved run could not be shown: ${errorMessage(e)}`, this.root);
    }
    this.store.set({ ...settingsOf(meta.config), ...trainSettingsOf(meta.train), dataset: meta.dataset }, 'restore');
    this.offset = meta.offset;
    this.epochOffset = meta.epochOffset;
    this.lastStep = meta.step;
    this.lastEpoch = meta.epoch;
    this.chart.load(meta.curves.train, meta.curves.test);
    const test = meta.curves.test.at(-1)?.[1];
    this.showNumbers((meta.epochOffset + meta.epoch).toFixed(2), String(meta.offset + meta.step), test === undefined ? '—' : nats(test));
    if (this.state === 'starting') this.state = 'running';
  }

  /** K and where each worker's time went over the last slice. */
  private showWorkers(stats: WorkerStat[]): void {
    el('workers-value', this.root).textContent = String(stats.length);
    const share = (w: WorkerStat) => {
      const p = w.phases;
      const total = p.compute + p.transfer + p.reduce + p.update + p.idle || 1;
      const pct = (x: number) => `${Math.round((100 * x) / total)}%`;
      return `gradient ${pct(p.compute)}, exchange ${pct(p.transfer)}, update ${pct(p.reduce + p.update)}, waiting ${pct(p.idle)}`;
    };
    el('worker-stats', this.root).textContent = stats.map((w, i) => `worker ${i + 1}: ${share(w)}`).join(' · ');
  }

  private showNumbers(epoch?: string, step?: string, elbo?: string): void {
    if (epoch !== undefined) el('epoch-value', this.root).textContent = epoch;
    if (step !== undefined) el('step-value', this.root).textContent = step;
    if (elbo !== undefined) el('elbo-value', this.root).textContent = elbo === '—' ? '—' : `${elbo} nats`;
  }

  private render(): void {
    const busy = this.state === 'running' || this.state === 'starting';
    const b = el('train-toggle', this.root);
    b.textContent = busy ? 'Pause' : this.state === 'paused' ? 'Resume training' : 'Start training';
    b.setAttribute('aria-pressed', String(busy));
    el('train-state', this.root).textContent = { idle: 'Not training', starting: 'Starting', running: 'Training', paused: 'Paused' }[this.state];
    if (!busy) el('eta-value', this.root).textContent = '—';
    if (!busy) el('train-status', this.root).textContent = this.stale && this.state === 'paused' ? 'New settings apply when training resumes.' : '';
  }
}
