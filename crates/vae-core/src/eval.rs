//! Held-out evaluation: the ELBO and the importance-sampled log-likelihood
//!   log p(x) ~= log 1/K sum_k p(x, z_k) / q(z_k | x),  z_k ~ q(z | x)
//! (AEVB Appendix D; Burda et al. 2016 section 5), which is itself a lower bound that
//! tightens to log p(x) as K grows.
use crate::config::Estimator;
use crate::estimator::importance_log_weights;
use crate::noise::{mix, Noise};
use crate::vae::Vae;
use dfdx::prelude::*;

/// Rows evaluated at once (samples x data); bounds the memory of a pass.
const MAX_ROWS: usize = 20_000;

/// Mean of `f(chunk, first_index)` over `data` in chunks of `batch` rows, weighted by rows.
fn mean_over<F: FnMut(&[f32], usize) -> Vec<f64>>(data: &[f32], dim: usize, batch: usize, mut f: F) -> (f64, Vec<f64>) {
    let n = data.len() / dim;
    let mut all = Vec::with_capacity(n);
    for start in (0..n).step_by(batch.max(1)) {
        let end = (start + batch).min(n);
        all.extend(f(&data[start * dim..end * dim], start));
    }
    let mean = all.iter().sum::<f64>() / n.max(1) as f64;
    (mean, all)
}

/// The ELBO (estimator B, analytic KL, `samples` Monte Carlo draws) per datum, averaged.
/// Noise is seeded by `seed` and the datum's index, so the figure is reproducible.
pub fn elbo<D: Device<f32>>(vae: &Vae<D>, data: &[f32], samples: usize, seed: u64) -> f64 {
    let c = vae.config();
    let batch = (MAX_ROWS / samples.max(1)).clamp(1, 500);
    mean_over(data, c.input_dim, batch, |x, first| {
        let rows = x.len() / c.input_dim;
        let noise = Noise::draw(seed, u64::MAX, first, rows, samples, c.family, c.latent, c.latent2);
        vae.bound(x, &noise, Estimator::B).into_iter().map(f64::from).collect()
    })
    .0
}

/// log-sum-exp of a slice in f64, stable for any magnitudes.
pub fn logsumexp(v: &[f64]) -> f64 {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// The importance-sampled estimate of log p(x) for each datum, with `k` samples from q.
/// Samples are processed in chunks so that K = 5000 fits in memory; the chunks' weights
/// are combined in f64. `first` is the index of data[0] in the whole set: noise is keyed
/// by it, so evaluating a set in pieces gives the same numbers as evaluating it whole.
pub fn log_likelihood_per_datum<D: Device<f32>>(vae: &Vae<D>, data: &[f32], first: usize, k: usize, seed: u64) -> Vec<f64> {
    let c = vae.config();
    let batch = 100.min(MAX_ROWS);
    let chunk = (MAX_ROWS / batch).clamp(1, k.max(1));
    let offset = first;
    mean_over(data, c.input_dim, batch, |x, first| {
        let rows = x.len() / c.input_dim;
        let xb = vae.batch(x);
        let mut log_w = vec![Vec::with_capacity(k); rows];
        let mut done = 0;
        while done < k {
            let l = chunk.min(k - done);
            // The sample index joins the seed so that every chunk draws new noise.
            let noise = Noise::draw(mix(seed.wrapping_add(done as u64)), u64::MAX - 1, offset + first, rows, l, c.family, c.latent, c.latent2);
            let lw = importance_log_weights(&vae.arch, &vae.weights(), &xb, &vae.eps(&noise));
            let lw = crate::params::to_host(&lw);
            for s in 0..l {
                for (b, w) in log_w.iter_mut().enumerate() {
                    w.push(lw[s * rows + b] as f64);
                }
            }
            done += l;
        }
        log_w.iter().map(|w| logsumexp(w) - (k as f64).ln()).collect()
    })
    .1
}

/// Mean importance-sampled log-likelihood over `data`.
pub fn log_likelihood<D: Device<f32>>(vae: &Vae<D>, data: &[f32], k: usize, seed: u64) -> f64 {
    let v = log_likelihood_per_datum(vae, data, 0, k, seed);
    v.iter().sum::<f64>() / v.len().max(1) as f64
}
