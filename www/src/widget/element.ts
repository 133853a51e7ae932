// <vae-playground>: parts of the playground for someone else's page.
//
//   <script type="module" src="https://example.org/vae/vae-playground.js"></script>
//   <vae-playground view="traverse" height="420"></vae-playground>
//
// Attributes (read when the element is first connected; `height` also later):
//   view      full | draw | posterior | estimators | traverse | interpolate | samples | manifold | train (default full)
//   model     a zoo model by name (default, mnist-2d, mnist-10d, fashion-10d, mnist-dlgm) or the
//             URL of a .safetensors checkpoint, relative to the page (default: the pretrained
//             model next to this module)
//   latent hidden activation decoder   an architecture: when it differs from the model's,
//             the widget starts from an untrained model of that shape
//   dataset optimizer lr batch estimator samples workers   the training settings
//   autoplay  start training as soon as the model is ready (views with a training panel)
//   height    CSS height (a number means px); the widget scrolls inside it
//
// Everything lives in an open shadow root: the page's CSS does not reach in, the widget's
// does not leak out, and ids are per widget. Each widget has its own model; the wasm module,
// the downloaded checkpoint, the test digits and the stylesheet are shared by all widgets of
// a page. A training worker is started only when a widget trains, one per training widget.
import panelsCss from '../../panels.css';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { chooseModel, describeModel, startingModel } from '../app/model-source';
import { mountPanels } from '../app/mount';
import { parseSettings } from '../pure/settings';
import { errorBanner } from '../app/sections';
import { SettingsStore } from '../settings/store';
import { ModelHolder } from '../app/model-holder';
import { el, errorMessage, initErrorBanner, showError } from '../views/ui';
import { loadWasm } from '../shared/wasm';
import widgetCss from './widget.css';
import { parseView, viewMarkup } from './views';

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
    return ['height'];
  }

  /** Resolves once the widget shows its model (the first reconstruction, where there is one). */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (e: unknown) => void;
  private readonly size = new CSSStyleSheet();
  private started = false;

  constructor() {
    super();
    this.ready = new Promise((ok, fail) => {
      this.resolveReady = ok;
      this.rejectReady = fail;
    });
    this.ready.catch(() => {}); // the banner says what went wrong; nobody has to listen
  }

  connectedCallback(): void {
    if (this.started) return; // moved within the page: keep the running widget
    this.started = true;
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet(), this.size];
    this.applyHeight();
    const { view, known } = parseView(this.getAttribute('view'));
    root.innerHTML = `<div class="frame">${errorBanner()}
      <p class="model-line" id="model-origin"></p>
      <p class="loading" id="widget-loading" role="status">Loading the model…</p>
      ${viewMarkup(view)}</div>`;
    initErrorBanner(root, false);
    if (!known) showError(`Unknown view "${this.getAttribute('view')}"; showing the whole playground.`, root);
    this.start(root).catch((e) => {
      el('widget-loading', root).hidden = true;
      showError(`The widget failed to start: ${errorMessage(e)}`, root);
      this.rejectReady(e);
    });
  }

  disconnectedCallback(): void {
    // A removed widget stops training (its worker would otherwise go on using a core).
    const toggle = this.shadowRoot?.querySelector<HTMLButtonElement>('[data-testid="train-toggle"]');
    if (!this.isConnected && toggle?.getAttribute('aria-pressed') === 'true') toggle.click();
  }

  attributeChangedCallback(): void {
    this.applyHeight();
  }

  private applyHeight(): void {
    const h = cssHeight(this.getAttribute('height'));
    this.size.replaceSync(h ? `:host { height: ${h}; }` : '');
  }

  private async start(root: ShadowRoot): Promise<void> {
    const { settings, rejected } = parseSettings((k) => this.getAttribute(k));
    if (rejected.length) showError(`Ignored attribute${rejected.length > 1 ? 's' : ''} ${rejected.join(', ')}: not a valid value.`, root);
    await loadWasm();
    // A zoo name, or a URL relative to the page, as an <img src> would be.
    const choice = chooseModel(this.getAttribute('model'), document.baseURI);
    const first = await startingModel(choice, settings);
    const problem = [choice.problem, first.problem].filter(Boolean).join(' ');
    if (problem) showError(problem, root);
    const holder = new ModelHolder(first.model, { dataset: first.dataset, origin: first.origin });
    const describe = () => (el('model-origin', root).textContent = describeModel(holder));
    describe();
    holder.subscribe((change) => change === 'replaced' && describe());
    el('widget-loading', root).hidden = true;
    const store = new SettingsStore();
    const panels = mountPanels(holder, store, root, () =>
      requestAnimationFrame(() => {
        this.resolveReady();
        this.dispatchEvent(new Event('ready'));
      }),
    );
    // After the panels showed the model's architecture, so the attributes win; a zoo model's
    // data set is the one to continue training on unless an attribute says otherwise.
    store.set({ dataset: first.dataset, ...settings }, 'attributes');
    if (this.hasAttribute('autoplay') && panels.train) el('train-toggle', root).click();
  }
}
