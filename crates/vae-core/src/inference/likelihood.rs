//! log p(x|z) for one x and many z: what the posterior map and its bounds need from a model.
//! A trait, so that the same grid, integration and quadrature code runs on a trained VAE and
//! on a linear-Gaussian model whose posterior and evidence are known in closed form (the
//! tests' independent reference).
use crate::model::repeat_rows;
use crate::vae::Vae;
use dfdx::prelude::*;

pub trait Likelihood {
    /// Size of z.
    fn latent(&self) -> usize;
    /// log p(x|z) for each row of `z` (row-major, `latent` values a row).
    fn log_likelihood(&self, z: &[f32]) -> Vec<f64>;
}

/// Rows decoded in one pass: bounds the memory of a pass (rows x pixels, a few times).
const CHUNK: usize = 2048;

/// The decoder of a one-stochastic-layer VAE, for the datum `x`.
pub struct VaeLikelihood<'a, D: Device<f32>> {
    pub vae: &'a Vae<D>,
    pub x: Vec<f32>,
}

impl<'a, D: Device<f32>> VaeLikelihood<'a, D> {
    /// Fails for a two-layer model, whose p(z1) is an integral over z2 (no density on a
    /// grid of z1 without a second integral), and for an `x` of the wrong size.
    pub fn new(vae: &'a Vae<D>, x: &[f32]) -> Result<Self, String> {
        let c = vae.config();
        if c.latent2.is_some() {
            return Err("this view needs a one-stochastic-layer model: the two-layer model's prior \
                        p(z1) is an integral over z2"
                .into());
        }
        if x.len() != c.input_dim {
            return Err(format!("an image of {} pixels, got {}", c.input_dim, x.len()));
        }
        Ok(VaeLikelihood { vae, x: x.to_vec() })
    }
}

impl<D: Device<f32>> Likelihood for VaeLikelihood<'_, D> {
    fn latent(&self) -> usize {
        self.vae.config().latent
    }

    fn log_likelihood(&self, z: &[f32]) -> Vec<f64> {
        let k = self.latent();
        let (w, xb) = (self.vae.weights(), self.vae.batch(&self.x));
        let mut out = Vec::with_capacity(z.len() / k);
        for chunk in z.chunks(CHUNK * k) {
            let m = chunk.len() / k;
            let zt = self.vae.dev.tensor_from_vec(chunk.to_vec(), (m, k));
            let ll = self.vae.arch.log_likelihood(&w, zt, repeat_rows(xb.clone(), m));
            out.extend(crate::params::to_host(&ll).into_iter().map(f64::from));
        }
        out
    }
}
