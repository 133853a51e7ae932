//! Held-out evaluation: the ELBO and the importance-sampled log-likelihood
//!   log p(x) ~= log 1/K sum_k p(x, z_k) / q(z_k | x),  z_k ~ q(z | x)
//! (AEVB Appendix D; Burda et al. 2016 section 5), which is itself a lower bound that
//! tightens to log p(x) as K grows.
use crate::config::Estimator;
use crate::estimator::importance_log_weights;
use crate::model::Architecture;
use crate::noise::{mix, Noise};
use crate::vae::Vae;
use dfdx::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    let v = elbo_per_datum(vae, data, samples, seed);
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The ELBO of each datum, as `elbo` averages it.
pub fn elbo_per_datum<D: Device<f32>>(vae: &Vae<D>, data: &[f32], samples: usize, seed: u64) -> Vec<f64> {
    let c = vae.config();
    let batch = (MAX_ROWS / samples.max(1)).clamp(1, 500);
    mean_over(data, c.input_dim, batch, |x, first| {
        let rows = x.len() / c.input_dim;
        let noise = Noise::draw(seed, u64::MAX, first, rows, samples, c.family, c.latent, c.latent2);
        vae.bound(x, &noise, Estimator::B).into_iter().map(f64::from).collect()
    })
    .1
}

/// The mean of `v` and its standard error, s / sqrt(n) with s the sample standard
/// deviation (n - 1 in its denominator); the error is 0 for fewer than two values.
///
/// Over per-image estimates this is the error of a test-set average: how far it would move
/// on another test set of the same size from the same distribution, with fresh noise. It
/// does not contain the bias of a finite-K importance-sampled estimate, which lies below
/// log p(x) in expectation (Burda et al. 2016, Theorem 1).
pub fn mean_and_se(v: &[f64]) -> (f64, f64) {
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n.max(1) as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, (var / n as f64).sqrt())
}

/// log-sum-exp of a slice in f64, stable for any magnitudes.
pub fn logsumexp(v: &[f64]) -> f64 {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// One datum's importance-sampled log p(x) and the Monte Carlo standard error of that
/// estimate (its spread over fresh draws of the K samples, for this one x).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IsEstimate {
    pub log_px: f64,
    pub mc_se: f64,
}

/// log (1/K) sum_k w_k from the log-weights log w_k, with its Monte Carlo standard error
/// by the delta method, se = s_w / (sqrt(K) * mean w) with s_w the weights' sample standard
/// deviation (Owen, "Monte Carlo theory, methods and examples", 2013, section 9.2): the
/// estimate's error is its mean weight's relative error. 0 for K = 1.
pub fn log_mean_exp_with_se(log_w: &[f64]) -> IsEstimate {
    let k = log_w.len();
    let log_px = logsumexp(log_w) - (k as f64).ln();
    let m = log_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if k < 2 || !m.is_finite() {
        return IsEstimate { log_px, mc_se: 0.0 };
    }
    // Weights relative to the largest, so none overflows.
    let w: Vec<f64> = log_w.iter().map(|l| (l - m).exp()).collect();
    let mean = w.iter().sum::<f64>() / k as f64;
    let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1) as f64;
    IsEstimate { log_px, mc_se: (var / k as f64).sqrt() / mean }
}

/// The Monte Carlo standard error of a mean over n data of independent estimates with
/// errors `se`: sqrt(sum se_i^2) / n.
pub fn mean_mc_se(se: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for s in se {
        sum += s * s;
        n += 1;
    }
    sum.sqrt() / n.max(1) as f64
}

/// The importance-sampled estimate of log p(x) for each datum, with `k` samples from q.
/// Samples are processed in chunks so that K = 5000 fits in memory; the chunks' weights
/// are combined in f64. `first` is the index of data[0] in the whole set: noise is keyed
/// by it, so evaluating a set in pieces gives the same numbers as evaluating it whole.
pub fn log_likelihood_per_datum<D: Device<f32>>(
    vae: &Vae<D>,
    data: &[f32],
    first: usize,
    k: usize,
    seed: u64,
) -> Vec<f64> {
    importance_sampled_per_datum(vae, data, first, k, seed).into_iter().map(|e| e.log_px).collect()
}

/// `log_likelihood_per_datum` with each estimate's Monte Carlo standard error.
pub fn importance_sampled_per_datum<D: Device<f32>>(
    vae: &Vae<D>,
    data: &[f32],
    first: usize,
    k: usize,
    seed: u64,
) -> Vec<IsEstimate> {
    let c = vae.config();
    let batch = 100.min(MAX_ROWS);
    let offset = first;
    let n = data.len() / c.input_dim;
    let mut all = Vec::with_capacity(n);
    for first in (0..n).step_by(batch) {
        let x = &data[first * c.input_dim..(first + batch).min(n) * c.input_dim];
        let rows = x.len() / c.input_dim;
        // Samples per pass: as many as fit in MAX_ROWS for this batch (a batch of 100 takes
        // 200 at a time; a short last batch takes more, rather than paying a pass's fixed
        // cost for a few rows).
        let chunk = (MAX_ROWS / rows.max(1)).clamp(1, k.max(1));
        let xb = vae.batch(x);
        let mut log_w = vec![Vec::with_capacity(k); rows];
        let mut done = 0;
        while done < k {
            let l = chunk.min(k - done);
            // The sample index joins the seed so that every chunk draws new noise.
            let noise = Noise::draw(
                mix(seed.wrapping_add(done as u64)),
                u64::MAX - 1,
                offset + first,
                rows,
                l,
                c.family,
                c.latent,
                c.latent2,
            );
            let lw = importance_log_weights(&vae.arch, &vae.weights(), &xb, &vae.eps(&noise));
            let lw = crate::params::to_host(&lw);
            for s in 0..l {
                for (b, w) in log_w.iter_mut().enumerate() {
                    w.push(lw[s * rows + b] as f64);
                }
            }
            done += l;
        }
        all.extend(log_w.iter().map(|w| log_mean_exp_with_se(w)));
    }
    all
}

/// Mean importance-sampled log-likelihood over `data`.
pub fn log_likelihood<D: Device<f32>>(vae: &Vae<D>, data: &[f32], k: usize, seed: u64) -> f64 {
    let v = log_likelihood_per_datum(vae, data, 0, k, seed);
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Images per unit of work of `log_likelihood_parallel`: one batch of
/// `log_likelihood_per_datum`, so each image is evaluated beside the same others however
/// many threads share the work, and the figures are the same bit for bit.
pub const PARALLEL_CHUNK: usize = 100;

/// `importance_sampled_per_datum` of every image of `data` (`first` = 0) on `threads` threads,
/// each with its own device from `make_dev` and its own copy of the model (`arch`,
/// `params`); the threads take chunks of `PARALLEL_CHUNK` images in turn, and `progress`
/// hears the number of images of each finished chunk. Noise is keyed by image index, so
/// the result does not depend on `threads`.
#[allow(clippy::too_many_arguments)]
pub fn log_likelihood_parallel<D, F, P>(
    arch: &Architecture,
    params: &[f32],
    data: &[f32],
    k: usize,
    seed: u64,
    threads: usize,
    make_dev: F,
    progress: P,
) -> Vec<IsEstimate>
where
    D: Device<f32>,
    F: Fn() -> D + Sync,
    P: Fn(usize) + Sync,
{
    let dim = arch.config.input_dim;
    let n = data.len() / dim;
    let chunks = n.div_ceil(PARALLEL_CHUNK);
    let next = AtomicUsize::new(0);
    let work = || {
        let vae = Vae::from_params(arch.clone(), params.to_vec(), make_dev());
        let mut done = Vec::new();
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                return done;
            }
            let (from, to) = (c * PARALLEL_CHUNK, ((c + 1) * PARALLEL_CHUNK).min(n));
            let v = importance_sampled_per_datum(&vae, &data[from * dim..to * dim], from, k, seed);
            progress(to - from);
            done.push((c, v));
        }
    };
    let mut parts: Vec<(usize, Vec<IsEstimate>)> = if threads <= 1 {
        work()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads.min(chunks.max(1))).map(|_| s.spawn(work)).collect();
            handles.into_iter().flat_map(|h| h.join().expect("an evaluation thread panicked")).collect()
        })
    };
    parts.sort_by_key(|p| p.0);
    parts.into_iter().flat_map(|p| p.1).collect()
}
