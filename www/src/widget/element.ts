// <vae-playground>: parts of the playground for someone else's page, and a small API for
// scripting it. docs/widget.md is the home of the attributes, methods and events; this file
// is the element's lifecycle: start, attribute changes, removal.
//
// Everything lives in an open shadow root: the page's CSS does not reach in, the widget's
// does not leak out, and ids are per widget. Each widget has its own model; the wasm module,
// the downloaded checkpoint, the test digits and the stylesheet are shared by all widgets of
// a page. A training worker is started only when a widget trains, one per training widget.
import { errorKind } from '../shared/wasm';
import panelsCss from '../../panels.css';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { KEYS, parseSettings, parseValue, type Key, type Settings } from '../pure/settings';
import { errorMessage, showError } from '../views/ui';
import * as api from './api';
import { emit } from './events';
import { Instance, type Handover } from './instance';
import type { Encoding, ModelDescription, ModelSource, Reconstruction, VaePlaygroundEventMap } from './types';
import widgetCss from './widget.css';
import { parseView } from './views';

/** `all: initial` first: inherited properties (font, colour, line height, alignment) of the
 * host page stop at the widget's edge; panels.css then sets its own. */
const STYLES = `:host { all: initial; }\n${uplotCss}\n${panelsCss}\n${widgetCss}`;

let shared: CSSStyleSheet | null = null;
/** One parsed stylesheet for every widget of the page. Adopted, not a <style> element, so a
 * page whose CSP forbids inline styles still styles the widget. */
function sheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(STYLES);
  }
  return shared;
}

/** A CSS length for `height`, or null. Checked by the browser's own parser, and no
 * characters that could end the declaration: the value goes into a stylesheet. */
function cssHeight(v: string | null): string | null {
  if (v === null || v.trim() === '') return null;
  const h = /^\d+(\.\d+)?$/.test(v.trim()) ? `${v.trim()}px` : v.trim();
  return !/[;{}<>\\]/.test(h) && CSS.supports('height', h) ? h : null;
}

export class VaePlayground extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['height', 'view', 'model', ...KEYS];
  }

  private readonly size = new CSSStyleSheet();
  private instance: Instance | null = null;
  /** The start under way (connected, model not yet shown). */
  private booting: Promise<Instance> | null = null;
  private readyPromise!: Promise<ModelDescription>;
  private settle!: { ok: (m: ModelDescription) => void; fail: (e: unknown) => void };

  constructor() {
    super();
    this.freshReady();
  }

  /** Resolves with `model` once the widget shows its model (after the first paint); rejects
   * when it cannot start. A removed and re-inserted widget has a new one. */
  get ready(): Promise<ModelDescription> {
    return this.readyPromise;
  }

  /** The model shown: its architecture, origin and metrics; null before `ready`. */
  get model(): ModelDescription | null {
    return this.instance?.describe() ?? null;
  }

  async reconstruct(pixels: Float32Array): Promise<Reconstruction> {
    return api.reconstruct((await this.live()).holder, pixels);
  }

  async encode(pixels: Float32Array): Promise<Encoding> {
    return api.encode((await this.live()).holder, pixels);
  }

  async decode(z: Float32Array): Promise<Float32Array> {
    return api.decode((await this.live()).holder, z);
  }

  /** n images (784 values each, the decoder's means) at prior samples drawn with `seed`. */
  async sample(n: number, seed = 1): Promise<Float32Array[]> {
    return api.sample((await this.live()).holder, n, seed);
  }

  /** The model's checkpoint (.safetensors bytes, docs/checkpoint.md). */
  async save(): Promise<Uint8Array> {
    return api.save((await this.live()).holder);
  }

  /** Replaces the model; a bad source rejects with the reason and keeps the current one. */
  async load(source: ModelSource): Promise<ModelDescription> {
    const it = await this.live();
    await it.load(source);
    return it.describe();
  }

  /** Starts (or resumes) training; the view must have a training panel (train, full). */
  async train(): Promise<void> {
    const panel = this.trainPanel(await this.live());
    if (!panel.training) this.toggle();
  }

  async pause(): Promise<void> {
    const panel = this.trainPanel(await this.live());
    if (panel.training) this.toggle();
  }

  connectedCallback(): void {
    if (this.instance || this.booting) return; // moved within the page: keep the running widget
    this.boot(null);
  }

  disconnectedCallback(): void {
    // After the current task: a move (removed and inserted at once) is still connected then.
    queueMicrotask(() => {
      if (!this.isConnected) this.teardown();
    });
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'height') return this.applyHeight();
    if (old === value || !(this.instance || this.booting)) return; // a first start reads them all
    // During a start, once it is done (the start may have read the old value).
    void (this.booting ?? Promise.resolve(this.instance!)).then((it) => this.applyAttribute(it, name, value)).catch(() => {});
  }

  private applyAttribute(it: Instance, name: string, value: string | null): void {
    if (this.instance !== it) return;
    const root = this.shadowRoot!;
    if (name === 'view') {
      if (parseView(value).view !== it.view) this.boot(it.handover());
    } else if (name === 'model') {
      it.load(value ?? 'default').catch((e) => showError(errorMessage(e), root, errorKind(e)));
    } else {
      const v = value === null ? undefined : parseValue(name as Key, value);
      if (value !== null && v === undefined) showError(`Ignored attribute ${name}: not a valid value.`, root);
      else if (v !== undefined) it.setSettings({ [name]: v } as Settings);
    }
  }

  private freshReady(): void {
    this.readyPromise = new Promise((ok, fail) => (this.settle = { ok, fail }));
    this.readyPromise.catch(() => {}); // the banner and the error event say it; nobody has to listen
  }

  /** Builds the panels of the current view: from the attributes, or from `from` (a view change). */
  private boot(from: Handover | null): void {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet(), this.size];
    this.applyHeight();
    const old = this.instance;
    this.instance = null;
    old?.dispose();
    const { view, known } = parseView(this.getAttribute('view'));
    const { settings, rejected } = parseSettings((k) => this.getAttribute(k));
    let firstPaint = () => {};
    const booting = Instance.create(this, root, view, from?.settings ?? settings, from, () => requestAnimationFrame(() => firstPaint()));
    this.booting = booting;
    booting.then(
      (it) => {
        if (this.booting !== booting) return it.dispose(); // removed while starting
        this.booting = null;
        this.instance = it;
        if (!known) showError(`Unknown view "${this.getAttribute('view')}"; showing the whole playground.`, root);
        if (!from && rejected.length) showError(`Ignored attribute${rejected.length > 1 ? 's' : ''} ${rejected.join(', ')}: not a valid value.`, root);
        firstPaint = () => {
          const model = it.describe();
          this.settle.ok(model);
          emit(this, 'ready', model);
        };
        if (!from && this.hasAttribute('autoplay') && it.panels.train) this.toggle();
      },
      (e) => {
        if (this.booting !== booting) return;
        this.booting = null;
        const message = `The widget failed to start: ${errorMessage(e)}`;
        showError(message, root, errorKind(e));
        emit(this, 'error', { message, kind: errorKind(e) });
        this.settle.fail(new Error(message));
      },
    );
  }

  private teardown(): void {
    this.booting = null;
    this.instance?.dispose();
    this.instance = null;
    this.freshReady();
  }

  /** The running instance, after `ready`; an Error when the widget is not on a page. */
  private async live(): Promise<Instance> {
    if (!this.instance && !this.booting) throw new Error('The widget is not on a page: insert it first (its model starts when it is connected).');
    await this.ready;
    if (this.booting) await this.booting; // a view change under way
    if (!this.instance) throw new Error('The widget was removed from the page.');
    return this.instance;
  }

  private trainPanel(it: Instance) {
    if (!it.panels.train) throw new Error(`view="${it.view}" has no training panel: use view="train" or view="full" to train.`);
    return it.panels.train;
  }

  /** As a person would: the panel's own Start/Pause button. */
  private toggle(): void {
    this.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="train-toggle"]')!.click();
  }

  private applyHeight(): void {
    const h = cssHeight(this.getAttribute('height'));
    this.size.replaceSync(h ? `:host { height: ${h}; }` : '');
  }
}

/** Typed listeners for the widget's events (`e.detail` is known). */
export interface VaePlayground {
  addEventListener<K extends keyof VaePlaygroundEventMap>(type: K, listener: (this: VaePlayground, ev: VaePlaygroundEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof VaePlaygroundEventMap>(type: K, listener: (this: VaePlayground, ev: VaePlaygroundEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
