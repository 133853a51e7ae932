// The element's methods on its model: every argument from an author's script is checked
// here, with a message that says what was expected, before it reaches the wasm side; a call
// that throws changes nothing. Pixels are taken as a 28×28 image as given (row-major, 0 =
// background, 1 = ink): no MNIST-style centring, which is the draw pad's job for a drawing.
import { errorMessage } from '../pure/error-message';
import type { ModelHolder } from '../app/model-holder';
import { errorKind, kindedError, Model, type ModelConfig } from '../shared/wasm';
import type { Architecture, Encoding, ModelDescription, Metrics, Reconstruction } from './types';

// The public Architecture is the core's ModelConfig spelled out for the shipped types: this
// fails to compile if the two ever drift apart.
const sameShape: [Architecture, ModelConfig] = [{} as ModelConfig, {} as Architecture];
void sameShape;

/** Prior samples per call: 10,000 images are 31 MB of floats, plenty for any figure. */
export const MAX_SAMPLES = 10_000;

function vector(v: unknown, length: number, what: string, range: [number, number] | null): Float32Array {
  if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v))) {
    throw new TypeError(`${what} must be a Float32Array (or an array of numbers) of length ${length}`);
  }
  if (v.length !== length) throw new RangeError(`${what} must have ${length} values, not ${v.length}`);
  const out = Float32Array.from(v as ArrayLike<number>);
  for (let i = 0; i < length; i++) {
    const x = out[i];
    if (!Number.isFinite(x)) throw new RangeError(`${what}[${i}] is ${v[i]}: every value must be a finite number`);
    if (range && (x < range[0] || x > range[1])) throw new RangeError(`${what}[${i}] is ${x}: pixels must be in [0, 1]`);
  }
  return out;
}

/** A 784-pixel image (the model's input size). */
export function pixels(holder: ModelHolder, v: unknown): Float32Array {
  return vector(v, holder.model.config().input_dim, 'pixels', [0, 1]);
}

export function encode(holder: ModelHolder, v: unknown): Encoding {
  const q = holder.model.encode(pixels(holder, v));
  return { mean: Float32Array.from(q.mu), sigma: Float32Array.from(q.sigma) };
}

export function reconstruct(holder: ModelHolder, v: unknown): Reconstruction {
  const x = pixels(holder, v);
  const q = holder.model.encode(x);
  // The model's reconstruct: the decoder's mean at z = the posterior mean (vae reconstruct).
  return { mean: Float32Array.from(q.mu), sigma: Float32Array.from(q.sigma), reconstruction: Float32Array.from(holder.model.reconstruct(x)) };
}

/** z of the top latent layer (latent2 in a two-layer model) → the decoder's mean image. */
export function decode(holder: ModelHolder, z: unknown): Float32Array {
  const c = holder.model.config();
  const n = c.latent2 ?? c.latent;
  return Float32Array.from(holder.model.decode(vector(z, n, 'z', null)));
}

/** n images from the prior, decoded to their means: one array per image. */
export function sample(holder: ModelHolder, n: unknown, seed: unknown = 1): Float32Array[] {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SAMPLES) {
    throw new RangeError(`n must be a whole number from 1 to ${MAX_SAMPLES}, not ${String(n)}`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    throw new RangeError(`seed must be a whole number from 0 to 2^32 - 1, not ${String(seed)}`);
  }
  const all = holder.model.samplePrior(n, seed);
  const d = holder.model.config().input_dim;
  return Array.from({ length: n }, (_, i) => all.slice(i * d, (i + 1) * d));
}

/** A checkpoint's bytes → a model the widget can show, or a clear Error (nothing changed). */
export function modelFromBytes(bytes: Uint8Array, name: string): Model {
  let model: Model;
  try {
    model = Model.fromCheckpoint(bytes);
  } catch (e) {
    throw kindedError(`Could not load ${name}: ${errorMessage(e)}. The current model is unchanged.`, errorKind(e));
  }
  const inputs = model.config().input_dim;
  if (inputs !== 784) {
    model.free();
    throw kindedError(`Could not load ${name}: it is a model of ${inputs}-pixel images, and the widget draws 28×28 = 784. The current model is unchanged.`, 'ArchitectureMismatch');
  }
  return model;
}

export function save(holder: ModelHolder): Uint8Array {
  return holder.model.toCheckpoint({ source: 'VAE playground widget', dataset: holder.info.dataset, origin: holder.info.origin, saved: new Date().toISOString() });
}

export function describe(holder: ModelHolder, metrics: Metrics): ModelDescription {
  const m = holder.model;
  return { architecture: m.config(), origin: holder.info.origin, dataset: holder.info.dataset, parameters: m.numParams(), metrics: { ...metrics } };
}
