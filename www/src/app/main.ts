// Wiring: put the panels' markup into the page, load the wasm module and the first model
// (pretrained, or the architecture the URL's hash asks for), then start every panel.
import '../../panels.css';
import { chooseModel, describeModel, startingModel } from './model-source';
import { mountPanels } from './mount';
import { allSections } from './sections';
import { SettingsStore } from '../settings/store';
import { ModelHolder } from './model-holder';
import { installHooks, markReady } from './debug';
import { el, errorMessage, initErrorBanner, showError } from '../views/ui';
import { readHash } from '../pure/hash';
import { followUrl, scrollToView } from '../settings/url-hash';
import { loadWasm } from '../shared/wasm';
import { linkAgrees, loadSavedRun, runSettings } from '../training/saved-run';

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
  // Paint happens at the next frame; mark after it so the number means "on screen".
  const panels = mountPanels(holder, store, document, () => requestAnimationFrame(markReady), saved);
  const { train } = panels;
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
  installHooks(panels);
}

main().catch((e) => showError(`The playground failed to start: ${errorMessage(e)}`));
