// Save the page's model as a .safetensors download; load one from a file. A file that does
// not load leaves the current model in place and says why.
import * as settings from './settings';
import type { ModelHolder } from './state';
import { clearError, el, errorMessage, showError } from './ui';
import { Model } from './wasm';

export function initModelIO(holder: ModelHolder, onLoaded: () => void): void {
  el('model-save').addEventListener('click', () => {
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
      showError(`Could not save the model: ${errorMessage(e)}`);
    }
  });

  const input = el<HTMLInputElement>('model-upload');
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again should load it again
    if (!file) return;
    let model: Model;
    try {
      model = Model.fromCheckpoint(new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      showError(`Could not load "${file.name}": ${errorMessage(e)}. The current model is unchanged.`);
      return;
    }
    clearError();
    // The file doesn't say which data set it saw; MNIST unless the form says otherwise.
    holder.replace(model, { dataset: settings.dataset(), origin: `loaded from ${file.name}` });
    settings.showArchitecture(model.config());
    onLoaded();
  });
}
