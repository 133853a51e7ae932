//! Imputation (Rezende et al. 2014, section 6.3) against the f64 reference: the chains run
//! by hand with plain loops on the same noise, and the average of their last decoder means.
mod common;

use common::reference::Reference;
use common::*;
use vae_core::config::{Activation, DecoderKind, Family};
use vae_core::impute::impute;
use vae_core::noise::Noise;

/// The chains in f64, one after the other: encode the guess, z = mu + sigma eps (chain c's
/// eps of iteration `it` is row c of that iteration's noise, as the core draws it), decode,
/// write the means into the missing pixels; the mean over the last `averaged` iterations of
/// every chain.
fn reference_chains(
    r: &Reference,
    x: &[f32],
    observed: &[bool],
    chains: usize,
    iterations: usize,
    averaged: usize,
    seed: u64,
) -> Vec<f64> {
    let c = &r.arch.config;
    let mut sum = vec![0.0; x.len()];
    for chain in 0..chains {
        let mut cur: Vec<f64> = x.iter().zip(observed).map(|(&v, &o)| if o { v as f64 } else { 0.5 }).collect();
        for it in 0..iterations {
            let (mu, lv, _) = r.encode(&cur);
            let noise = Noise::draw(seed, it as u64, 0, chains, 1, c.family, c.latent, None);
            let eps = &noise.eps1[chain * c.latent..(chain + 1) * c.latent];
            let z: Vec<f64> = (0..c.latent).map(|j| mu[j] + (0.5 * lv[j]).exp() * eps[j] as f64).collect();
            let mean = r.decode_mean(&z);
            for i in 0..x.len() {
                if !observed[i] {
                    cur[i] = mean[i];
                    if it >= iterations - averaged {
                        sum[i] += mean[i];
                    }
                }
            }
        }
    }
    (0..x.len()).map(|i| if observed[i] { x[i] as f64 } else { sum[i] / (averaged * chains) as f64 }).collect()
}

#[test]
fn imputation_is_the_average_of_the_chains_last_decoder_means() {
    for decoder in [DecoderKind::Bernoulli, DecoderKind::Gaussian] {
        let cfg = tiny_config(2, None, Family::Gaussian, decoder, Activation::Tanh);
        let vae = tiny_vae(cfg.clone(), 3);
        let r = Reference::new(&vae.arch, &vae.params());
        let x = tiny_data(&cfg, 1);
        let observed = [true, false, true, false, false, true];
        for (chains, iterations, averaged) in [(1, 12, 6), (1, 12, 1), (3, 12, 6), (4, 5, 5)] {
            let got = impute(&vae, &x, &observed, chains, iterations, averaged, 9);
            let want = reference_chains(&r, &x, &observed, chains, iterations, averaged, 9);
            for i in 0..6 {
                let what = format!("{decoder:?} C={chains} T={iterations} A={averaged} pixel {i}");
                if observed[i] {
                    assert_eq!(got[i], x[i], "{what}: observed pixel changed");
                } else {
                    assert_close(got[i] as f64, want[i], 1e-5, 1e-6, &what);
                }
            }
        }
        // The average is not one chain's last state.
        let (avg, last) = (impute(&vae, &x, &observed, 3, 12, 6, 9), impute(&vae, &x, &observed, 1, 12, 1, 9));
        assert!(avg.iter().zip(&last).any(|(a, b)| (a - b).abs() > 1e-4), "{avg:?} vs {last:?}");
    }
}
