//! Held-out evaluation: the parallel importance-sampled log-likelihood equals the serial one
//! whatever the thread count, its standard error follows the textbook formula, and on a
//! trained model the estimate is not below the ELBO by more than its standard error.

use vae_core::config::*;
use vae_core::data::{Binarization, Dataset};
use vae_core::eval::{elbo_per_datum, log_likelihood_parallel, log_likelihood_per_datum, mean_and_se};
use vae_core::train::Trainer;

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
    // A small model trained a few epochs on synthetic binary images, so that q is not the
    // random encoder's.
    let (n, dim) = (260, 16);
    let images = (0..n * dim).map(|i| (((i / dim) % 4 == i % 4) || i % 7 == 0) as u8 * 255).collect();
    let data = Dataset { images, labels: vec![0; n], rows: 1, cols: dim };
    let cfg = ModelConfig { input_dim: dim, hidden: vec![12], latent: 3, ..ModelConfig::default() };
    let tc = TrainConfig { batch_size: 20, lr: 3e-3, ..TrainConfig::default() };
    let mut t = Trainer::fresh(cfg, Init::Glorot, tc, Binarization::Dynamic, &data, vae_core::cpu()).unwrap();
    for _ in 0..15 {
        t.train_epoch(&data, |_| {}).unwrap();
    }
    let (arch, params) = (&t.vae.arch, t.vae.params());
    let pixels = data.pixels();
    let serial = log_likelihood_per_datum(&t.vae, &pixels, 0, 64, 5);
    for threads in [1, 3] {
        let got = log_likelihood_parallel(arch, &params, &pixels, 64, 5, threads, vae_core::cpu, |_| {});
        assert_eq!(got, serial, "{threads} threads");
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
