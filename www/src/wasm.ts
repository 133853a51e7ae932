// Typed view of the wasm-bindgen glue (www/build/pkg/vae_wasm.js, from scripts/build-wasm.sh).
// The generated .d.ts types every JsValue as `any`; the interfaces here say what the
// crate (crates/vae-wasm) actually returns, so the rest of the page is checked against it.
// Shared by the page and the worker: no DOM-only types here.
import initGlue, * as glue from '../build/pkg/vae_wasm.js';

export type Activation = 'relu' | 'tanh';
export type Family = 'gaussian' | 'laplace' | 'logistic';
export type DecoderKind = 'bernoulli' | 'gaussian';
export type Binarization = 'dynamic' | 'fixed' | 'greyscale';
export type OptimizerKind = 'adam' | 'adagrad';
export type Estimator = 'a' | 'b' | 'iwae';

export interface ModelConfig {
  input_dim: number;
  hidden: number[];
  latent: number;
  latent2: number | null;
  activation: Activation;
  family: Family;
  decoder: DecoderKind;
}

export interface TrainConfig {
  optimizer: OptimizerKind;
  lr: number;
  weight_decay: number;
  batch_size: number;
  estimator: Estimator;
  samples: number;
  seed: number;
}

export interface Posterior {
  mu: number[];
  sigma: number[];
}

/** Per-datapoint SVI result; arrays arrive as plain JS arrays (serde). */
export interface Refinement {
  elbo_before: number;
  elbo_after: number;
  mu: number[];
  lv: number[];
  reconstruction: number[] | Float32Array;
}

/** What Trainer.run reports; cursor and epoch_size count images. */
export interface RunStats {
  step: number;
  epoch: number;
  bound: number;
  cursor: number;
  epoch_size: number;
}

export interface Model {
  free(): void;
  config(): ModelConfig;
  latent(): number;
  numParams(): number;
  params(): Float32Array;
  setParams(p: Float32Array): void;
  encode(x: Float32Array): Posterior;
  reconstruct(x: Float32Array): Float32Array;
  decode(z: Float32Array): Float32Array;
  samplePrior(n: number, seed: number): Float32Array;
  refine(x: Float32Array, steps: number, lr: number, samples: number, seed: number): Refinement;
  impute(x: Float32Array, observed: Uint8Array, iterations: number, seed: number): Float32Array;
  elbo(x: Float32Array, samples: number): number;
  toCheckpoint(meta: Record<string, string>): Uint8Array;
  /** A replica's part of a data-parallel step: [bound sum, gradient...]. */
  workerGradient(packed: Float32Array, rows: number, samples: number, estimator: Estimator): Float32Array;
  checksum(): number;
}

export interface ModelStatic {
  fromCheckpoint(bytes: Uint8Array): Model;
  fresh(config: ModelConfig, seed: number): Model;
}

export interface Data {
  free(): void;
  trainLen(): number;
  testLen(): number;
  testImages(n: number): Float32Array;
  testLabels(n: number): Uint8Array;
}

export interface DataStatic {
  fromIdx(trainImages: Uint8Array, trainLabels: Uint8Array, testImages: Uint8Array, testLabels: Uint8Array): Data;
  testOnly(testImages: Uint8Array, testLabels: Uint8Array): Data;
}

export interface Trainer {
  free(): void;
  run(data: Data, steps: number): RunStats;
  testElbo(data: Data, limit: number): number;
  params(): Float32Array;
  model(): Model;
  toCheckpoint(meta: Record<string, string>): Uint8Array;
  setLearningRate(lr: number): void;
  config(): ModelConfig;
  trainConfig(): TrainConfig;
  // Synchronous data-parallel steps (vae_core::parallel).
  beginStep(data: Data): number;
  packSlice(from: number, to: number): Float32Array;
  addLocal(from: number, to: number): void;
  addPart(part: Float32Array, rows: number): void;
  finishStep(data: Data): RunStats;
  checksum(): number;
  /** The parameters as a view of wasm memory: copy before the next call into the module. */
  paramsView(): Float32Array;
  /** Updates applied so far. */
  step(): number;
  /** Model, optimizer moments, position and config, with `meta`: continues exactly. */
  saveState(meta: Record<string, string>): Uint8Array;
}

export interface TrainerStatic {
  fresh(modelConfig: ModelConfig, trainConfig: TrainConfig, binarization: Binarization, data: Data): Trainer;
  fromCheckpoint(bytes: Uint8Array, trainConfig: TrainConfig, binarization: Binarization, data: Data): Trainer;
  restoreState(bytes: Uint8Array, data: Data): Trainer;
}

export const Model = glue.Model as unknown as ModelStatic;
export const Data = glue.Data as unknown as DataStatic;
export const Trainer = glue.Trainer as unknown as TrainerStatic;

/** The standard configuration: AEVB's 784-400-20 MNIST model (ReLU). */
export const DEFAULT_MODEL: ModelConfig = {
  input_dim: 784,
  hidden: [400],
  latent: 20,
  latent2: null,
  activation: 'relu',
  family: 'gaussian',
  decoder: 'bernoulli',
};

export const DEFAULT_TRAIN: TrainConfig = {
  optimizer: 'adam',
  lr: 1e-3,
  weight_decay: 0,
  batch_size: 100,
  estimator: 'b',
  samples: 1,
  seed: 1,
};

/** The binarization that matches a decoder: Bernoulli wants binary pixels, Gaussian greys. */
export function binarizationFor(decoder: DecoderKind): Binarization {
  return decoder === 'gaussian' ? 'greyscale' : 'dynamic';
}

let loading: Promise<unknown> | null = null;

/** Instantiates the wasm module once. The URL is explicit because the glue is bundled into
 * main.js / worker.js (both in www/build/), so its own import.meta.url default would be wrong. */
export function loadWasm(): Promise<unknown> {
  loading ??= initGlue({ module_or_path: new URL('./pkg/vae_wasm_bg.wasm', import.meta.url) });
  return loading;
}
