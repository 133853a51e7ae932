//! The host fast path (vae_core::host) against the dfdx path, the f64 reference and
//! finite differences of the reference; its fast exp/log against f64.
// The references index by loop variable, as the equations do.
#![allow(clippy::needless_range_loop)]
mod common;

use common::reference::Reference;
use common::*;
use vae_core::config::*;
use vae_core::host::{self, fastmath, Workspace};
use vae_core::noise::Noise;

fn configs() -> Vec<ModelConfig> {
    let mut v = Vec::new();
    for decoder in [DecoderKind::Bernoulli, DecoderKind::Gaussian] {
        for activation in [Activation::Relu, Activation::Tanh] {
            v.push(tiny_config(3, None, Family::Gaussian, decoder, activation));
        }
    }
    // Two hidden layers (the IWAE paper's shape, in small).
    v.push(ModelConfig {
        hidden: vec![5, 4],
        ..tiny_config(2, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh)
    });
    v
}

#[test]
fn supports_exactly_the_one_layer_gaussian_models() {
    let arch = |c| vae_core::model::Architecture::new(c).unwrap();
    assert!(host::supports(
        &arch(tiny_config(3, None, Family::Gaussian, DecoderKind::Gaussian, Activation::Relu)),
        Estimator::Iwae
    ));
    assert!(!host::supports(
        &arch(tiny_config(3, None, Family::Laplace, DecoderKind::Bernoulli, Activation::Relu)),
        Estimator::B
    ));
    assert!(!host::supports(
        &arch(tiny_config(3, Some(2), Family::Gaussian, DecoderKind::Bernoulli, Activation::Relu)),
        Estimator::B
    ));
}

/// The host path's bound sum and gradient against the dfdx path's, within f32 rounding
/// (relative to the gradient's largest entry).
fn assert_equals_dfdx(bound_sum: f32, grad: &[f32], want: &vae_core::vae::Gradient, what: &str) {
    assert_close(bound_sum as f64, want.bound_sum as f64, 1e-5, 1e-4, &format!("bound, {what}"));
    let scale = want.grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    for (j, (a, b)) in grad.iter().zip(&want.grad).enumerate() {
        assert!((a - b).abs() <= 1e-5 * scale + 1e-5 * b.abs(), "d/dparam {j}: host {a} vs dfdx {b} ({what})");
    }
}

#[test]
fn bound_and_gradient_equal_the_dfdx_path() {
    let mut ws = Workspace::default();
    for (i, cfg) in configs().into_iter().enumerate() {
        let vae = tiny_vae(cfg.clone(), 40 + i as u64);
        let params = vae.params();
        for (rows, samples) in [(4, 1), (5, 3)] {
            let x = tiny_data(&cfg, rows);
            let noise = Noise::draw(9, i as u64, 0, rows, samples, cfg.family, cfg.latent, None);
            for est in [Estimator::A, Estimator::B, Estimator::Iwae] {
                let want = vae.gradient(&x, &noise, est);
                let mut grad = vec![f32::NAN; params.len()];
                let got = host::gradient(&vae.arch, &params, &x, &noise, est, 1.0, &mut grad, &mut ws);
                let what = format!("{est:?} L={samples} {cfg:?}");
                assert_equals_dfdx(got, &grad, &want, &what);
            }
        }
    }
}

#[test]
fn annealed_gradient_equals_the_dfdx_path() {
    // KL warm-up: the objective's KL part weighted by beta; the reported sum is the bound's.
    let mut ws = Workspace::default();
    for (i, cfg) in configs().into_iter().enumerate() {
        let vae = tiny_vae(cfg.clone(), 90 + i as u64);
        let params = vae.params();
        let x = tiny_data(&cfg, 5);
        let noise = Noise::draw(2, 3, 0, 5, 2, cfg.family, cfg.latent, None);
        for est in [Estimator::A, Estimator::B] {
            for beta in [0.0, 0.3] {
                let want = vae.gradient_annealed(&x, &noise, est, beta);
                let mut grad = vec![f32::NAN; params.len()];
                let got = host::gradient(&vae.arch, &params, &x, &noise, est, beta, &mut grad, &mut ws);
                let what = format!("{est:?} beta {beta} {cfg:?}");
                assert_equals_dfdx(got, &grad, &want, &what);
            }
        }
    }
}

#[test]
fn gradient_matches_finite_differences_of_the_reference() {
    let h = 1e-6;
    let mut ws = Workspace::default();
    for (i, cfg) in configs().into_iter().enumerate().filter(|(_, c)| c.activation == Activation::Tanh) {
        let vae = tiny_vae(cfg.clone(), 70 + i as u64);
        let params = vae.params();
        let x = tiny_data(&cfg, 2);
        let noise = Noise::draw(4, 1, 0, 2, 2, cfg.family, cfg.latent, None);
        for est in [Estimator::A, Estimator::B, Estimator::Iwae] {
            let mut grad = vec![0.0; params.len()];
            host::gradient(&vae.arch, &params, &x, &noise, est, 1.0, &mut grad, &mut ws);
            let total = |delta: (usize, f64)| -> f64 {
                let mut r = Reference::new(&vae.arch, &params);
                r.p[delta.0] += delta.1;
                (0..2).map(|b| reference_bound(&r, &x, cfg.input_dim, &noise, b, est)).sum()
            };
            for j in 0..params.len() {
                let fd = (total((j, h)) - total((j, -h))) / (2.0 * h);
                assert_close(-grad[j] as f64, fd, 2e-3, 2e-3, &format!("{est:?} d/dparam {j} of {cfg:?}"));
            }
        }
    }
}

/// The reference's bound for datum b (as in estimators.rs).
fn reference_bound(r: &Reference, x: &[f32], dim: usize, noise: &Noise, b: usize, est: Estimator) -> f64 {
    let xb: Vec<f64> = x[b * dim..(b + 1) * dim].iter().map(|&v| v as f64).collect();
    let draws: Vec<Vec<f64>> = (0..noise.samples).map(|s| eps_of(noise, s, b).0).collect();
    match est {
        Estimator::B => r.sgvb_b(&xb, &draws, None),
        _ => {
            let lw: Vec<f64> = draws.iter().map(|e| r.log_weight(&xb, e, None)).collect();
            match est {
                Estimator::A => lw.iter().sum::<f64>() / lw.len() as f64,
                _ => vae_core::eval::logsumexp(&lw) - (lw.len() as f64).ln(),
            }
        }
    }
}

#[test]
fn fast_math_is_accurate() {
    let mut worst = [0.0f64; 4];
    for i in 0..=200_000 {
        // Compared at the f32 argument: rounding x itself would move e^x by up to 4e-6.
        let x = (-87.0 + 175.0 * i as f64 / 200_000.0) as f32 as f64;
        let e = fastmath::exp(x as f32) as f64;
        worst[0] = worst[0].max((e - x.exp()).abs() / x.exp());
        let y = (-20.0 + 40.0 * i as f64 / 200_000.0) as f32 as f64;
        let (sp, sig) = fastmath::softplus_sigmoid(y as f32);
        let sp_true = y.max(0.0) + (-y.abs()).exp().ln_1p();
        worst[1] = worst[1].max((sp as f64 - sp_true).abs() / sp_true.max(1.0));
        worst[2] = worst[2].max((sig as f64 - 1.0 / (1.0 + (-y).exp())).abs());
        let t = (-10.0 + 20.0 * i as f64 / 200_000.0) as f32 as f64;
        worst[3] = worst[3].max((fastmath::tanh(t as f32) as f64 - t.tanh()).abs() / t.tanh().abs().max(1e-3));
    }
    // Relative error of exp, of softplus (absolute below 1), absolute of sigmoid, and
    // relative of tanh: all within a few f32 ulp.
    assert!(worst.iter().all(|&w| w < 1e-6), "exp, softplus, sigmoid, tanh errors: {worst:?}");
}
