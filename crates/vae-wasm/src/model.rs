//! `Model`: inference on a trained VAE, for the draw and latent panels.
use crate::error::Failure;
use crate::{from_js, meta_pairs, to_js, Dev};
use vae_core::checkpoint;
use vae_core::config::{Init, ModelConfig};
use vae_core::ErrorKind;
use vae_core::Vae;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Model {
    pub(crate) vae: Vae<Dev>,
}

/// Checks that `x` holds whole rows of `dim` finite values; returns the row count.
pub(crate) fn rows(x: &[f32], dim: usize, what: &str) -> Result<usize, Failure> {
    if x.is_empty() || !x.len().is_multiple_of(dim) {
        return Err(Failure::data(format!("{what} must hold whole rows of {dim} values, got {}", x.len())));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Failure::data(format!("{what} contains NaN or infinite values")));
    }
    Ok(x.len() / dim)
}

#[derive(serde::Serialize)]
struct Posterior {
    mu: Vec<f32>,
    sigma: Vec<f32>,
}

#[wasm_bindgen]
impl Model {
    /// Loads a safetensors checkpoint; a bad file throws and nothing else changes.
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(bytes: &[u8]) -> Result<Model, Failure> {
        let ck = checkpoint::from_bytes(bytes)?;
        Ok(Model { vae: Vae::from_params(ck.arch, ck.params, vae_core::cpu()) })
    }

    /// A fresh, untrained model (the core's default initialisation).
    pub fn fresh(config: JsValue, seed: f64) -> Result<Model, Failure> {
        let config: ModelConfig = from_js(config, "model config")?;
        let vae = Vae::new(config, Init::default(), seed as u64, vae_core::cpu()).map_err(Failure::config)?;
        Ok(Model { vae })
    }

    #[wasm_bindgen(js_name = toCheckpoint)]
    pub fn to_checkpoint(&self, meta: JsValue) -> Result<Vec<u8>, Failure> {
        let pairs = meta_pairs(meta)?;
        let refs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        Ok(checkpoint::to_bytes(&self.vae.arch, &self.vae.params(), &refs))
    }

    pub fn config(&self) -> JsValue {
        to_js(self.vae.config())
    }

    pub fn latent(&self) -> usize {
        self.vae.config().latent
    }

    #[wasm_bindgen(js_name = numParams)]
    pub fn num_params(&self) -> usize {
        self.vae.num_params()
    }

    pub fn params(&self) -> Vec<f32> {
        self.vae.params()
    }

    /// Replaces the parameters (e.g. with a training worker's latest).
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, p: &[f32]) -> Result<(), Failure> {
        if p.len() != self.vae.num_params() {
            return Err(Failure::new(
                ErrorKind::ArchitectureMismatch,
                format!("expected {} parameters, got {}", self.vae.num_params(), p.len()),
            ));
        }
        if p.iter().any(|v| !v.is_finite()) {
            return Err(Failure::data("parameters contain NaN or infinite values"));
        }
        self.vae.set_params(p);
        Ok(())
    }

    /// Posterior mean and standard deviation of z for one image.
    pub fn encode(&self, x: &[f32]) -> Result<JsValue, Failure> {
        rows(x, self.vae.config().input_dim, "image")?;
        let (mu, lv) = self.vae.encode(x);
        Ok(to_js(&Posterior { mu, sigma: lv.iter().map(|l| (0.5 * l).exp()).collect() }))
    }

    pub fn reconstruct(&self, x: &[f32]) -> Result<Vec<f32>, Failure> {
        rows(x, self.vae.config().input_dim, "image")?;
        Ok(self.vae.reconstruct(x))
    }

    pub fn decode(&self, z: &[f32]) -> Result<Vec<f32>, Failure> {
        rows(z, self.vae.config().latent, "latent codes")?;
        Ok(self.vae.decode(z))
    }

    #[wasm_bindgen(js_name = samplePrior)]
    pub fn sample_prior(&self, n: usize, seed: f64) -> Vec<f32> {
        self.vae.sample_prior(n.clamp(1, 1024), seed as u64)
    }

    /// Per-datapoint SVI from the encoder's q (the amortization gap).
    pub fn refine(&self, x: &[f32], steps: usize, lr: f64, samples: usize, seed: f64) -> Result<JsValue, Failure> {
        rows(x, self.vae.config().input_dim, "image")?;
        vae_core::config::check_lr(lr).map_err(Failure::config)?;
        if steps > 10_000 || samples == 0 || samples > 1000 {
            return Err(Failure::config("refine needs steps <= 10000 and 1..=1000 samples"));
        }
        Ok(to_js(&vae_core::refine::refine(&self.vae, x, steps, lr as f32, samples, seed as u64)))
    }

    /// Fills the pixels whose `observed` entry is 0: the mean of the decoder's means over
    /// the last `averaged` of `iterations` of `chains` chains (vae_core::impute).
    pub fn impute(
        &self,
        x: &[f32],
        observed: &[u8],
        chains: usize,
        iterations: usize,
        averaged: usize,
        seed: f64,
    ) -> Result<Vec<f32>, Failure> {
        let d = self.vae.config().input_dim;
        rows(x, d, "image")?;
        if observed.len() != d {
            return Err(Failure::argument(format!("mask must have {d} entries, got {}", observed.len())));
        }
        let mask: Vec<bool> = observed.iter().map(|&o| o != 0).collect();
        let iterations = iterations.min(1000);
        if chains == 0 || chains > 64 || averaged == 0 || averaged > iterations {
            return Err(Failure::argument(format!(
                "impute needs 1..=64 chains and 1..={iterations} iterations averaged, got {chains} and {averaged}"
            )));
        }
        Ok(vae_core::impute::impute(&self.vae, x, &mask, chains, iterations, averaged, seed as u64))
    }

    /// FNV-1a of the parameters' bits (see `Replica.checksum`).
    pub fn checksum(&self) -> u32 {
        vae_core::parallel::checksum(&self.vae.params())
    }

    /// Mean ELBO (nats per image) of the rows of `x`.
    pub fn elbo(&self, x: &[f32], samples: usize) -> Result<f64, Failure> {
        rows(x, self.vae.config().input_dim, "images")?;
        Ok(vae_core::eval::elbo(&self.vae, x, samples.clamp(1, 1000), 1))
    }
}
