// Written by crates/vae-core/tests/vocabulary.rs from vae_core::vocabulary (do not edit):
// the name of every value of every choice of the core, as TypeScript types. The values
// themselves are vocabulary.json's; shared/wasm.ts types the binding with these.
export type Activation = 'tanh' | 'relu';
export type Family = 'gaussian' | 'laplace' | 'logistic';
export type DecoderKind = 'bernoulli' | 'gaussian';
export type Init = 'paper' | 'glorot' | 'he' | 'pytorch';
export type Estimator = 'a' | 'b' | 'iwae';
export type OptimizerKind = 'adam' | 'adagrad';
export type Schedule = 'constant' | 'iwae';
export type Preset = 'iwae-1' | 'iwae-2';
export type Binarization = 'dynamic' | 'fixed' | 'greyscale';
export type DatasetKind = 'mnist' | 'fashion-mnist';
export type ErrorKind = 'NonFiniteLoss' | 'BadCheckpoint' | 'ArchitectureMismatch' | 'InvalidConfig' | 'BadData' | 'Unsupported' | 'InvalidArgument';
