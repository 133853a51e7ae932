//! Four estimators of the gradient of the bound with respect to the encoder's parameters
//! phi, for L samples z_l ~ q(z|x), each an unbiased estimate of the same gradient of the
//! ELBO:
//!
//! - SGVB B, reparameterised (AEVB eq. 7, section 2.4): grad of 1/L sum_l log p(x|z_l) - KL,
//!   z_l = mu + sigma * eps_l;
//! - SGVB A, reparameterised (AEVB eq. 6): grad of 1/L sum_l log p(x, z_l) - log q(z_l|x);
//! - the score-function (REINFORCE; Williams 1992) estimator that AEVB section 2.2 calls
//!   impractical for its variance: 1/L sum_l (f_l - 1) grad log q(z_l|x), f = log p(x, z) -
//!   log q(z|x); the -1 is the direct term E_q[grad f] = -E_q[grad log q] (0 in expectation,
//!   kept so the estimator is the plain one);
//! - the same with a baseline b_l that does not depend on z_l: f_l - b_l in place of f_l.
//!   For L >= 2 the mean of the other samples' f (leave-one-out), for L = 1 a running mean of
//!   earlier draws (`baseline`), 0 before there is one.
use crate::config::Estimator;
use crate::family::{log_density, reparameterize};
use crate::model::repeat_rows;
use crate::noise::Noise;
use crate::params::{Dense, Weights};
use crate::vae::Vae;
use dfdx::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradientEstimator {
    SgvbB,
    SgvbA,
    Score,
    ScoreBaseline,
}

pub const ALL: [GradientEstimator; 4] =
    [GradientEstimator::SgvbB, GradientEstimator::SgvbA, GradientEstimator::Score, GradientEstimator::ScoreBaseline];

impl GradientEstimator {
    pub fn name(self) -> &'static str {
        match self {
            GradientEstimator::SgvbB => "sgvb-b",
            GradientEstimator::SgvbA => "sgvb-a",
            GradientEstimator::Score => "score",
            GradientEstimator::ScoreBaseline => "score-baseline",
        }
    }
}

/// Indices of the encoder's parameters (phi) in the flat vector: the trunk and q's heads.
pub fn encoder_indices(arch: &crate::model::Architecture) -> Vec<usize> {
    let slots = arch.encoder.iter().copied().chain([arch.q1.0, arch.q1.1]);
    slots.flat_map(|s| arch.layout.slots[s].weight_range().chain(arch.layout.slots[s].bias_range())).collect()
}

/// Refuses what the four estimators here do not cover.
pub fn supports<D: Device<f32>>(vae: &Vae<D>) -> Result<(), String> {
    if vae.config().latent2.is_some() {
        return Err("the estimator lab covers one-stochastic-layer models (q(z|x) of one z)".into());
    }
    Ok(())
}

/// The gradient of the bound summed over the rows of `x`, with respect to phi (in the order
/// of `encoder_indices`), by `which` on `noise`'s L samples; and f = log p(x, z) - log
/// q(z|x) of each sample (L x B, sample-major), for the caller's running baseline.
pub fn encoder_gradient<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    noise: &Noise,
    which: GradientEstimator,
    baseline: f64,
) -> (Vec<f32>, Vec<f64>) {
    let phi = encoder_indices(&vae.arch);
    let eps = vae.eps(noise);
    let xb = vae.batch(x);
    let f: Vec<f64> =
        crate::params::to_host(&crate::estimator::importance_log_weights(&vae.arch, &vae.weights(), &xb, &eps))
            .into_iter()
            .map(f64::from)
            .collect();
    let estimator = match which {
        GradientEstimator::SgvbB => Some(Estimator::B),
        GradientEstimator::SgvbA => Some(Estimator::A),
        _ => None,
    };
    if let Some(e) = estimator {
        // Vae::gradient differentiates the negative bound.
        let g = vae.gradient(x, noise, e).grad;
        return (phi.iter().map(|&i| -g[i]).collect(), f);
    }
    let (l, b) = (noise.samples, noise.batch);
    let coef: Vec<f32> = (0..l * b)
        .map(|r| {
            let base = match which {
                GradientEstimator::ScoreBaseline if l >= 2 => {
                    let col = r % b;
                    let others: f64 = (0..l).filter(|&s| s * b + col != r).map(|s| f[s * b + col]).sum();
                    others / (l - 1) as f64
                }
                GradientEstimator::ScoreBaseline => baseline,
                _ => 0.0,
            };
            ((f[r] - base - 1.0) / l as f64) as f32
        })
        .collect();
    // z_l as drawn, held fixed: only log q(z_l|x) is differentiated.
    let post = vae.arch.encode(&vae.weights(), xb.clone());
    let z = reparameterize(repeat_rows(post.q1.mu, l), repeat_rows(post.q1.lv, l), eps.eps1.clone());
    let w = Weights {
        layers: vae
            .layers
            .iter()
            .map(|d| Dense { w: d.w.clone().leaky_traced(), b: d.b.clone().leaky_traced() })
            .collect(),
    };
    let q = vae.arch.encode(&w, xb.retaped());
    let log_q = log_density(vae.config().family, z.retaped(), repeat_rows(q.q1.mu, l), repeat_rows(q.q1.lv, l));
    let c = vae.dev.tensor_from_vec(coef, (l * b,));
    let grads = (log_q * c).sum::<Rank0, _>().backward();
    let mut full = vec![0.0f32; vae.num_params()];
    let slots = vae.arch.encoder.iter().copied().chain([vae.arch.q1.0, vae.arch.q1.1]);
    for s in slots {
        let (slot, layer) = (&vae.arch.layout.slots[s], &vae.layers[s]);
        grads.get(&layer.w).copy_into(&mut full[slot.weight_range()]);
        grads.get(&layer.b).copy_into(&mut full[slot.bias_range()]);
    }
    (phi.iter().map(|&i| full[i]).collect(), f)
}
