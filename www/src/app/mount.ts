// Starts the panels whose markup is under a root: the whole page, or the few sections a
// widget's view put into its shadow root. Each panel then looks up only its own root's
// elements, so two widgets on a page never touch each other's.
import { ElboChart } from '../training/chart';
import { DrawPad } from '../views/draw-pad';
import { DrawPanel } from '../views/draw-panel';
import { ImputePanel } from '../views/impute';
import { PosteriorPanel } from '../views/posterior';
import { EstimatorLab } from '../views/estimator-lab';
import { KlBars } from '../views/kl-bars';
import { LatentViews } from '../views/latent';
import { initModelIO } from '../views/model-io';
import { Scatter } from '../views/scatter';
import { settingsOf } from '../pure/settings';
import { bindForm } from '../settings/form';
import type { SettingsStore } from '../settings/store';
import type { ModelHolder } from './model-holder';
import { TrainPanel } from '../training/panel';
import type { SavedRun } from '../training/saved-run';
import { Traversal } from '../views/traversal';
import { OwnData } from '../views/own-data';
import { el, find, type Root } from '../views/ui';

export interface Panels {
  pad: DrawPad | null;
  draw: DrawPanel | null;
  train: TrainPanel | null;
  posterior: PosteriorPanel | null;
  /** The panels with workers of their own: a widget's teardown ends them. */
  lab: EstimatorLab | null;
  klBars: KlBars | null;
  ownData: OwnData | null;
  latent: LatentViews | null;
  scatter: Scatter | null;
}

/** The chart's toggle and line for the ELBO's two terms, where the markup has them. */
function chartTerms(root: Root): { toggle: HTMLInputElement; line: HTMLElement } | null {
  const toggle = find<HTMLInputElement>('chart-terms', root);
  const line = find('elbo-terms', root);
  return toggle && line ? { toggle, line } : null;
}

/** onFirstPaint: after the first reconstruction (at once when there is no draw panel).
 * saved: the page's saved run, whose model the holder holds (the training panel shows it). */
export function mountPanels(holder: ModelHolder, store: SettingsStore, root: Root, onFirstPaint: () => void, saved: SavedRun | null = null): Panels {
  const has = (name: string) => find(name, root) !== null;
  let draw: DrawPanel | null = null;
  let pad: DrawPad | null = null;
  if (has('draw-canvas')) {
    pad = new DrawPad(el('draw-canvas', root), () => draw?.changed());
    draw = new DrawPanel(holder, pad, onFirstPaint, root);
  }
  // Imputation and the traversal start from the drawing; their views always include one.
  if (draw && has('impute-canvas')) new ImputePanel(holder, draw, root);
  const posterior = draw && has('posterior-map') ? new PosteriorPanel(holder, draw, root) : null;
  const lab = draw && has('estimator-variance') ? new EstimatorLab(holder, draw, root) : null;
  if (draw && has('traversal')) new Traversal(holder, draw, root);
  const latent = has('interpolation') || has('samples') || has('manifold') ? new LatentViews(holder, draw, root) : null;
  const scatter = has('scatter') ? new Scatter(holder, root) : null;
  const klBars = has('kl-bars') ? new KlBars(holder, root) : null;
  const ownData = has('own-data-count') ? new OwnData(draw, pad, root) : null;
  let train: TrainPanel | null = null;
  if (has('train-toggle')) {
    // Only the page keeps its run in IndexedDB: widgets on one page would share the record.
    const panel = new TrainPanel(holder, store, new ElboChart(el('chart', root), chartTerms(root)), root, root === document, saved);
    initModelIO(holder, store, () => panel.modelReplaced(), root);
    bindForm(store, root);
    // The settings' architecture is the model's: a link written from them then names the
    // model on screen, and "Train from scratch" starts from that shape unless someone changes it.
    store.set(settingsOf(holder.model.config()), 'model');
    train = panel;
    // A widget's train view: the personal set's panel only while training would use it.
    const ownOnly = root.querySelector<HTMLElement>('[data-own-only]');
    if (ownOnly) {
      const show = () => (ownOnly.hidden = !['own', 'own-mnist'].includes(store.get('dataset')));
      show();
      store.subscribe((keys) => keys.includes('dataset') && show());
    }
  }
  if (pad) pad.drawExample();
  else requestAnimationFrame(() => requestAnimationFrame(onFirstPaint));
  return { pad, draw, train, posterior, lab, klBars, ownData, latent, scatter };
}
