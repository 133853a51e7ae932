// Typed view of the wasm-bindgen glue (www/build/pkg/vae_wasm.js, from scripts/build-wasm.sh).
// The generated .d.ts types every JsValue as `any`; the interfaces here say what the
// crate (crates/vae-wasm) actually returns, so the rest of the page is checked against it.
// Shared by the page and the worker: no DOM-only types here.
import initGlue, * as glue from '../../build/pkg/vae_wasm.js';
import { PLAIN_WASM, RELAXED_WASM, wasmUrl } from './wasm-variant';
import { VOCABULARY } from '../pure/vocabulary';

// The names of the core's choices and error kinds, as types: written from the core
// (pure/vocabulary-names.ts). An error kind is the `name` of the Error a call into the module
// throws (vae_core::error::ErrorKind); the page switches on it, never on the message.
import type { Activation, Binarization, DecoderKind, ErrorKind, Estimator, Family, Init, OptimizerKind } from '../pure/vocabulary-names';
export type { Activation, Binarization, DecoderKind, ErrorKind, Estimator, Family, Init, OptimizerKind } from '../pure/vocabulary-names';

/** The kind of an error the module threw (one of the vocabulary's names.error); null for
 * any other error. */
export function errorKind(e: unknown): ErrorKind | null {
  return e instanceof Error && (VOCABULARY.names.error as readonly string[]).includes(e.name) ? (e.name as ErrorKind) : null;
}

/** An Error with `message` whose `name` is `kind` (as the module's own are), so that code
 * wrapping a module error in a clearer message keeps what kind it was. */
export function kindedError(message: string, kind: ErrorKind | null): Error {
  const e = new Error(message);
  if (kind) e.name = kind;
  return e;
}

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

/** A q's bound against the map's log p(x) (vae_core::inference::posterior::QBound). */
export interface QBound {
  mu: number[];
  sigma: number[];
  /** E_q[log p(x|z)], the reconstruction term. */
  expected_log_likelihood: number;
  /** KL(q(z|x) || p(z)), closed form. */
  kl: number;
  elbo: number;
  /** 0 by quadrature (Gaussian q, latent 2), else the Monte Carlo standard error. */
  elbo_se: number;
  elbo_method: 'quadrature' | 'monte-carlo';
  /** log p(x) - ELBO = KL(q(z|x) || p(z|x)). */
  gap: number;
}

/** log p(x, z) of one image on a grid over two latent dimensions (Model.posterior). */
export interface PosteriorMap {
  /** The latent dimensions along x and y. */
  dims: [number, number];
  /** Latent > 2: a conditional slice, the other dimensions held at `z_held` (q's mean). */
  slice: boolean;
  z_held: number[];
  /** Cell centres along each axis. */
  x_axis: number[];
  y_axis: number[];
  /** log p(x, z) at (x_axis[i], y_axis[j]) in `log_joint[j * x_axis.length + i]`. */
  log_joint: number[];
  argmax: [number, number];
  max_log_joint: number;
  log_px: number;
  /** "grid" (latent 2, exact up to the grid) or "importance-sampling" (a slice). */
  log_px_method: 'grid' | 'importance-sampling';
  encoder: QBound;
  refined: QBound | null;
}

/** One gradient estimator at one L (vae_core::inference::variance::EstimatorStats). */
export interface EstimatorStats {
  estimator: 'sgvb-b' | 'sgvb-a' | 'score' | 'score-baseline';
  samples: number;
  repetitions: number;
  /** Per-parameter variance over the repetitions, averaged over the encoder's parameters. */
  mean_param_variance: number;
  /** Mean and variance of the gradient projected on one fixed random unit direction. */
  projection_mean: number;
  projection_variance: number;
  mean_gradient_norm: number;
}

/** The ELBO's two terms, averaged over images (vae_core::inference::activity::ElboTerms). */
export interface ElboTerms {
  /** E_q[log p(x|z)], one sample per image. */
  reconstruction: number;
  /** KL(q(z|x) || p(z)), closed form (SGVB B's KL part). */
  kl: number;
  /** reconstruction - kl. */
  elbo: number;
}

/** KL per latent dimension and Burda et al.'s active units (Model.latentActivity). */
export interface Activity {
  /** null for the two-layer model, whose p(z1) is not N(0, I). */
  kl_per_dim: number[] | null;
  /** Var_x(E_q[z_d | x]) per dimension. */
  activity: number[];
  active_units: number;
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
  /** The average of the decoder's means over the last `averaged` iterations of `chains`
   * chains, in the erased pixels. */
  impute(x: Float32Array, observed: Uint8Array, chains: number, iterations: number, averaged: number, seed: number): Float32Array;
  elbo(x: Float32Array, samples: number): number;
  /** Throws for a latent below 2 and for two-layer models, with the reason. */
  posterior(x: Float32Array, grid: number, refinedMu?: Float32Array, refinedLv?: Float32Array): PosteriorMap;
  /** The four estimators at L = samples; throws for a two-layer model, with the reason. */
  estimatorVariance(x: Float32Array, samples: number, repetitions: number, seed: number): EstimatorStats[];
  latentActivity(x: Float32Array): Activity;
  toCheckpoint(meta: Record<string, string>): Uint8Array;
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

/** Where a run is: updates applied, epochs completed, images into the current epoch. */
export interface RunPosition {
  step: number;
  epoch: number;
  cursor: number;
  epoch_size: number;
}

/** A run's configuration, position in the data and evaluation (the first training worker). */
export interface Lead {
  free(): void;
  /** The training state (model, optimizer moments, position, config) with `meta`. */
  state(meta: Record<string, string>): Uint8Array;
  /** Takes the workers' parameters (from `replica`) and moments (all shards, in order). */
  setParts(replica: Replica, optimT: number, m: Float32Array, v: Float32Array): void;
  nextMinibatch(data: Data): Uint8Array;
  rows(): number;
  step(): number;
  commit(): void;
  progress(): RunPosition;
  testElbo(replica: Replica, data: Data, limit: number): number;
  /** testElbo's two terms in one pass, on the same images and noise. */
  testTerms(replica: Replica, data: Data, limit: number): ElboTerms;
  toCheckpoint(replica: Replica, meta: Record<string, string>): Uint8Array;
  setLearningRate(lr: number): void;
  config(): ModelConfig;
  trainConfig(): TrainConfig;
  numParams(): number;
}

export interface LeadStatic {
  /** `init` undefined: the core's default initialisation. */
  fresh(modelConfig: ModelConfig, trainConfig: TrainConfig, binarization: Binarization, init: Init | undefined, data: Data): Lead;
  fromCheckpoint(bytes: Uint8Array, trainConfig: TrainConfig, binarization: Binarization, data: Data): Lead;
  fromState(bytes: Uint8Array, data: Data): Lead;
}

/** One of K data-parallel training workers (vae_core::parallel). Views are of wasm memory:
 * valid until the next call into the module. */
export interface Replica {
  free(): void;
  /** [bound summed over the rows, rows, 1 when finite else 0] */
  gradient(step: number, first: number, bytes: Uint8Array): Float64Array;
  gradView(): Float32Array;
  stagingView(): Float32Array;
  /** Sums the staged gradients of this worker's shard (its own included). */
  reduceShard(): void;
  /** One optimizer step on the shard from the sum. */
  applyUpdate(boundSum: number, rows: number, step: number): number;
  paramsView(): Float32Array;
  paramsChanged(): void;
  shard(): Uint32Array;
  numParams(): number;
  checksum(): number;
  /** [m..., v...] of this worker's shard. */
  moments(): Float32Array;
  optimT(): number;
  setLearningRate(lr: number): void;
  usesHostPath(): boolean;
  model(): Model;
}

export interface ReplicaStatic {
  fromState(state: Uint8Array, k: number, s: number): Replica;
  shardOf(n: number, k: number, i: number): Uint32Array;
}

/** The matmul kernel's probes (crates/vae-wasm/src/kernel.rs), for the benchmark. */
export const kernel = {
  /** FLOPs done by a register-only multiply-add loop of `iterations`. */
  peak: (iterations: number): number => (glue as unknown as { kernelPeak(i: number): number }).kernelPeak(iterations),
  relaxed: (): boolean => (glue as unknown as { kernelRelaxed(): boolean }).kernelRelaxed(),
};

export const Model = glue.Model as unknown as ModelStatic;
/** Test images as the model is evaluated on them (one fixed binarization for binary models). */
export const prepareTest = (glue as unknown as { prepareTest(pixels: Float32Array, binarization: Binarization): Float32Array }).prepareTest;
export const Data = glue.Data as unknown as DataStatic;
export const Lead = glue.Lead as unknown as LeadStatic;
export const Replica = glue.Replica as unknown as ReplicaStatic;

/** The standard configuration: AEVB's 784-400-20 MNIST model (ReLU), the core's default. */
export const DEFAULT_MODEL: ModelConfig = VOCABULARY.defaults.model;

/** The core's default training configuration. */
export const DEFAULT_TRAIN: TrainConfig = VOCABULARY.defaults.train;

/** The binarization that matches a decoder: Bernoulli wants binary pixels, Gaussian greys. */
/** The training data's binarization: grey pixels for a Gaussian decoder, else the choice
 * (the settings' `binarization`; dynamic by default, as the core's). */
export function binarizationFor(decoder: DecoderKind, choice: 'dynamic' | 'fixed' = 'dynamic'): Binarization {
  return decoder === 'gaussian' ? 'greyscale' : choice;
}

let loading: Promise<{ memory: WebAssembly.Memory }> | null = null;
let variant: 'relaxed' | 'plain' | null = null;

/** `?wasm=simd` or `?wasm=relaxed` in the page's URL (and so in its workers', see
 * `withVariant`) forces one build: for benchmarks and tests. */
function forcedVariant(): 'relaxed' | 'plain' | null {
  const v = new URLSearchParams(globalThis.location?.search ?? '').get('wasm');
  return v === 'relaxed' ? 'relaxed' : v === 'simd' ? 'plain' : null;
}

/** A worker script's URL carrying this context's forced build, if any. */
export function withVariant(url: URL): URL {
  const v = new URLSearchParams(globalThis.location?.search ?? '').get('wasm');
  if (v) url.searchParams.set('wasm', v);
  return url;
}

/** Instantiates the wasm module once: the relaxed-SIMD build where the browser has it,
 * else the plain simd128 one (wasm-variant.ts). The URLs are explicit because the glue is
 * bundled into main.js / worker.js (both in www/build/), so its own import.meta.url
 * default would be wrong. */
export function loadWasm(): Promise<unknown> {
  loading ??= (async () => {
    const base = new URL('./pkg/', import.meta.url);
    const forced = forcedVariant();
    const pick = forced ? { url: new URL(forced === 'relaxed' ? RELAXED_WASM : PLAIN_WASM, base), relaxed: forced === 'relaxed' } : await wasmUrl(base);
    variant = pick.relaxed ? 'relaxed' : 'plain';
    const instance = (await initGlue({ module_or_path: pick.url })) as unknown as { memory: WebAssembly.Memory };
    checkVocabulary((glue as unknown as { vocabulary(): string }).vocabulary());
    return instance;
  })();
  return loading;
}

/** The page's defaults, names and ranges (pure/vocabulary.json) must be this build's: a
 * page bundled with another core's copy would offer settings the core refuses. */
function checkVocabulary(core: string): void {
  if (JSON.stringify(JSON.parse(core)) !== JSON.stringify(VOCABULARY)) {
    throw new Error("the page's vocabulary (www/src/pure/vocabulary.json) is not the core's: run cargo test -p vae-core --test vocabulary and rebuild the page");
  }
}

/** Which build this context runs (after loadWasm). */
export function wasmVariant(): 'relaxed' | 'plain' | null {
  return variant;
}

/** Bytes of this instance's wasm memory (it only grows: the high-water mark). */
export async function wasmMemoryBytes(): Promise<number> {
  return (await (loading ?? loadWasm())) ? (await loading!).memory.buffer.byteLength : 0;
}
