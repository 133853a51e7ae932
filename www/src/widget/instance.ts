// One life of a widget's panels in its shadow root: the model (ModelHolder), its settings
// (SettingsStore), the panels of one view and their workers. A view change or a removal
// disposes it (workers terminated, the model's wasm memory freed); the element then builds a
// new one, handing over the model's bytes and the settings when it only changes the view.
import { errorMessage } from '../pure/error-message';
import { chooseModel, describeModel, download, provenance, startingModel, type ModelChoice } from '../app/model-source';
import { ModelHolder, type ModelInfo } from '../app/model-holder';
import { mountPanels, type Panels } from '../app/mount';
import { errorBanner } from '../app/sections';
import { architecture, ARCHITECTURE_KEYS, sameArchitecture, settingsOf, type Settings } from '../pure/settings';
import { SettingsStore } from '../settings/store';
import { loadWasm, Model } from '../shared/wasm';
import { clearError, el, initErrorBanner, randomSeed, showError } from '../views/ui';
import { describe, modelFromBytes } from './api';
import { emit, errorsAsEvents } from './events';
import type { Metrics, ModelChangeDetail, ModelDescription } from './types';
import { viewMarkup, type View } from './views';

const UNKNOWN: Metrics = { testElbo: null, logPx: null, source: 'unknown', step: 0, epoch: 0 };

/** The zoo's metrics file next to its checkpoint (scripts/zoo.sh writes both). */
async function zooMetrics(choice: ModelChoice): Promise<Metrics> {
  if (!(choice.origin === 'pretrained' || choice.origin.endsWith('(model zoo)'))) return { ...UNKNOWN };
  try {
    const res = await fetch(new URL(choice.url.href.replace(/\.safetensors$/, '.metrics.json')));
    if (!res.ok) return { ...UNKNOWN };
    const m = (await res.json()) as { test_elbo?: number; log_px?: { value?: number } };
    return { ...UNKNOWN, testElbo: m.test_elbo ?? null, logPx: m.log_px?.value ?? null, source: 'model zoo' };
  } catch {
    return { ...UNKNOWN };
  }
}

/** What a new view starts from: the last view's model and settings. */
export interface Handover {
  bytes: Uint8Array;
  info: ModelInfo;
  settings: Settings;
  metrics: Metrics;
}

export class Instance {
  metrics: Metrics = { ...UNKNOWN };
  /** The latest test ELBO of this widget's training, for `progress`. */
  private testElbo: number | null = null;
  /** Set while the element itself replaces the model, so `model-change` says why. */
  private replacing: ModelChangeDetail['reason'] | null = null;
  private readonly errors: MutationObserver;

  private constructor(
    host: HTMLElement,
    private readonly root: ShadowRoot,
    readonly view: View,
    readonly holder: ModelHolder,
    readonly store: SettingsStore,
    readonly panels: Panels,
  ) {
    this.errors = errorsAsEvents(host, root);
    holder.subscribe((change) => {
      if (change !== 'replaced') return;
      el('model-origin', root).textContent = describeModel(holder);
      const reason = this.replacing ?? 'train';
      if (reason === 'train') this.metrics = { ...UNKNOWN };
      this.testElbo = null;
      emit(host, 'model-change', { reason, model: this.describe() });
    });
    if (panels.train) {
      panels.train.onReport = (r) => {
        if (r.kind === 'test') {
          this.testElbo = r.testElbo;
          this.metrics = { ...this.metrics, testElbo: r.testElbo, logPx: this.metrics.source === 'training' ? this.metrics.logPx : null, source: 'training' };
          return;
        }
        this.metrics = { ...this.metrics, step: r.step, epoch: r.epoch };
        emit(host, 'progress', { step: r.step, epoch: r.epoch, bound: r.bound, testElbo: this.testElbo, samplesPerSec: r.samplesPerSec });
      };
    }
    // Only when the drawing changed: the panel also updates when training moves the weights.
    let last: Float32Array | null = null;
    panels.draw?.onUpdate(() => {
      const x = panels.draw?.x ?? null;
      if (x && x !== last) emit(host, 'drawing', { pixels: Float32Array.from(x) });
      last = x;
    });
  }

  /** Writes the frame and the view's sections into `root`, then the model: the `model`
   * attribute's (or the handed-over one). onReady: after the first paint. */
  static async create(host: HTMLElement, root: ShadowRoot, view: View, settings: Settings, from: Handover | null, onReady: () => void): Promise<Instance> {
    root.innerHTML = `<div class="frame">${errorBanner()}
      <p class="model-line" id="model-origin"></p>
      <p class="loading" id="widget-loading" role="status">Loading the model…</p>
      ${viewMarkup(view)}</div>`;
    initErrorBanner(root, false);
    const errors = errorsAsEvents(host, root); // problems found before the instance exists
    try {
      await loadWasm();
      let holder: ModelHolder;
      let metrics: Metrics;
      if (from) {
        holder = new ModelHolder(Model.fromCheckpoint(from.bytes), from.info);
        metrics = from.metrics;
      } else {
        // A zoo name, or a URL relative to the page, as an <img src> would be.
        const choice = chooseModel(host.getAttribute('model'), document.baseURI);
        const [first, known] = await Promise.all([startingModel(choice, settings), zooMetrics(choice)]);
        const problem = [choice.problem, first.problem].filter(Boolean).join(' ');
        if (problem) showError(problem, root);
        holder = new ModelHolder(first.model, { dataset: first.dataset, origin: first.origin });
        metrics = first.origin === choice.origin ? known : { ...UNKNOWN };
        settings = { dataset: first.dataset, ...settings };
      }
      el('model-origin', root).textContent = describeModel(holder);
      el('widget-loading', root).hidden = true;
      const store = new SettingsStore();
      const panels = mountPanels(holder, store, root, onReady);
      // After the panels showed the model's architecture, so the attributes win.
      store.set(settings, 'attributes');
      const instance = new Instance(host, root, view, holder, store, panels);
      instance.metrics = metrics;
      return instance;
    } finally {
      await Promise.resolve(); // let the observer report what the start showed
      errors.disconnect();
    }
  }

  describe(): ModelDescription {
    return describe(this.holder, this.metrics);
  }

  handover(): Handover {
    return { bytes: this.holder.model.toCheckpoint({}), info: this.holder.info, settings: { ...this.store.all() }, metrics: this.metrics };
  }

  /** A zoo name, a URL (relative to the page) or checkpoint bytes. Throws (and keeps the
   * current model) when it does not load. */
  async load(source: string | URL | ArrayBuffer | Uint8Array): Promise<void> {
    let bytes: Uint8Array;
    let choice: ModelChoice | null = null;
    let name: string;
    if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
      bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
      name = 'the bytes given';
    } else if (typeof source === 'string' || source instanceof URL) {
      choice = chooseModel(String(source), document.baseURI);
      if (choice.problem) throw new Error(choice.problem.replace('Keeping the pretrained model.', 'The current model is unchanged.'));
      name = choice.origin.replace(/^loaded from /, '');
      try {
        bytes = await download(choice.url);
      } catch (e) {
        throw new Error(`Could not load ${choice.url.href}: ${errorMessage(e)}. The current model is unchanged.`);
      }
    } else {
      throw new TypeError('load() takes a model name, a URL, an ArrayBuffer or a Uint8Array');
    }
    const model = modelFromBytes(bytes, name);
    const metrics = choice ? await zooMetrics(choice) : { ...UNKNOWN };
    clearError(this.root);
    this.replace(model, provenance(bytes, choice?.origin ?? 'loaded from bytes', choice?.dataset, this.store.get('dataset')), 'load', metrics);
  }

  /** Settings from changed attributes; an architecture that differs builds a fresh model. */
  setSettings(s: Settings): void {
    const current = this.holder.model.config();
    const wanted = architecture(current, s);
    if (ARCHITECTURE_KEYS.some((k) => s[k] !== undefined) && !sameArchitecture(current, wanted)) {
      this.replace(Model.fresh(wanted, randomSeed()), { dataset: s.dataset ?? this.holder.info.dataset, origin: 'untrained' }, 'architecture', { ...UNKNOWN });
    }
    this.store.set(s, 'attributes');
  }

  private replace(model: Model, info: ModelInfo, reason: ModelChangeDetail['reason'], metrics: Metrics): void {
    this.metrics = metrics;
    this.replacing = reason;
    try {
      this.holder.replace(model, info);
    } finally {
      this.replacing = null;
    }
    this.store.set(settingsOf(model.config()), 'model');
    this.panels.train?.modelReplaced();
  }

  /** Workers terminated, listeners gone, the model freed, the shadow content emptied. */
  dispose(): void {
    this.panels.train?.dispose();
    this.panels.posterior?.dispose();
    this.panels.lab?.dispose();
    this.panels.klBars?.dispose();
    this.panels.ownData?.dispose();
    this.errors.disconnect();
    this.holder.dispose();
    this.root.replaceChildren();
  }
}
