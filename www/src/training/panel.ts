// The training panel: the run (run.ts) plus what keeps it across reloads and crashes. The
// page's run is saved in IndexedDB; after a reload it is simply there, paused (model in every
// panel, curve, figures, settings); "Resume" continues it exactly, "Discard saved run" goes
// back to the pretrained model. A training worker that dies is restarted from the saved
// state. Widgets train without saving (they would share one record).
import type { ElboChart } from './chart';
import { WorkerQuestions, type BenchResult, type EquivalenceResult, type ReproduceRequest, type ReproduceResult } from './hooks';
import type { FromWorker } from '../shared/protocol';
import type { SavedMeta } from '../shared/persist';
import { runSettings, SavedRunOffer, type SavedRun } from './saved-run';
import { TrainingRun, type SaveReport } from './run';
import type { ModelHolder } from '../app/model-holder';
import { chooseModel, startingModel } from '../app/model-source';
import { el, errorMessage, nats, showError, type Root } from '../views/ui';
import { Model } from '../shared/wasm';
import { DEFAULTS, settingsOf, TRAINER_KEYS } from '../pure/settings';
import type { SettingsStore } from '../settings/store';

export type { BenchResult, EquivalenceResult, ReproduceRequest, ReproduceResult } from './hooks';

/** A second death of the training worker within this time is reported, not retried. */
const RETRY_AFTER_MS = 60_000;

export class TrainPanel extends TrainingRun {
  private readonly questions = new WorkerQuestions((m) => this.send(m));
  private offer: SavedRunOffer | null = null;
  /** The page shows the saved run (its model, curves, figures) and no worker has it yet. */
  private savedShown = false;
  /** When the training worker last died. */
  private lastCrash = -Infinity;
  /** Why the worker died, while it is being restored from the saved state. */
  private recovering: string | null = null;
  /** Resuming the run on show: the store holds what the person wants now (the run's settings,
   * or what they chose since), which the restored trainer then takes on. */
  private resumingShown = false;

  constructor(
    holder: ModelHolder,
    store: SettingsStore,
    chart: ElboChart,
    root: Root = document,
    /** Save the run in IndexedDB, show it after a reload, recover a crashed worker from it. */
    persist = false,
    /** The saved run the page started with (the holder already holds its model). */
    saved: SavedRun | null = null,
  ) {
    super(holder, store, chart, root, persist);
    if (persist) {
      // The offer's "Resume" is the same as "Resume training".
      this.offer = new SavedRunOffer(root, () => void (this.resumeSaved() || this.restore()), () => this.discarded());
      if (saved) this.showSaved(saved.meta);
      else void this.offer.check();
    }
    this.render();
  }

  /** The page's model was replaced from outside (a loaded file): its training starts over.
   * A saved run on show stays saved, and offered. */
  modelReplaced(): void {
    this.send({ type: 'reset' });
    if (this.savedShown) void this.offer?.check();
    this.savedShown = false;
    this.forgetRun();
  }

  /** Benchmark and test hooks (app/main.ts). The run pauses for those that train. */
  bench(warmup: number, steps: number, k = 1): Promise<BenchResult> {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    return this.questions.ask({ hook: 'bench', warmup, steps, k });
  }

  async workerMemory(): Promise<number> {
    return (await this.questions.ask({ hook: 'memory' })).wasmBytes;
  }

  equivalence(k: number, steps: number): Promise<EquivalenceResult> {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    return this.questions.ask({ hook: 'equivalence', k, steps });
  }

  reproduce(request: ReproduceRequest): Promise<ReproduceResult> {
    if (this.state === 'running' || this.state === 'starting') this.pause();
    return this.questions.ask({ hook: 'reproduce', ...request });
  }

  /** Test hook: the training worker itself throws as a crash would. */
  crashTrainer(): void {
    this.questions.tell({ hook: 'crash' });
  }

  /** Test hook: gradient worker `index` (2..K) throws as a crash would. */
  crashWorker(index: number): void {
    this.questions.tell({ hook: 'crash-helper', index });
  }

  /** Test hook: the test ELBO points on the chart. */
  termCurve(): [number, number, number][] {
    return this.chart.termPoints();
  }

  testCurve(): [number, number][] {
    return this.chart.testPoints();
  }

  /** At start-up: the saved run's model is the page's; its curve, figures and settings too. */
  private showSaved(meta: SavedMeta): void {
    this.savedShown = true;
    this.state = 'paused';
    this.showRun(meta);
    this.offer?.shown(meta);
    this.offer?.saved(meta.offset + meta.step);
  }

  /** The saved run's curves, figures and (unless `keepSettings`) settings: the store's, so the
   * forms and the URL follow. */
  private showRun(meta: SavedMeta, keepSettings = false): void {
    if (!keepSettings) this.store.set(runSettings(meta), 'restore');
    this.offset = meta.offset;
    this.epochOffset = meta.epochOffset;
    this.lastStep = meta.step;
    this.lastEpoch = meta.epoch;
    this.chart.load(meta.curves.train, meta.curves.test, meta.curves.terms);
    const last = (points: [number, number][]) => points.at(-1)?.[1] ?? null;
    this.out.numbers(meta.epochOffset + meta.epoch, meta.offset + meta.step, last(meta.curves.test), last(meta.curves.train));
  }

  protected override resumeSaved(): boolean {
    if (!this.savedShown) return false;
    this.restore();
    this.resumingShown = true;
    return true;
  }

  protected override starting(): void {
    this.savedShown = false;
    this.offer?.hide();
  }

  /** "Discard saved run": the record is gone; a page that showed it shows the pretrained model
   * again, with the default settings. */
  private async discarded(): Promise<void> {
    if (!this.savedShown) return;
    const start = await startingModel(chooseModel(null, document.baseURI), {});
    if (start.problem) showError(start.problem, this.root);
    this.holder.replace(start.model, { dataset: start.dataset, origin: start.origin });
    this.store.set({ ...DEFAULTS, ...settingsOf(start.model.config()), dataset: start.dataset }, 'model');
    this.savedShown = false;
    this.stale = false;
    this.forgetRun();
  }

  /** Continues the run saved in IndexedDB (after a reload, or after the worker died). */
  private restore(): void {
    this.resumingShown = false;
    this.offer?.hide();
    this.savedShown = false;
    this.state = 'starting';
    this.stale = false;
    this.run++;
    this.out.status('Restoring the saved run…');
    this.send({ type: 'restore', run: this.run });
    this.render();
  }

  /** The training worker died while training: start a new one from the saved state. */
  protected override workerDied(message: string): void {
    const wasTraining = this.state === 'running' || this.state === 'starting';
    const now = performance.now();
    if (!this.persist || !wasTraining || now - this.lastCrash < RETRY_AFTER_MS) return super.workerDied(message);
    this.workerGone();
    this.lastCrash = now;
    this.recovering = message;
    this.out.recovery(`The training worker stopped (${message}); restarting it from the last saved state.`);
    this.restore();
  }

  protected override receive(m: FromWorker): void {
    if (!this.questions.answer(m)) return super.receive(m);
    if (m.type === 'debug' && m.answer.hook === 'bench') this.state = 'idle';
    this.render();
  }

  protected override saveReport(m: SaveReport): void {
    if (m.type === 'saved') this.offer?.saved(this.offset + m.step);
    else if (m.type === 'save-dropped') this.offer?.dropped();
    else {
      this.restored(m);
      el('test-note', this.root).textContent = m.testNote;
    }
  }

  /** The saved run is back in the worker: show its model, curves, numbers and settings. */
  private restored(m: Extract<FromWorker, { type: 'restored' }>): void {
    const meta = m.meta;
    try {
      this.holder.replace(Model.fromCheckpoint(m.checkpoint), { dataset: meta.dataset, origin: 'resumed from the saved run' });
    } catch (e) {
      showError(`The saved run could not be shown: ${errorMessage(e)}`, this.root);
    }
    const chosen = this.resumingShown;
    this.showRun(meta, chosen);
    if (chosen) this.takeOnSettings(meta);
    if (this.recovering !== null) {
      const test = meta.curves.test.at(-1)?.[1];
      this.out.recovery(
        `The training worker stopped (${this.recovering}); restarting it from the last saved state: step ${meta.offset + meta.step}` +
          (test !== undefined ? `, test ELBO ${nats(test)} nats.` : '.'),
      );
      this.recovering = null;
    }
    if (this.state === 'starting') this.state = 'running';
  }

  /** The restored trainer runs with the saved settings; settings chosen while the run was on
   * show apply as they would mid-run (the rate at once, the rest by a new trainer). */
  private takeOnSettings(meta: SavedMeta): void {
    this.resumingShown = false;
    const run = runSettings(meta);
    if (this.store.get('lr') !== run.lr) this.send({ type: 'set-lr', lr: this.trainConfig().lr });
    if (TRAINER_KEYS.some((k) => this.store.get(k) !== run[k])) this.settingsChanged();
  }
}
