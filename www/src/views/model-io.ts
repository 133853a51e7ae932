// Save the page's model as a .safetensors download; load one from a file. A file that does
// not load leaves the current model in place and says why.
import { settingsOf } from '../pure/settings';
import type { SettingsStore } from '../settings/store';
import type { ModelHolder } from '../app/model-holder';
import { clearError, el, errorMessage, showError, type Root } from './ui';
import { errorKind, Model } from '../shared/wasm';
import { checkpointMetadata } from '../pure/checkpoint-meta';
import { DATASET_LABELS } from '../shared/data';
import type { DatasetName } from '../shared/protocol';

/** The data set a checkpoint's metadata names (the CLI and the page write it), if one the
 * page knows: `own` for `vae train --data DIR` and for the page's personal set. */
function trainedOn(bytes: Uint8Array): DatasetName | null {
  const named = checkpointMetadata(bytes).dataset;
  return (Object.keys(DATASET_LABELS) as DatasetName[]).find((d) => d === named) ?? null;
}

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
    let dataset: DatasetName | null;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      model = Model.fromCheckpoint(bytes);
      dataset = trainedOn(bytes);
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
    // The file names the data set it saw (the CLI's and the page's do); else the settings' one.
    const origin = `loaded from ${file.name}${dataset ? ` (trained on ${DATASET_LABELS[dataset]})` : ''}`;
    holder.replace(model, { dataset: dataset ?? store.get('dataset'), origin });
    store.set(settingsOf(model.config()), 'model');
    onLoaded();
  });
}
