//! How the bound splits and how much each latent dimension is used.
//!
//! - The ELBO's two terms (AEVB eq. 7): the expected reconstruction log-likelihood
//!   E_q[log p(x|z)] and the KL term, averaged over data.
//! - KL(q(z_d|x) || p(z_d)) per dimension, averaged over data: a dimension whose KL is ~0
//!   carries no information about x ("posterior collapse").
//! - Active units (Burda et al. 2016, section 5.2): dimension d is active when
//!   A_d = Cov_x(E_q[z_d | x]) > 0.01, i.e. its posterior mean moves with the datum. All of
//!   q's families are symmetric, so E_q[z_d] is the location mu_d.
use super::density::DiagQ;
use crate::config::Estimator;
use crate::noise::Noise;
use crate::vae::Vae;
use dfdx::prelude::*;

/// Burda et al.'s activity threshold.
pub const ACTIVE_THRESHOLD: f64 = 0.01;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Activity {
    /// Mean over the data of KL(q(z_d|x) || N(0, 1)); None for the two-layer model, whose
    /// p(z1) is not N(0, I).
    pub kl_per_dim: Option<Vec<f64>>,
    /// Var_x(E_q[z_d | x]) of each dimension (z1 for two layers), n denominator.
    pub activity: Vec<f64>,
    /// Dimensions with activity above `ACTIVE_THRESHOLD`.
    pub active_units: usize,
}

/// KL per dimension and the active units of q(z|x) (q(z1|x) for two layers) over `data`.
pub fn latent_activity<D: Device<f32>>(vae: &Vae<D>, data: &[f32]) -> Activity {
    let c = vae.config();
    let (mu, lv) = vae.encode(data);
    let (k, n) = (c.latent, mu.len() / c.latent);
    let mut mean = vec![0.0f64; k];
    let mut kl = vec![0.0f64; k];
    for (m, l) in mu.chunks_exact(k).zip(lv.chunks_exact(k)) {
        let q = DiagQ { family: c.family, mu: m.to_vec(), lv: l.to_vec() };
        for (d, v) in q.kl_per_dim().into_iter().enumerate() {
            kl[d] += v / n as f64;
            mean[d] += m[d] as f64 / n as f64;
        }
    }
    let mut activity = vec![0.0f64; k];
    for m in mu.chunks_exact(k) {
        for d in 0..k {
            activity[d] += (m[d] as f64 - mean[d]).powi(2) / n as f64;
        }
    }
    Activity {
        kl_per_dim: c.latent2.is_none().then_some(kl),
        active_units: activity.iter().filter(|&&a| a > ACTIVE_THRESHOLD).count(),
        activity,
    }
}

/// The ELBO's two terms, averaged over data.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ElboTerms {
    /// 1/L sum_l log p(x|z_l), z_l ~ q(z|x).
    pub reconstruction: f64,
    /// SGVB B's KL part: KL(q(z|x) || p(z)) for one layer (closed form); for two layers the
    /// part of the bound that `estimator::annealed_bound` weighs under KL warm-up.
    pub kl: f64,
    /// reconstruction - kl.
    pub elbo: f64,
}

/// `ElboTerms` of `data` with `samples` draws each, noise keyed by `seed` and the row as
/// in `eval::elbo`, so `elbo` is the same figure.
pub fn elbo_terms<D: Device<f32>>(vae: &Vae<D>, data: &[f32], samples: usize, seed: u64) -> ElboTerms {
    let c = vae.config();
    let rows = data.len() / c.input_dim;
    let noise = Noise::draw(seed, u64::MAX, 0, rows, samples, c.family, c.latent, c.latent2);
    // The annealed bound at beta returns (rec - beta kl, kl): both terms from one pass, with
    // exactly the bound's forms for every model (one layer, two, q(z2|z1)).
    let beta = 0.5;
    let (objective, kl) = crate::estimator::annealed_bound(
        &vae.arch,
        &vae.weights(),
        &vae.batch(data),
        &vae.eps(&noise),
        Estimator::B,
        beta,
    );
    let objective = crate::params::to_host(&objective);
    let kl = crate::params::to_host(&kl.expect("beta < 1 returns the KL part"));
    let n = rows.max(1) as f64;
    let kl_mean = kl.iter().map(|&v| v as f64).sum::<f64>() / n;
    let rec = objective.iter().zip(&kl).map(|(&o, &k)| o as f64 + beta as f64 * k as f64).sum::<f64>() / n;
    ElboTerms { reconstruction: rec, kl: kl_mean, elbo: rec - kl_mean }
}
