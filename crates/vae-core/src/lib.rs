//! The VAE playground's core: Auto-Encoding Variational Bayes (Kingma & Welling 2014) and
//! deep latent Gaussian models (Rezende, Mohamed & Wierstra 2014) on dfdx, generic over the
//! device, with no browser code (the wasm crate binds it).
//!
//! One concept per module: `config` (choices), `params` (the flat parameter vector),
//! `family` (q's reparameterizable families, KL), `model` (encoder, decoder, prior),
//! `estimator` (SGVB A, B, IWAE), `vae` (a model on a device), `optim` (Adam, Adagrad),
//! `train` (Algorithm 1), `eval` (test ELBO, importance-sampled log p(x)), `refine`
//! (per-datapoint SVI), `impute`, `checkpoint` (safetensors), `data` (idx, MNIST).
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod estimator;
pub mod eval;
pub mod family;
pub mod impute;
pub mod model;
pub mod noise;
pub mod optim;
pub mod parallel;
pub mod params;
pub mod refine;
pub mod state;
pub mod train;
pub mod vae;

pub use config::{Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, TrainConfig};
pub use vae::Vae;

/// The CPU device, seeded (dfdx's own RNG is unused by the model: noise comes from `noise`).
pub fn cpu() -> dfdx::tensor::Cpu {
    dfdx::tensor::Cpu::seed_from_u64(0)
}
