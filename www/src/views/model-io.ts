// Save the page's model as a .safetensors download; load one from a file. A file that does
// not load leaves the current model in place and says why.
import { settingsOf } from '../pure/settings';
import type { SettingsStore } from '../settings/store';
import type { ModelHolder } from '../app/model-holder';
import { clearError, el, errorMessage, showError, type Root } from './ui';
import { errorKind, Model } from '../shared/wasm';
import { provenance } from '../app/model-source';

/** The data set a checkpoint's metadata names (the CLI and the page write it), if one the
 * page knows: `own` for `vae train --data DIR` and for the page's personal set. */

export function initModelIO(holder: ModelHolder, store: SettingsStore, onLoaded: () => void, root: Root = document): void {
  el('model-save', root).addEventListener('click', () => {
    try {
      const c = holder.model.config();
      const bytes = holder.model.toCheckpoint({
        source: 'VAE playground',
        dataset: holder.info.dataset,
        origin: holder.info.origin,
        saved: new Date().toISOString(),
      });
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `vae-${c.hidden.join('-')}-z${c.latent}-${holder.info.dataset}.safetensors`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      showError(`Could not save the model: ${errorMessage(e)}`, root);
    }
  });

  const input = el<HTMLInputElement>('model-upload', root);
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again should load it again
    if (!file) return;
    let model: Model;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
      model = Model.fromCheckpoint(bytes);
    } catch (e) {
      showError(`Could not load "${file.name}": ${errorMessage(e)}. The current model is unchanged.`, root, errorKind(e));
      return;
    }
    // A valid checkpoint of another architecture family: the page draws 28x28 images.
    const inputs = model.config().input_dim;
    if (inputs !== 784) {
      model.free();
      showError(`Could not load "${file.name}": it is a model of ${inputs}-pixel images, and the playground draws 28×28 = 784. The current model is unchanged.`, root, 'ArchitectureMismatch');
      return;
    }
    clearError(root);
    holder.replace(model, provenance(bytes, `loaded from ${file.name}`, undefined, store.get('dataset')));
    store.set(settingsOf(model.config()), 'model');
    onLoaded();
  });
}
