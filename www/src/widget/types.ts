// The widget's public contract: what a tutorial author's code sees (dist/vae-playground.d.ts
// is emitted from these files). Self-contained on purpose: no import, so the shipped
// declarations need nothing of the page's internals. docs/widget.md explains each.

/** What the element shows (the `view` attribute). */
export type View = 'full' | 'draw' | 'posterior' | 'estimators' | 'traverse' | 'interpolate' | 'samples' | 'manifold' | 'train';

/** A model's shape, as its checkpoint's metadata says (docs/checkpoint.md). */
export interface Architecture {
  input_dim: number;
  hidden: number[];
  latent: number;
  /** The second stochastic layer's size (a two-layer DLGM), else null. */
  latent2: number | null;
  activation: 'relu' | 'tanh';
  family: 'gaussian' | 'laplace' | 'logistic';
  decoder: 'bernoulli' | 'gaussian';
}

/** What is known of a model's quality, in nats per test image. */
export interface Metrics {
  /** The test ELBO: from the zoo's metrics file, or the training's latest evaluation. */
  testElbo: number | null;
  /** Importance-sampled log p(x) (the zoo's metrics file), else null. */
  logPx: number | null;
  /** Where the numbers come from: 'model zoo', 'training' or 'unknown'. */
  source: 'model zoo' | 'training' | 'unknown';
  /** Training steps and epochs done by this widget on this model. */
  step: number;
  epoch: number;
}

/** `element.model`. */
export interface ModelDescription {
  architecture: Architecture;
  /** For people: 'pretrained', 'mnist-2d (model zoo)', 'loaded from a.safetensors'. */
  origin: string;
  /** 'own': the personal data set of the page's origin; 'own-mnist': it mixed into MNIST. */
  dataset: 'mnist' | 'fashion-mnist' | 'own' | 'own-mnist';
  parameters: number;
  metrics: Metrics;
}

/** q(z|x) = N(mean, diag(sigma²)); of z1 in a two-layer model. */
export interface Encoding {
  mean: Float32Array;
  sigma: Float32Array;
}

/** `reconstruct()`: the encoding and the decoder's mean at z = mean (784 values in [0, 1]). */
export interface Reconstruction extends Encoding {
  reconstruction: Float32Array;
}

/** What `load()` takes: a zoo name, a URL (relative to the page), or checkpoint bytes. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

/** The `progress` event's detail, about twice a second while training. */
export interface ProgressDetail {
  step: number;
  /** Epochs done, fractional. */
  epoch: number;
  /** The training bound (ELBO per image, nats) over the last slice. */
  bound: number;
  /** The latest test ELBO, null before the first evaluation. */
  testElbo: number | null;
  samplesPerSec: number;
}

/** The `model-change` event's detail. */
export interface ModelChangeDetail {
  /** 'load': load() or the `model` attribute; 'architecture': an architecture attribute
   * (latent, hidden, activation, decoder) asked for a fresh model of another shape;
   * 'train': "Train from scratch" replaced it. Not sent for each training step. */
  reason: 'load' | 'architecture' | 'train';
  model: ModelDescription;
}

/** The `drawing` event's detail: what the model sees of the drawing (784 values). */
export interface DrawingDetail {
  pixels: Float32Array;
}

/** The `error` event's detail. */
export interface ErrorDetail {
  message: string;
  /** The core's kind of the failure (a checkpoint that is not one: 'BadCheckpoint'; the
   * kinds are listed in docs/widget.md), or null for any other (a bad attribute, a download
   * that failed). A rejected method's `error.name` is the same name. */
  kind: string | null;
}

export interface VaePlaygroundEventMap {
  ready: CustomEvent<ModelDescription>;
  progress: CustomEvent<ProgressDetail>;
  'model-change': CustomEvent<ModelChangeDetail>;
  drawing: CustomEvent<DrawingDetail>;
  error: CustomEvent<ErrorDetail>;
}

/** The attributes, for JSX and templates (all optional, all strings in HTML). */
export interface VaePlaygroundAttributes {
  view?: View;
  model?: string;
  latent?: number | string;
  hidden?: number | string;
  activation?: 'relu' | 'tanh';
  decoder?: 'bernoulli' | 'gaussian';
  latent2?: number | string;
  family?: 'gaussian' | 'laplace' | 'logistic';
  init?: 'glorot' | 'paper';
  dataset?: 'mnist' | 'fashion-mnist' | 'own' | 'own-mnist';
  optimizer?: 'adam' | 'adagrad';
  lr?: number | string;
  batch?: number | string;
  estimator?: 'a' | 'b' | 'iwae';
  samples?: number | string;
  binarization?: 'dynamic' | 'fixed';
  mix?: number | string;
  holdout?: number | string;
  workers?: number | string;
  autoplay?: boolean | '';
  height?: number | string;
  id?: string;
  class?: string;
  className?: string;
  style?: unknown;
  slot?: string;
  ref?: unknown;
  key?: string | number;
}
