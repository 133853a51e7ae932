//! Held-out evaluation: the parallel importance-sampled log-likelihood equals the serial one
//! whatever the thread count, its standard error follows the textbook formula, and on a
//! trained model the estimate is not below the ELBO by more than its standard error.

use vae_core::config::*;
use vae_core::data::{Binarization, Dataset};
use vae_core::eval::{
    elbo_per_datum, importance_sampled_per_datum, log_likelihood_parallel, log_likelihood_per_datum,
    log_mean_exp_with_se, mean_and_se, mean_mc_se,
};
use vae_core::train::Trainer;

/// A small model trained a few epochs on synthetic binary images, so that q is not the
/// random encoder's; and its data.
fn trained() -> (Trainer<dfdx::tensor::Cpu>, Dataset) {
    let (n, dim) = (260, 16);
    let images = (0..n * dim).map(|i| (((i / dim) % 4 == i % 4) || i % 7 == 0) as u8 * 255).collect();
    let data = Dataset { images, labels: vec![0; n], rows: 1, cols: dim };
    let cfg = ModelConfig { input_dim: dim, hidden: vec![12], latent: 3, ..ModelConfig::default() };
    let tc = TrainConfig { batch_size: 20, lr: 3e-3, ..TrainConfig::default() };
    let mut t = Trainer::fresh(cfg, Init::Glorot, tc, Binarization::Dynamic, &data, vae_core::cpu()).unwrap();
    for _ in 0..15 {
        t.train_epoch(&data, |_| {}).unwrap();
    }
    (t, data)
}

#[test]
fn monte_carlo_error_of_log_mean_exp_is_the_weights_relative_error() {
    // w = 1, 2, 3, 4: mean 2.5, sample variance 5/3, so se = sqrt(5/3 / 4) / 2.5.
    let lw: Vec<f64> = [1.0f64, 2.0, 3.0, 4.0].iter().map(|w| w.ln()).collect();
    let e = log_mean_exp_with_se(&lw);
    assert!((e.log_px - 2.5f64.ln()).abs() < 1e-12);
    assert!((e.mc_se - (5.0f64 / 3.0 / 4.0).sqrt() / 2.5).abs() < 1e-12);
    // Shifting every log-weight by a constant moves the estimate, not its error.
    let shifted: Vec<f64> = lw.iter().map(|l| l - 700.0).collect();
    assert!((log_mean_exp_with_se(&shifted).mc_se - e.mc_se).abs() < 1e-12);
    assert_eq!(log_mean_exp_with_se(&[0.3]).mc_se, 0.0);
    assert!((mean_mc_se([3.0, 4.0]) - 2.5).abs() < 1e-15);
}

#[test]
fn importance_sampled_log_likelihood_is_not_below_the_elbo_by_more_than_its_monte_carlo_error() {
    let (t, data) = trained();
    let pixels = data.pixels();
    let dim = data.dim();
    // The error it reports is the spread it has: the same 5 images, 200 seeds, K = 64.
    let x = &pixels[..5 * dim];
    let runs: Vec<Vec<_>> = (0..200).map(|s| importance_sampled_per_datum(&t.vae, x, 0, 64, 100 + s)).collect();
    for i in 0..5 {
        let (_, se_of_mean) = mean_and_se(&runs.iter().map(|r| r[i].log_px).collect::<Vec<_>>());
        let spread = se_of_mean * (runs.len() as f64).sqrt();
        let reported = runs.iter().map(|r| r[i].mc_se).sum::<f64>() / runs.len() as f64;
        eprintln!("image {i}: spread over seeds {spread:.4}, reported Monte Carlo error {reported:.4}");
        assert!(reported > 0.0 && (0.7..1.4).contains(&(reported / spread)), "image {i}: {reported} vs {spread}");
    }
    // Burda et al. (2016), Theorem 1: E[log p_K] >= ELBO. Against an ELBO with 1000 draws
    // (its own noise negligible), the estimate may fall below only by its error.
    let is = importance_sampled_per_datum(&t.vae, &pixels, 0, 64, 5);
    let elbo = elbo_per_datum(&t.vae, &pixels, 1000, 5);
    let n = elbo.len() as f64;
    let (l, e) = (is.iter().map(|v| v.log_px).sum::<f64>() / n, elbo.iter().sum::<f64>() / n);
    let mc = mean_mc_se(is.iter().map(|v| v.mc_se));
    eprintln!("log p(x) {l:.4} (Monte Carlo error {mc:.4}), ELBO {e:.4}");
    assert!(mc > 0.0 && l >= e - mc, "log p(x) {l} with Monte Carlo error {mc}, ELBO {e}");
}

#[test]
fn standard_error_is_the_sample_sd_over_root_n() {
    // mean 2.5, sample variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
    let (m, se) = mean_and_se(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(m, 2.5);
    assert!((se - (5.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15);
    assert_eq!(mean_and_se(&[7.0]), (7.0, 0.0));
}

#[test]
fn parallel_log_likelihood_does_not_depend_on_threads_and_lies_above_the_elbo() {
    let (t, data) = trained();
    let (arch, params) = (&t.vae.arch, t.vae.params());
    let pixels = data.pixels();
    let serial = log_likelihood_per_datum(&t.vae, &pixels, 0, 64, 5);
    for threads in [1, 3] {
        let got = log_likelihood_parallel(arch, &params, &pixels, 64, 5, threads, vae_core::cpu, |_| {});
        assert_eq!(got.iter().map(|e| e.log_px).collect::<Vec<_>>(), serial, "{threads} threads");
    }
    let elbo = elbo_per_datum(&t.vae, &pixels, 1, 5);
    let gap: Vec<f64> = serial.iter().zip(&elbo).map(|(l, e)| l - e).collect();
    let (g, se) = mean_and_se(&gap);
    assert!(se > 0.0 && se.is_finite());
    // Burda et al. Theorem 1: IS(64) >= ELBO in expectation; the test-set average may fall
    // below by chance, by about its standard error, not more.
    eprintln!("log p(x) - ELBO = {g:.4} +- {se:.4}");
    assert!(g >= -se, "gap {g} with standard error {se}");
}
