//! Shared helpers of the integration tests.
#![allow(dead_code)]
pub mod reference;

use vae_core::config::*;
use vae_core::noise::Noise;
use vae_core::Vae;

pub type Dev = dfdx::tensor::Cpu;

/// A test that needs the fetched data set and did not find it: a note and a skip, or, with
/// VAE_REQUIRE_DATA=1 (CI, which fetches the data first), a failure, so that such a test
/// can never pass by skipping there.
pub fn skip_without_data(what: &str) {
    let note = format!("{what} absent; run npm run fetch-data");
    assert!(std::env::var("VAE_REQUIRE_DATA").as_deref() != Ok("1"), "VAE_REQUIRE_DATA=1: {note}");
    eprintln!("skipping: {note}");
}

/// A tiny model: few enough parameters for finite differences over all of them.
pub fn tiny_config(
    latent: usize,
    latent2: Option<usize>,
    family: Family,
    decoder: DecoderKind,
    activation: Activation,
) -> ModelConfig {
    ModelConfig { input_dim: 6, hidden: vec![5], latent, latent2, hidden2: None, activation, family, decoder }
}

/// A tiny two-layer model whose q conditions z2 on z1 (`hidden2`, Burda et al.'s form).
pub fn tiny_config_z2_given_z1(latent: usize, latent2: usize, family: Family, decoder: DecoderKind) -> ModelConfig {
    ModelConfig { hidden2: Some(vec![3]), ..tiny_config(latent, Some(latent2), family, decoder, Activation::Tanh) }
}

/// A tiny model with weights large enough that the bound depends on them visibly.
pub fn tiny_vae(cfg: ModelConfig, seed: u64) -> Vae<Dev> {
    Vae::new(cfg, Init::Glorot, seed, vae_core::cpu()).unwrap()
}

/// Four data rows of `dim` values: binary for Bernoulli, in (0, 1) for Gaussian.
/// Intensities in [0, 1] as a data set's stored bytes.
pub fn stored_bytes(pixels: &[f32]) -> Vec<u8> {
    pixels.iter().map(|&p| (p * 255.0).round() as u8).collect()
}

pub fn tiny_data(cfg: &ModelConfig, rows: usize) -> Vec<f32> {
    (0..rows * cfg.input_dim)
        .map(|i| match cfg.decoder {
            DecoderKind::Bernoulli => ((i * 7 + 3) % 5 < 2) as u8 as f32,
            DecoderKind::Gaussian => 0.1 + 0.8 * (((i * 37 + 11) % 17) as f32 / 16.0),
        })
        .collect()
}

/// eps of sample `s` for datum `b` (z1 and, for two layers, z2) as f64.
pub fn eps_of(noise: &Noise, s: usize, b: usize) -> (Vec<f64>, Option<Vec<f64>>) {
    let row = s * noise.batch + b;
    let e1 = noise.eps1[row * noise.latent..(row + 1) * noise.latent].iter().map(|&v| v as f64).collect();
    let e2 = noise.eps2.as_ref().map(|e| {
        let k = noise.latent2.unwrap();
        e[row * k..(row + 1) * k].iter().map(|&v| v as f64).collect()
    });
    (e1, e2)
}

pub fn all_families() -> [Family; 3] {
    [Family::Gaussian, Family::Laplace, Family::Logistic]
}

pub fn assert_close(a: f64, b: f64, rel: f64, abs: f64, what: &str) {
    assert!((a - b).abs() <= abs + rel * b.abs(), "{what}: {a} vs {b} (diff {})", (a - b).abs());
}
