// Where a page's or a widget's first model comes from: a checkpoint (the pretrained one
// next to the bundle, or a URL the embedding page names), or a fresh model when the asked-for
// architecture differs from the checkpoint's. The bytes are fetched once per URL and page;
// every widget then builds its own Model from them, so each has its own state.
import { architecture, ARCHITECTURE_KEYS, sameArchitecture, type Settings } from '../pure/settings';
import type { DatasetName } from '../shared/protocol';
import type { ModelHolder } from './model-holder';
import { errorMessage, randomSeed } from '../views/ui';
import { DEFAULT_MODEL, Model } from '../shared/wasm';

/** Next to the bundle that is running (www/build/ for the page, dist/ for the widget). */
export const PRETRAINED = new URL('./pretrained.safetensors', import.meta.url);

const downloads = new Map<string, Promise<Uint8Array>>();

function download(url: URL): Promise<Uint8Array> {
  let p = downloads.get(url.href);
  if (!p) {
    p = fetch(url).then(async (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    });
    downloads.set(url.href, p);
    p.catch(() => downloads.delete(url.href)); // a failed download may be retried
  }
  return p;
}

export interface Start {
  model: Model;
  dataset: DatasetName;
  origin: string;
  /** Set when the checkpoint did not load; the model is then an untrained one. */
  problem?: string;
}

/** The checkpoint at `url`, unless `settings` ask for another architecture: then a fresh
 * (untrained) model of that shape, so what is shown matches the settings. `origin` names
 * the checkpoint for people ('pretrained', 'loaded from my.safetensors'). */
export async function startingModel(url: URL, settings: Settings, origin: string): Promise<Start> {
  const dataset = settings.dataset ?? 'mnist';
  const wantsShape = ARCHITECTURE_KEYS.some((k) => settings[k] !== undefined);
  let loaded: Model | null = null;
  let problem: string | undefined;
  try {
    loaded = Model.fromCheckpoint(await download(url));
  } catch (e) {
    const which = origin === 'pretrained' ? 'The pretrained model' : `The model ${url.href}`;
    problem = `${which} did not load (${errorMessage(e)}); starting from an untrained one. Press "Start training" to train it.`;
  }
  const base = loaded?.config() ?? DEFAULT_MODEL;
  const wanted = architecture(base, settings);
  // The pretrained model saw MNIST; another checkpoint does not say, the settings may.
  if (loaded && (!wantsShape || sameArchitecture(base, wanted))) {
    return { model: loaded, dataset: origin === 'pretrained' ? 'mnist' : dataset, origin };
  }
  loaded?.free();
  return { model: Model.fresh(wanted, randomSeed()), dataset, origin: 'untrained', problem };
}

/** One line for people: where the model came from and its shape. */
export function describeModel(holder: ModelHolder): string {
  const c = holder.model.config();
  const what = holder.info.origin === 'pretrained' ? 'Pretrained on MNIST' : `Model: ${holder.info.origin}`;
  return `${what} · ${[c.input_dim, ...c.hidden, c.latent].join('-')} ${c.activation}, ${c.decoder} decoder`;
}
