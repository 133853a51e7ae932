//! The estimator lab's four gradient estimators against each other and against central
//! finite differences of the f64 reference's exact ELBO (E_q[log p(x|z)] by quadrature over
//! eps, the KL in closed form), on a tiny model.
mod common;

use common::reference::Reference;
use common::*;
use vae_core::config::*;
use vae_core::inference::estimators::GradientEstimator;
use vae_core::inference::variance::variance_at;

/// The parameters of the encoder (trunk and q's heads), found by their layer names.
fn phi(vae: &vae_core::Vae<Dev>) -> Vec<usize> {
    let slots = vae.arch.layout.slots.iter().filter(|s| s.name.starts_with("encoder."));
    slots.flat_map(|s| s.weight_range().chain(s.bias_range())).collect()
}

/// The ELBO of datum `x` with q Gaussian of latent 2: a product midpoint rule over eps in
/// [-7, 7]^2 (weights the normal density, normalised), minus 1/2 sum(e^lv + mu^2 - 1 - lv).
fn exact_elbo(r: &Reference, x: &[f64]) -> f64 {
    let (mu, lv, _) = r.encode(x);
    let n = 70;
    let h = 14.0 / n as f64;
    let (mut acc, mut total) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let e = [-7.0 + (i as f64 + 0.5) * h, -7.0 + (j as f64 + 0.5) * h];
            let w = (-0.5 * (e[0] * e[0] + e[1] * e[1])).exp();
            let z: Vec<f64> = (0..2).map(|d| mu[d] + (0.5 * lv[d]).exp() * e[d]).collect();
            acc += w * r.log_px(&z, x);
            total += w;
        }
    }
    let kl: f64 = (0..2).map(|d| 0.5 * (lv[d].exp() + mu[d] * mu[d] - 1.0 - lv[d])).sum();
    acc / total - kl
}

#[test]
fn the_four_estimators_are_unbiased_for_the_same_gradient() {
    let cfg = tiny_config(2, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
    let vae = tiny_vae(cfg.clone(), 3);
    let x = tiny_data(&cfg, 1);
    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let params = vae.params();
    let phi = phi(&vae);
    let hstep = 1e-5;
    let fd: Vec<f64> = phi
        .iter()
        .map(|&j| {
            let at = |d: f64| {
                let mut r = Reference::new(&vae.arch, &params);
                r.p[j] += d;
                exact_elbo(&r, &xd)
            };
            (at(hstep) - at(-hstep)) / (2.0 * hstep)
        })
        .collect();
    for (l, reps) in [(1, 6000), (4, 3000)] {
        let stats = variance_at(&vae, &x, l, reps, 11).unwrap();
        assert_eq!(stats.len(), 4);
        for s in &stats {
            assert_eq!(s.mean_gradient.len(), phi.len());
            for (p, (&m, &v)) in s.mean_gradient.iter().zip(&s.param_variance).enumerate() {
                let se = (v / reps as f64).sqrt();
                let want = fd[p];
                assert!(
                    (m - want).abs() <= 5.0 * se + 1e-3 * (1.0 + want.abs()),
                    "{:?}, L = {l}: d/dphi_{p} mean {m} vs finite differences {want} (se {se})",
                    s.estimator
                );
            }
        }
        let var = |e: GradientEstimator| stats.iter().find(|s| s.estimator == e).unwrap().mean_param_variance;
        let (b, a, sf, sfb) = (
            var(GradientEstimator::SgvbB),
            var(GradientEstimator::SgvbA),
            var(GradientEstimator::Score),
            var(GradientEstimator::ScoreBaseline),
        );
        eprintln!("L = {l}: variance B {b:.3e}, A {a:.3e}, score {sf:.3e}, score + baseline {sfb:.3e}");
        assert!(sf > b && sf > a, "L = {l}: the score function's variance {sf} is not above B's {b} and A's {a}");
        assert!(sfb < sf, "L = {l}: the baseline did not reduce the variance ({sfb} vs {sf})");
    }
}

#[test]
fn variance_shrinks_like_one_over_l_and_two_layers_are_refused() {
    let cfg = tiny_config(2, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
    let vae = tiny_vae(cfg.clone(), 4);
    let x = tiny_data(&cfg, 2);
    let one = variance_at(&vae, &x, 1, 400, 2).unwrap();
    let many = variance_at(&vae, &x, 16, 400, 2).unwrap();
    for (a, b) in one.iter().zip(&many) {
        // L i.i.d. samples divide each estimator's variance by L (16 here); the baseline's
        // leave-one-out mean changes with L, so it may fall faster. Wide bounds: 400
        // repetitions estimate a variance to ~10%.
        let ratio = a.mean_param_variance / b.mean_param_variance;
        assert!(ratio > 8.0, "{:?}: variance at L = 1 over L = 16 is {ratio}", a.estimator);
    }
    let cfg2 = tiny_config(2, Some(2), Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
    let err = variance_at(&tiny_vae(cfg2.clone(), 1), &tiny_data(&cfg2, 1), 1, 10, 1).unwrap_err();
    assert!(err.contains("one-stochastic-layer"), "{err}");
}
