// Where a page's or a widget's first model comes from: a checkpoint (the pretrained one
// next to the bundle, or a URL the embedding page names), or a fresh model when the asked-for
// architecture differs from the checkpoint's. The bytes are fetched once per URL and page;
// every widget then builds its own Model from them, so each has its own state.
import { architecture, ARCHITECTURE_KEYS, sameArchitecture, type Settings } from '../pure/settings';
import type { DatasetName } from '../shared/protocol';
import type { ModelHolder } from './model-holder';
import { errorMessage, randomSeed } from '../views/ui';
import { DEFAULT_MODEL, Model } from '../shared/wasm';
import { checkpointMetadata } from '../pure/checkpoint-meta';
import { DATASET_LABELS } from '../shared/data';

/** Next to the bundle that is running (www/build/ for the page, dist/ for the widget). */
export const PRETRAINED = new URL('./pretrained.safetensors', import.meta.url);

/** The model zoo by name (`model="mnist-2d"`, `#model=mnist-2d`): checkpoints next to the
 * bundle, trained by scripts/zoo.sh (www/assets/models/), and the data set each saw. */
export const ZOO: Record<string, { file: string; dataset: DatasetName }> = {
  default: { file: './pretrained.safetensors', dataset: 'mnist' },
  'mnist-2d': { file: './models/mnist-2d.safetensors', dataset: 'mnist' },
  'mnist-10d': { file: './models/mnist-10d.safetensors', dataset: 'mnist' },
  'fashion-10d': { file: './models/fashion-10d.safetensors', dataset: 'fashion-mnist' },
  'mnist-dlgm': { file: './models/mnist-dlgm.safetensors', dataset: 'mnist' },
};

/** The checkpoint to start from. */
export interface ModelChoice {
  url: URL;
  /** For people: 'pretrained', 'mnist-2d (model zoo)', 'loaded from my.safetensors'. */
  origin: string;
  /** The data set the model saw, when known (the zoo's); else the settings say. */
  dataset?: DatasetName;
  /** Set when the value named no model: the pretrained one is used instead. */
  problem?: string;
}

/** What a `model` attribute or a link's `model=` names: a zoo model by name, else a URL
 * relative to `base` (as an <img src> is). A bare word that is no zoo name is refused
 * rather than fetched as a file: the pretrained model stays, and the problem says why. */
export function chooseModel(value: string | null, base: string): ModelChoice {
  const pretrained = { url: PRETRAINED, origin: 'pretrained', dataset: 'mnist' as const };
  const v = value?.trim() ?? '';
  if (v === '') return pretrained;
  const zoo = Object.hasOwn(ZOO, v) ? ZOO[v] : undefined;
  if (zoo) return { url: new URL(zoo.file, import.meta.url), origin: v === 'default' ? 'pretrained' : `${v} (model zoo)`, dataset: zoo.dataset };
  if (/^[\w-]+$/.test(v)) {
    const names = Object.keys(ZOO).join(', ');
    return { ...pretrained, problem: `Unknown model "${v}": the models are ${names}, or a URL of a .safetensors file. Keeping the pretrained model.` };
  }
  const url = new URL(v, base);
  return { url, origin: `loaded from ${url.pathname.split('/').pop() || url.href}` };
}

const downloads = new Map<string, Promise<Uint8Array>>();

export function download(url: URL): Promise<Uint8Array> {
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

/** What a checkpoint was trained on and how to say where it came from: the zoo's data set
 * (`known`), else the one its metadata names (the CLI's and the page's checkpoints do; the
 * origin then says it), else `fallback`. */
export function provenance(bytes: Uint8Array, origin: string, known: DatasetName | undefined, fallback: DatasetName): { dataset: DatasetName; origin: string } {
  if (known) return { dataset: known, origin };
  const named = checkpointMetadata(bytes).dataset;
  const dataset = (Object.keys(DATASET_LABELS) as DatasetName[]).find((d) => d === named);
  return dataset ? { dataset, origin: `${origin} (trained on ${DATASET_LABELS[dataset]})` } : { dataset: fallback, origin };
}

export interface Start {
  model: Model;
  dataset: DatasetName;
  origin: string;
  /** Set when the checkpoint did not load; the model is then an untrained one. */
  problem?: string;
}

/** The chosen checkpoint, unless `settings` ask for another architecture: then a fresh
 * (untrained) model of that shape, so what is shown matches the settings. */
export async function startingModel(choice: ModelChoice, settings: Settings): Promise<Start> {
  const { url, origin } = choice;
  const dataset = settings.dataset ?? 'mnist';
  const wantsShape = ARCHITECTURE_KEYS.some((k) => settings[k] !== undefined);
  let loaded: Model | null = null;
  let bytes: Uint8Array = new Uint8Array();
  let problem: string | undefined;
  try {
    bytes = await download(url);
    loaded = Model.fromCheckpoint(bytes);
  } catch (e) {
    const which = origin === 'pretrained' ? 'The pretrained model' : `The model ${url.href}`;
    problem = `${which} did not load (${errorMessage(e)}); starting from an untrained one. Press "Start training" to train it.`;
  }
  const base = loaded?.config() ?? DEFAULT_MODEL;
  const wanted = architecture(base, settings);
  if (loaded && (!wantsShape || sameArchitecture(base, wanted))) {
    return { model: loaded, ...provenance(bytes, origin, choice.dataset, dataset) };
  }
  loaded?.free();
  return { model: Model.fresh(wanted, randomSeed()), dataset, origin: 'untrained', problem };
}

/** One line for people: where the model came from and its shape. */
export function describeModel(holder: ModelHolder): string {
  const c = holder.model.config();
  const what = holder.info.origin === 'pretrained' ? 'Pretrained on MNIST' : `Model: ${holder.info.origin}`;
  const z2 = c.latent2 ? ` (+ z2 of ${c.latent2})` : '';
  return `${what} · ${[c.input_dim, ...c.hidden, c.latent].join('-')}${z2} ${c.activation}, ${c.decoder} decoder`;
}
