// Wiring: put the panels' markup into the page, load the wasm module and the first model
// (pretrained, or the architecture the URL's hash asks for), then start every panel.
import '../../panels.css';
import { chooseModel, describeModel, startingModel } from './model-source';
import { mountPanels } from './mount';
import { allSections } from './sections';
import { SettingsStore } from '../settings/store';
import { ModelHolder } from './model-holder';
import type { BenchResult, EquivalenceResult } from '../training/panel';
import { el, errorMessage, initErrorBanner, showError } from '../views/ui';
import { readHash } from '../pure/hash';
import { followUrl, scrollToView } from '../settings/url-hash';
import { kernel, loadWasm, wasmVariant } from '../shared/wasm';
import { linkAgrees, loadSavedRun, runSettings } from '../training/saved-run';

declare global {
  interface Window {
    /** Set once the first reconstruction is on screen (tests and the benchmark wait for it). */
    __vaeReady?: { firstReconstructionMs: number };
    /** Only with ?bench in the URL: times training of the standard model in the worker,
     * and reports the memory of the page and its workers (cross-origin isolated pages). */
    __vaeBench?: (warmup: number, steps: number, k?: number) => Promise<BenchResult>;
    __vaeMemory?: () => Promise<{ wasmBytes: number; jsBytes: number | null }>;
    /** GFLOP/s of the kernel's register-only loop, one figure per ~10 ms call over `ms`. */
    __vaeKernel?: { peak: (ms: number) => number[]; relaxed: boolean; variant: string | null };
    /** Only with ?debug in the URL: hooks for the worker tests. */
    __vaeDebug?: {
      equivalence: (k: number, steps: number) => Promise<EquivalenceResult>;
      crashWorker: (index: number) => void;
      crashTrainer: () => void;
      testCurve: () => [number, number][];
    };
  }
}

async function main(): Promise<void> {
  el('main').innerHTML = allSections();
  initErrorBanner();
  const url = readHash(location.hash);
  if (url.rejected.length) showError(`This link's ${url.rejected.join(', ')} could not be used; the defaults apply instead.`);
  await loadWasm();
  const choice = chooseModel(url.model, document.baseURI);
  const start = await startingModel(choice, url.settings);
  const problem = [choice.problem, start.problem].filter(Boolean).join(' ');
  if (problem) showError(problem);
  // A run saved in this browser is the page's model from the start, paused, unless the link
  // names a model or another architecture (then the run is only offered).
  const stored = url.model === null ? await loadSavedRun() : null;
  const saved = stored && linkAgrees(url.settings, runSettings(stored.meta)) ? stored : null;
  if (stored && !saved) stored.model.free();
  if (saved) start.model.free();
  const holder = saved
    ? new ModelHolder(saved.model, { dataset: saved.meta.dataset, origin: 'your saved run, paused' })
    : new ModelHolder(start.model, { dataset: start.dataset, origin: start.origin });
  const describe = () => {
    el('model-origin').textContent = describeModel(holder);
  };
  describe();
  holder.subscribe((change) => change === 'replaced' && describe());

  const store = new SettingsStore();
  const { train } = mountPanels(holder, store, document, () => {
    // Paint happens at the next frame; mark after it so the number means "on screen".
    requestAnimationFrame(() => {
      performance.mark('vae:first-reconstruction');
      window.__vaeReady = { firstReconstructionMs: performance.now() };
      document.body.dataset.ready = 'true';
    });
  }, saved);
  // After the panels showed the model's architecture, so the link's values win; a zoo
  // model's data set is the one to continue training on unless the link says otherwise.
  store.set({ dataset: start.dataset, ...url.settings }, 'url');
  const writeHash = followUrl(holder, store, choice.problem ? { ...url, model: null } : url, () => train?.modelReplaced());
  // The saved run's settings win over the link's (a reload's hash is the run's anyway), and
  // the hash spells them out.
  if (saved) {
    store.set(runSettings(saved.meta), 'restore');
    writeHash();
  }
  scrollToView(url.view);
  if (train && new URLSearchParams(location.search).has('bench')) {
    window.__vaeBench = (warmup, steps, k) => train.bench(warmup, steps, k);
    window.__vaeKernel = {
      peak: (ms) => {
        let n = 1000;
        for (let t = 0; t < 5; ) {
          const t0 = performance.now();
          kernel.peak(n);
          t = performance.now() - t0;
          if (t < 5) n *= 2;
        }
        const out: number[] = [];
        for (const end = performance.now() + ms; performance.now() < end; ) {
          const t0 = performance.now();
          const flops = kernel.peak(n);
          out.push(flops / ((performance.now() - t0) * 1e6));
        }
        return out;
      },
      relaxed: kernel.relaxed(),
      variant: wasmVariant(),
    };
    // The worker's wasm memory, plus its JavaScript heap where the browser can measure it
    // (cross-origin isolated pages; wasm memory is not in that figure).
    window.__vaeMemory = async () => {
      type Breakdown = { bytes: number; attribution: { url: string }[] };
      const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ breakdown: Breakdown[] }> };
      const wasmBytes = await train.workerMemory();
      let jsBytes: number | null = null;
      if (crossOriginIsolated && p.measureUserAgentSpecificMemory) {
        const m = await p.measureUserAgentSpecificMemory();
        jsBytes = m.breakdown.filter((b) => b.attribution.some((a) => /\/worker\.js/.test(a.url))).reduce((s, b) => s + b.bytes, 0);
      }
      return { wasmBytes, jsBytes };
    };
  }
  if (train && new URLSearchParams(location.search).has('debug')) {
    window.__vaeDebug = {
      equivalence: (k, steps) => train.equivalence(k, steps),
      crashWorker: (i) => train.crashWorker(i),
      crashTrainer: () => train.crashTrainer(),
      testCurve: () => train.testCurve(),
    };
  }
}

main().catch((e) => showError(`The playground failed to start: ${errorMessage(e)}`));
