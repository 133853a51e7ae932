//! `Model`'s inference views (vae_core::inference): the true posterior on a grid with the
//! gap of q and of a refined q, the gradient estimators' variance, the ELBO's two terms and
//! the latent dimensions' activity. Each returns a plain object; a bad input throws.
use crate::error::Failure;
use crate::model::{rows, Model};
use crate::to_js;
use vae_core::inference::posterior::{posterior_with_refined, PosteriorOptions};
use vae_core::inference::{activity, variance};
use vae_core::ErrorKind;
use wasm_bindgen::prelude::*;

/// The views' own limits (a latent below 2 has no map, a two-layer model no lab).
fn unsupported(e: String) -> Failure {
    Failure::new(ErrorKind::Unsupported, e)
}

#[wasm_bindgen]
impl Model {
    /// log p(x, z) of one image on a `grid` x `grid` map (latent 2; a labelled slice above),
    /// log p(x), the encoder's ELBO and gap, and with `refined_mu` and `refined_lv` (from
    /// `refine`) the refined q's. See vae_core::inference::posterior for the fields.
    pub fn posterior(
        &self,
        x: &[f32],
        grid: usize,
        refined_mu: Option<Vec<f32>>,
        refined_lv: Option<Vec<f32>>,
    ) -> Result<JsValue, Failure> {
        rows(x, self.vae.config().input_dim, "image")?;
        let opts = PosteriorOptions { grid, ..Default::default() };
        let refined = match (&refined_mu, &refined_lv) {
            (Some(mu), Some(lv)) => Some((&mu[..], &lv[..])),
            (None, None) => None,
            _ => return Err(Failure::argument("a refined q needs both its mu and its lv")),
        };
        let map = posterior_with_refined(&self.vae, x, refined, &opts).map_err(unsupported)?;
        Ok(to_js(&map))
    }

    /// The four gradient estimators' variance at L = `samples` over `repetitions` draws for
    /// the rows of `x` (one L a call, so a worker can report each L as it finishes).
    #[wasm_bindgen(js_name = estimatorVariance)]
    pub fn estimator_variance(
        &self,
        x: &[f32],
        samples: usize,
        repetitions: usize,
        seed: f64,
    ) -> Result<JsValue, Failure> {
        let n = rows(x, self.vae.config().input_dim, "images")?;
        if n > 16 || !(1..=256).contains(&samples) || !(2..=2000).contains(&repetitions) {
            return Err(Failure::new(
                ErrorKind::Unsupported,
                "the estimator lab takes 1..=16 images, 1..=256 samples and 2..=2000 repetitions",
            ));
        }
        let stats = variance::variance_at(&self.vae, x, samples, repetitions, seed as u64).map_err(unsupported)?;
        Ok(to_js(&stats))
    }

    /// The reconstruction and KL terms of the ELBO, averaged over the rows of `x`.
    #[wasm_bindgen(js_name = elboTerms)]
    pub fn elbo_terms(&self, x: &[f32], samples: usize) -> Result<JsValue, Failure> {
        rows(x, self.vae.config().input_dim, "images")?;
        Ok(to_js(&activity::elbo_terms(&self.vae, x, samples.clamp(1, 1000), 1)))
    }

    /// KL per latent dimension and the active units (Burda et al.) over the rows of `x`.
    #[wasm_bindgen(js_name = latentActivity)]
    pub fn latent_activity(&self, x: &[f32]) -> Result<JsValue, Failure> {
        rows(x, self.vae.config().input_dim, "images")?;
        Ok(to_js(&activity::latent_activity(&self.vae, x)))
    }
}

/// Test images (intensities) as the model is evaluated on them (`vae eval`, the training
/// worker's test ELBO): binary models see one fixed binarization. `binarization` is
/// "dynamic", "fixed" or "greyscale".
#[wasm_bindgen(js_name = prepareTest)]
pub fn prepare_test(pixels: &[f32], binarization: &str) -> Result<Vec<f32>, Failure> {
    let b: vae_core::data::Binarization = binarization.parse().map_err(Failure::config)?;
    Ok(vae_core::train::prepare_test(pixels, b))
}
