//! Imputation of missing pixels (Rezende et al. 2014, section 6.3): a Markov chain that
//! encodes the current guess, samples z from q(z|x), decodes, and writes the decoder's
//! means into the missing pixels only; observed pixels are kept as they are.
//!
//! What is returned is not a chain's last state but the average of the decoder's means
//! over the last iterations of several independent chains: after burn-in each iteration's z
//! is a draw from the chain's stationary distribution, which Rezende et al. show
//! approximates p(z | x_obs), so the average of E[x_miss | z] over the draws is a Monte Carlo
//! estimate of E[x_miss | x_obs], the guess with the least expected squared error (one draw
//! adds the posterior's whole variance to it). Several chains, because one mixes slowly: a
//! chain can complete an erased half as another digit for hundreds of iterations (measured
//! on the page's example 2), and chains started apart cover the modes a single one visits
//! in turn. They run as the rows of one batch, so C chains cost about one.
use crate::family::reparameterize;
use crate::noise::Noise;
use crate::vae::Vae;
use dfdx::prelude::*;

/// `observed[i]` says whether pixel i of `x` is known. Missing pixels start at 0.5 (no
/// information); `chains` chains (chain c draws its noise as row c of a batch) run
/// `iterations` times, and each missing pixel of the result is the mean of the decoder's
/// means over the last `averaged` iterations of every chain (one chain, `averaged` 1: the
/// chain's last state; `averaged` is clamped to 1..=iterations). Observed pixels are `x`'s,
/// exactly.
pub fn impute<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    observed: &[bool],
    chains: usize,
    iterations: usize,
    averaged: usize,
    seed: u64,
) -> Vec<f32> {
    let c = vae.config();
    let d = c.input_dim;
    let chains = chains.max(1);
    let averaged = averaged.clamp(1, iterations.max(1));
    let start: Vec<f32> = x[..d].iter().zip(observed).map(|(&v, &o)| if o { v } else { 0.5 }).collect();
    if iterations == 0 {
        return start;
    }
    let mut cur = start.repeat(chains);
    // Sums in f64: up to 1000 iterations times the chains, each term below 1.
    let mut sum = vec![0.0f64; d];
    let w = vae.weights();
    for it in 0..iterations {
        let post = vae.arch.encode(&w, vae.batch(&cur));
        let noise = Noise::draw(seed, it as u64, 0, chains, 1, c.family, c.latent, c.latent2);
        let z = reparameterize(post.q1.mu, post.q1.lv, vae.eps(&noise).eps1);
        let mean = vae.arch.decode_mean(&w, z).as_vec();
        let keep = it + averaged >= iterations;
        for (row, m) in cur.chunks_exact_mut(d).zip(mean.chunks_exact(d)) {
            for i in 0..d {
                if !observed[i] {
                    row[i] = m[i];
                    if keep {
                        sum[i] += m[i] as f64;
                    }
                }
            }
        }
    }
    let n = (averaged * chains) as f64;
    (0..d).map(|i| if observed[i] { x[i] } else { (sum[i] / n) as f32 }).collect()
}
