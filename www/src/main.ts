// Wiring: load the wasm module and the pretrained model, then start every panel.
import { ElboChart } from './chart';
import { DrawPad } from './draw';
import { DrawPanel } from './draw-panel';
import { ImputePanel } from './impute';
import { LatentViews } from './latent';
import { initModelIO } from './model-io';
import { Scatter } from './scatter';
import { ModelHolder } from './state';
import { TrainPanel, type BenchResult, type EquivalenceResult } from './train-panel';
import { Traversal } from './traversal';
import { el, errorMessage, initErrorBanner, showError } from './ui';
import { DEFAULT_MODEL, loadWasm, Model } from './wasm';

declare global {
  interface Window {
    /** Set once the first reconstruction is on screen (tests and the benchmark wait for it). */
    __vaeReady?: { firstReconstructionMs: number };
    /** Only with ?bench in the URL: times training of the standard model in the worker. */
    __vaeBench?: (warmup: number, steps: number, k?: number) => Promise<BenchResult>;
    /** Only with ?debug in the URL: hooks for the worker tests. */
    __vaeDebug?: { equivalence: (k: number, steps: number) => Promise<EquivalenceResult>; crashWorker: (index: number) => void };
  }
}

const PRETRAINED = new URL('./pretrained.safetensors', import.meta.url);

/** The pretrained model, or an untrained one (with a message) when the file is missing. */
async function initialModel(): Promise<{ model: Model; origin: string }> {
  try {
    const res = await fetch(PRETRAINED);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return { model: Model.fromCheckpoint(new Uint8Array(await res.arrayBuffer())), origin: 'pretrained' };
  } catch (e) {
    showError(`The pretrained model did not load (${errorMessage(e)}); starting from an untrained one. Press "Start training" to train it.`);
    return { model: Model.fresh(DEFAULT_MODEL, 1), origin: 'untrained' };
  }
}

async function main(): Promise<void> {
  initErrorBanner();
  await loadWasm();
  const { model, origin } = await initialModel();
  const holder = new ModelHolder(model, { dataset: 'mnist', origin });
  const describe = () => {
    const c = holder.model.config();
    const what = holder.info.origin === 'pretrained' ? 'Pretrained on MNIST' : `Model: ${holder.info.origin}`;
    el('model-origin').textContent = `${what} · ${[c.input_dim, ...c.hidden, c.latent].join('-')} ${c.activation}, ${c.decoder} decoder`;
  };
  describe();

  let panel: DrawPanel | null = null;
  const pad = new DrawPad(el('draw-canvas'), () => panel?.changed());
  panel = new DrawPanel(holder, pad, () => {
    // Paint happens at the next frame; mark after it so the number means "on screen".
    requestAnimationFrame(() => {
      performance.mark('vae:first-reconstruction');
      window.__vaeReady = { firstReconstructionMs: performance.now() };
      document.body.dataset.ready = 'true';
    });
  });
  new ImputePanel(holder, panel);
  new Traversal(holder, panel);
  new LatentViews(holder, panel);
  new Scatter(holder);
  const train = new TrainPanel(holder, new ElboChart(el('chart')));
  initModelIO(holder, () => train.modelReplaced());
  holder.subscribe((change) => change === 'replaced' && describe());
  if (new URLSearchParams(location.search).has('bench')) {
    window.__vaeBench = (warmup, steps, k) => train.bench(warmup, steps, k);
  }
  if (new URLSearchParams(location.search).has('debug')) {
    window.__vaeDebug = { equivalence: (k, steps) => train.equivalence(k, steps), crashWorker: (i) => train.crashWorker(i) };
  }
  pad.drawExample();
}

main().catch((e) => showError(`The playground failed to start: ${errorMessage(e)}`));
