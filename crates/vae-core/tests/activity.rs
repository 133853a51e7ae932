//! The ELBO's two terms, KL per latent dimension and the active units against a direct
//! computation with the f64 reference (KL by quadrature, the activity by its definition).
mod common;

use common::reference::{kl_numeric, Reference};
use common::*;
use vae_core::config::*;
use vae_core::inference::activity::{elbo_terms, latent_activity, ACTIVE_THRESHOLD};
use vae_core::noise::Noise;

#[test]
fn kl_per_dimension_and_active_units_match_a_direct_computation() {
    for family in all_families() {
        let cfg = tiny_config(4, None, family, DecoderKind::Bernoulli, Activation::Tanh);
        let mut vae = tiny_vae(cfg.clone(), 9);
        // Dimension 3's mean ignores x (its weights zeroed): an inactive unit by construction.
        let mut p = vae.params();
        let slot = vae.arch.layout.slots.iter().find(|s| s.name == "encoder.mu").unwrap().clone();
        for i in 0..slot.inputs {
            p[slot.weight_range().start + i * slot.outputs + 3] = 0.0;
        }
        vae.set_params(&p);
        let n = 50;
        let x = tiny_data(&cfg, n);
        let got = latent_activity(&vae, &x);
        let r = Reference::new(&vae.arch, &vae.params());
        let q: Vec<_> =
            (0..n).map(|b| r.encode(&x[b * 6..(b + 1) * 6].iter().map(|&v| v as f64).collect::<Vec<_>>())).collect();
        let kl = got.kl_per_dim.as_ref().expect("one layer has a KL per dimension");
        for d in 0..4 {
            let want_kl =
                q.iter().map(|(mu, lv, _)| kl_numeric(family, mu[d], lv[d], 0.0, 0.0)).sum::<f64>() / n as f64;
            assert_close(kl[d], want_kl, 1e-4, 1e-5, &format!("{family:?} KL of dimension {d}"));
            let mean = q.iter().map(|(mu, _, _)| mu[d]).sum::<f64>() / n as f64;
            let var = q.iter().map(|(mu, _, _)| (mu[d] - mean).powi(2)).sum::<f64>() / n as f64;
            assert_close(got.activity[d], var, 1e-4, 1e-7, &format!("{family:?} activity of dimension {d}"));
        }
        assert!(got.activity[3] < 1e-10, "a mean that ignores x is inactive: {}", got.activity[3]);
        let want_au = (0..4).filter(|&d| got.activity[d] > ACTIVE_THRESHOLD).count();
        assert_eq!(got.active_units, want_au);
        assert!(got.active_units < 4);
    }
}

#[test]
fn the_elbo_terms_match_the_reference_and_add_up_to_the_test_elbo() {
    for cfg in [
        tiny_config(3, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh),
        tiny_config(2, Some(2), Family::Laplace, DecoderKind::Gaussian, Activation::Tanh),
        tiny_config_z2_given_z1(2, 2, Family::Gaussian, DecoderKind::Bernoulli),
    ] {
        let vae = tiny_vae(cfg.clone(), 12);
        let (n, l, seed) = (5, 3, 4);
        let x = tiny_data(&cfg, n);
        let got = elbo_terms(&vae, &x, l, seed);
        // The noise eval::elbo draws: (seed, step u64::MAX, row).
        let noise = Noise::draw(seed, u64::MAX, 0, n, l, cfg.family, cfg.latent, cfg.latent2);
        let r = Reference::new(&vae.arch, &vae.params());
        let (mut rec, mut kl) = (0.0, 0.0);
        for b in 0..n {
            let draws: Vec<_> = (0..l).map(|s| eps_of(&noise, s, b)).collect();
            let e1: Vec<Vec<f64>> = draws.iter().map(|d| d.0.clone()).collect();
            let e2: Option<Vec<Vec<f64>>> = draws.iter().map(|d| d.1.clone()).collect();
            let xd: Vec<f64> = x[b * 6..(b + 1) * 6].iter().map(|&v| v as f64).collect();
            let (r_b, k_b) = r.sgvb_b_terms(&xd, &e1, e2.as_deref());
            rec += r_b / n as f64;
            kl += k_b / n as f64;
        }
        assert_close(got.reconstruction, rec, 1e-4, 1e-3, &format!("reconstruction term of {cfg:?}"));
        assert_close(got.kl, kl, 1e-4, 1e-3, &format!("KL term of {cfg:?}"));
        let elbo = vae_core::eval::elbo(&vae, &x, l, seed);
        assert_close(got.elbo, elbo, 1e-5, 1e-4, &format!("terms vs eval::elbo of {cfg:?}"));
    }
}
