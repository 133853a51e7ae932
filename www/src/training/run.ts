// The training run's state machine: idle, starting, running, paused; start and pause,
// continue the page's model or train from scratch, new settings mid-run, and the worker
// that trains (worker/lead.ts). The page's model follows the worker's parameters (sent
// twice a second). The saved run and crash recovery are panel.ts's; what is shown, readout.ts's.
import { ownSetProblem } from '../shared/own-data-store';
import type { ElboChart } from './chart';
import type { FromWorker, StartFrom, ToWorker } from '../shared/protocol';
import { Readout, type State } from './readout';
import type { ModelHolder } from '../app/model-holder';
import { el, errorMessage, randomSeed, showError, type Root } from '../views/ui';
import { binarizationFor, DEFAULT_MODEL, Model, withVariant } from '../shared/wasm';
import { architecture, trainConfigOf, trainingPath, TRAINER_KEYS } from '../pure/settings';
import type { SettingsStore } from '../settings/store';

/** What the worker says about the saved run (handled by the page's panel). */
export type SaveReport = Extract<FromWorker, { type: 'saved' | 'save-dropped' | 'restored' }>;

/** What the panel shows, as numbers: a training slice, or a test ELBO evaluation. */
export type TrainReport =
  | { kind: 'progress'; step: number; epoch: number; bound: number; samplesPerSec: number }
  | { kind: 'test'; step: number; testElbo: number };

export class TrainingRun {
  protected worker: Worker | null = null;
  protected state: State = 'idle';
  /** Training settings changed since the worker's trainer was built. */
  protected stale = false;
  /** Restart with new settings as soon as the worker confirms the pause. */
  private restartOnPause = false;
  /** Steps of earlier trainers on this model, so the chart's x axis keeps going. */
  protected offset = 0;
  protected lastStep = 0;
  /** The same for epochs (fractional). */
  protected epochOffset = 0;
  protected lastEpoch = 0;
  /** Pauses sent whose 'paused' echo has not come back (a late echo must not undo a resume). */
  private awaitingPause = 0;
  /** Id of the trainer whose reports count; reports of older ones (still in flight after a
   * restart or a model replacement) are dropped. */
  protected run = 0;
  protected readonly out: Readout;
  /** Hears the numbers the panel shows (the widget's `progress` event, its `model` metrics). */
  onReport: ((r: TrainReport) => void) | null = null;

  constructor(
    protected readonly holder: ModelHolder,
    /** The settings this panel trains with (it writes back what the worker changes). */
    protected readonly store: SettingsStore,
    protected readonly chart: ElboChart,
    /** The page, or a widget's shadow root: where this panel's controls are. */
    protected readonly root: Root,
    /** Save the run in IndexedDB every few seconds and on pause. */
    protected readonly persist: boolean,
  ) {
    this.out = new Readout(root);
    el('train-toggle', this.root).addEventListener('click', () => this.toggle());
    // A personal set too small to train on is refused before the model is replaced.
    el('train-scratch', this.root).addEventListener('click', () => void ownSetProblem(this.store.get('dataset')).then((why) => (why ? showError(why, this.root) : this.fromScratch())));
    store.subscribe((changed, source) => {
      // What the worker reported, or a saved run it restored, the worker has already.
      if (source === 'worker' || source === 'restore') return;
      if (changed.includes('lr')) this.send({ type: 'set-lr', lr: this.trainConfig().lr });
      if (changed.includes('workers')) {
        this.out.clearWorkerChoice();
        this.send({ type: 'set-workers', k: store.get('workers') });
      }
      if (changed.some((k) => TRAINER_KEYS.includes(k))) this.settingsChanged();
    });
  }

  /** Whether a run is going (or starting). */
  get training(): boolean {
    return this.state === 'running' || this.state === 'starting';
  }

  /** Stops for good: the training worker (and with it its team of gradient workers) ends. */
  dispose(): void {
    this.run++; // reports still in flight are dropped
    this.onReport = null;
    this.worker?.terminate();
    this.worker = null;
    this.state = 'idle';
  }

  protected trainConfig(seed = randomSeed()) {
    return trainConfigOf(this.store.all(), seed);
  }

  /** Nothing trained on the page's model yet: no trainer, curve or figures. */
  protected forgetRun(): void {
    this.run++;
    this.state = 'idle';
    this.offset = this.lastStep = this.epochOffset = this.lastEpoch = 0;
    this.chart.reset();
    this.out.numbers(null, null, null, null);
    this.render();
  }

  /** "Start/Resume training" on a saved run the page shows: true when it took the click. */
  protected resumeSaved(): boolean {
    return false;
  }

  /** The saved run's reports; only the page saves. */
  protected saveReport(_m: SaveReport): void {}

  /** A trainer starts (anything on show that it replaces is gone). */
  protected starting(): void {}

  /** The training worker is gone: no pause of it will be confirmed. */
  protected workerGone(): void {
    this.worker?.terminate();
    this.worker = null;
    this.awaitingPause = 0;
  }

  /** The training worker died. */
  protected workerDied(message: string): void {
    this.workerGone();
    this.state = 'idle';
    showError(`The training worker failed: ${message}`, this.root);
    this.render();
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

  protected send(m: ToWorker, transfer: Transferable[] = []): void {
    // Nothing to tell a worker that does not exist yet (it gets K when it starts).
    if (!this.worker && (m.type === 'reset' || m.type === 'set-lr' || m.type === 'pause' || m.type === 'set-workers')) return;
    this.getWorker().postMessage(m, transfer);
  }

  private toggle(): void {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    else if (this.resumeSaved()) return;
    else if (this.state === 'paused' && !this.stale) {
      this.state = 'running';
      this.send({ type: 'resume' });
    } else this.continueTraining();
    this.render();
  }

  protected pause(): void {
    this.awaitingPause++;
    this.send({ type: 'pause' });
    this.state = 'paused';
    this.render();
  }

  protected settingsChanged(): void {
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
    this.out.numbers(null, null, null, null);
    this.start({ kind: 'fresh', model: config }, binarizationFor(config.decoder, this.store.get('binarization')), [], seed);
  }

  private start(from: StartFrom, binarization: ReturnType<typeof binarizationFor>, transfer: Transferable[], seed = randomSeed()): void {
    this.state = 'starting';
    this.stale = false;
    this.run++;
    this.starting();
    this.holder.info = { ...this.holder.info, dataset: this.store.get('dataset') };
    this.out.status('Starting…');
    this.send(
      {
        type: 'start',
        run: this.run,
        from,
        train: this.trainConfig(seed),
        binarization,
        init: this.store.get('init'),
        dataset: this.store.get('dataset'),
        own: { holdout: this.store.get('holdout') / 100, mix: this.store.get('mix') / 100 },
        persist: this.persist,
        offset: this.offset,
        epochOffset: this.epochOffset,
      },
      transfer,
    );
    this.render();
  }

  /** A report of the current trainer (older trainers' are dropped). */
  protected receive(m: FromWorker): void {
    if ('run' in m && m.run !== this.run) return;
    switch (m.type) {
      case 'status':
        this.out.status(m.text);
        break;
      case 'started':
        if (this.state === 'starting') this.state = 'running';
        el('test-note', this.root).textContent = m.testNote;
        el('train-path', this.root).textContent = trainingPath(m.hostPath);
        break;
      case 'progress':
        this.lastStep = m.step;
        this.lastEpoch = m.epoch + m.epochFraction;
        this.chart.addTrain(this.offset + m.step, m.bound);
        this.out.progress(m, this.offset + m.step, this.epochOffset + this.lastEpoch);
        this.onReport?.({ kind: 'progress', step: this.offset + m.step, epoch: this.epochOffset + this.lastEpoch, bound: m.bound, samplesPerSec: m.samplesPerSec });
        break;
      case 'worker-restarted':
        this.out.workerRestarted(m);
        break;
      case 'workers-chosen':
        this.out.workersChosen(m);
        break;
      case 'saved':
      case 'save-dropped':
      case 'restored':
        this.saveReport(m);
        break;
      case 'recovered':
        // Back at the named step with the halved rate: the store has it (form and URL follow).
        this.out.recovery(m.message);
        this.store.set({ lr: String(m.lr) }, 'worker');
        this.lastStep = m.step;
        this.out.numbers(undefined, this.offset + m.step);
        break;
      case 'params':
        this.holder.setParams(m.params);
        break;
      case 'test':
        this.chart.addTest(this.offset + m.step, m.elbo, m);
        this.out.numbers(undefined, undefined, m.elbo);
        this.onReport?.({ kind: 'test', step: this.offset + m.step, testElbo: m.elbo });
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
        showError(m.message, this.root, m.kind);
        break;
    }
    this.render();
  }

  protected render(): void {
    this.out.render(this.state, this.stale, this.awaitingPause > 0);
  }
}
