//! The VAE playground's core: Auto-Encoding Variational Bayes (Kingma & Welling 2014) and
//! deep latent Gaussian models (Rezende, Mohamed & Wierstra 2014) on dfdx, generic over the
//! device, with no browser code (the wasm crate binds it).
//!
//! One concept per module: `config` (choices), `params` (the flat parameter vector),
//! `family` (q's reparameterizable families, KL), `model` (encoder, decoder, prior),
//! `estimator` (SGVB A, B, IWAE), `vae` (a model on a device), `optim` (Adam, Adagrad),
//! `train` (Algorithm 1), `eval` (test ELBO, importance-sampled log p(x)), `refine`
//! (per-datapoint SVI), `impute`, `checkpoint` (safetensors), `data` (idx, MNIST),
//! `inference` (the true posterior on a grid, the gap, the gradient estimators' variance),
//! `error` (the kinds of failure callers act on), `vocabulary` (defaults, names and ranges
//! in one value, for the page and the CLI).
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod error;
pub mod estimator;
pub mod eval;
pub mod family;
pub mod gradient;
pub mod host;
pub mod impute;
pub mod inference;
pub mod model;
pub mod noise;
pub mod optim;
pub mod parallel;
pub mod params;
pub mod refine;
pub mod state;
pub mod train;
pub mod vae;
pub mod vocabulary;

pub use config::{Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, TrainConfig};
pub use error::{ErrorKind, Kinded};
pub use vae::Vae;

/// Natively, runs every f32 matrix product of this process through the wasm build's own
/// kernel (crates/gemm-shim) with portable lanes instead of gemm 0.19: the plain simd128
/// build's exact arithmetic, so a native run reproduces the browser's parameters bit for
/// bit (`vae train --kernel portable`; README, "Native and wasm: the same bits").
#[cfg(not(target_arch = "wasm32"))]
pub fn use_portable_matmul(on: bool) {
    gemm::use_portable_f32(on);
}

/// The CPU device, seeded (dfdx's own RNG is unused by the model: noise comes from `noise`).
pub fn cpu() -> dfdx::tensor::Cpu {
    dfdx::tensor::Cpu::seed_from_u64(0)
}

/// Opens CUDA device `ordinal` (seeded like `cpu()`), or says why it cannot.
///
/// dfdx 0.13's `Cuda::try_build` returns `Err` only for some failures: its cudarc 0.9
/// `CudaDevice::new` *unwraps* `cuInit` and `cuDeviceGet`, so "no driver" or "no device"
/// panics. The panic is caught here (its message silenced while the device is probed) and
/// returned as the error, so callers can skip or report instead of aborting.
#[cfg(feature = "cuda")]
pub fn cuda(ordinal: usize) -> Result<dfdx::tensor::Cuda, String> {
    use std::panic::{catch_unwind, set_hook, take_hook, AssertUnwindSafe};
    let hook = take_hook();
    set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| dfdx::tensor::Cuda::try_build(ordinal, 0)));
    set_hook(hook);
    match result {
        Ok(Ok(dev)) => Ok(dev),
        Ok(Err(e)) => Err(format!("{e:?}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "CUDA initialisation panicked".to_string());
            Err(msg.trim_start_matches("called `Result::unwrap()` on an `Err` value: ").to_string())
        }
    }
}
