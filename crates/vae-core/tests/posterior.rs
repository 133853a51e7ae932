//! The posterior map against closed forms and brute force: a linear-Gaussian model, whose
//! posterior p(z|x) and evidence p(x) are Gaussian in closed form, and a tiny VAE against
//! the f64 reference implementation on a fine grid.
mod common;

use common::reference::{log_normal, Reference};
use common::*;
use vae_core::config::*;
use vae_core::eval::logsumexp;
use vae_core::inference::density::DiagQ;
use vae_core::inference::likelihood::Likelihood;
use vae_core::inference::posterior::{
    bound_for, bound_of, posterior_map, posterior_map_with, posterior_of, posterior_with_refined, PosteriorOptions,
};

/// p(z) = N(0, I), p(x|z) = N(x; W z + b, s2 I): x of 3 dimensions, z of `k`.
struct LinearGaussian {
    w: Vec<Vec<f64>>, // 3 x k
    b: [f64; 3],
    s2: f64,
    x: [f64; 3],
}

impl Likelihood for LinearGaussian {
    fn latent(&self) -> usize {
        self.w[0].len()
    }
    fn log_likelihood(&self, z: &[f32]) -> Vec<f64> {
        let k = self.latent();
        z.chunks_exact(k)
            .map(|z| {
                (0..3)
                    .map(|i| {
                        let mean = self.b[i] + (0..k).map(|d| self.w[i][d] * z[d] as f64).sum::<f64>();
                        log_normal(self.x[i], mean, self.s2.ln())
                    })
                    .sum()
            })
            .collect()
    }
}

/// Small dense linear algebra for the closed forms: Gauss-Jordan inverse and determinant.
fn inverse_det(a: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64) {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a.to_vec();
    let mut inv: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect()).collect();
    let mut det = 1.0;
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs())).unwrap();
        if p != c {
            m.swap(p, c);
            inv.swap(p, c);
            det = -det;
        }
        let d = m[c][c];
        det *= d;
        for j in 0..n {
            m[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in (0..n).filter(|&r| r != c) {
            let f = m[r][c];
            for j in 0..n {
                m[r][j] -= f * m[c][j];
                inv[r][j] -= f * inv[c][j];
            }
        }
    }
    (inv, det)
}

impl LinearGaussian {
    /// Posterior precision I + W^T W / s2, covariance, and mean S W^T (x - b) / s2.
    fn posterior(&self) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) {
        let k = self.latent();
        let lam: Vec<Vec<f64>> = (0..k)
            .map(|a| {
                (0..k)
                    .map(|c| (a == c) as u8 as f64 + (0..3).map(|i| self.w[i][a] * self.w[i][c]).sum::<f64>() / self.s2)
                    .collect()
            })
            .collect();
        let (s, _) = inverse_det(&lam);
        let r: Vec<f64> =
            (0..k).map(|d| (0..3).map(|i| self.w[i][d] * (self.x[i] - self.b[i])).sum::<f64>() / self.s2).collect();
        let m = (0..k).map(|a| (0..k).map(|c| s[a][c] * r[c]).sum()).collect();
        (lam, s, m)
    }

    /// log N(x; b, W W^T + s2 I), straight from the 3 x 3 marginal covariance.
    fn log_evidence(&self) -> f64 {
        let k = self.latent();
        let c: Vec<Vec<f64>> = (0..3)
            .map(|i| {
                (0..3)
                    .map(|j| (0..k).map(|d| self.w[i][d] * self.w[j][d]).sum::<f64>() + self.s2 * (i == j) as u8 as f64)
                    .collect()
            })
            .collect();
        let (ci, det) = inverse_det(&c);
        let r: Vec<f64> = (0..3).map(|i| self.x[i] - self.b[i]).collect();
        let quad: f64 = (0..3).map(|i| (0..3).map(|j| r[i] * ci[i][j] * r[j]).sum::<f64>()).sum();
        -1.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln() - 0.5 * quad
    }

    /// KL(N(mu, diag sigma^2) || p(z|x)) between Gaussians.
    fn kl_to_posterior(&self, mu: &[f64], sigma: &[f64]) -> f64 {
        let (lam, s, m) = self.posterior();
        let k = self.latent();
        let (_, det_s) = inverse_det(&s);
        let tr: f64 = (0..k).map(|d| lam[d][d] * sigma[d] * sigma[d]).sum();
        let quad: f64 = (0..k).map(|a| (0..k).map(|c| (m[a] - mu[a]) * lam[a][c] * (m[c] - mu[c])).sum::<f64>()).sum();
        let log_det_q: f64 = sigma.iter().map(|s| 2.0 * s.ln()).sum();
        0.5 * (tr + quad - k as f64 + det_s.ln() - log_det_q)
    }
}

fn model(k: usize) -> LinearGaussian {
    let w = if k == 2 {
        vec![vec![1.2, 0.8], vec![-0.5, 1.1], vec![0.9, 0.7]]
    } else {
        vec![vec![1.2, 0.8, 0.3], vec![-0.5, 1.1, -0.9], vec![0.9, 0.7, 0.4]]
    };
    LinearGaussian { w, b: [0.1, -0.3, 0.2], s2: 0.5, x: [1.4, 0.2, -0.6] }
}

fn q_of(mu: &[f64], sigma: &[f64]) -> DiagQ {
    DiagQ {
        family: Family::Gaussian,
        mu: mu.iter().map(|&v| v as f32).collect(),
        lv: sigma.iter().map(|&s| (2.0 * s.ln()) as f32).collect(),
    }
}

#[test]
fn linear_gaussian_log_px_and_gap_match_the_closed_forms() {
    let lg = model(2);
    let (lam, s, m) = lg.posterior();
    let exact = lg.log_evidence();
    // The two closed forms agree: log p(x) = log p(x|m) + log p(m) - log p(m|x).
    let (_, det_s) = inverse_det(&s);
    let bayes = lg.log_likelihood(&[m[0] as f32, m[1] as f32])[0]
        + log_normal(m[0], 0.0, 0.0)
        + log_normal(m[1], 0.0, 0.0)
        + (2.0 * std::f64::consts::PI).ln()
        + 0.5 * det_s.ln();
    assert_close(bayes, exact, 0.0, 1e-5, "closed forms");
    let opts = PosteriorOptions::default();
    // A q off the posterior's mean and too narrow, and the mean-field optimum
    // (mean m, variances 1 / diag of the precision).
    let off = ([m[0] + 0.3, m[1] - 0.2], [0.5 * s[0][0].sqrt(), 0.4 * s[1][1].sqrt()]);
    let best = ([m[0], m[1]], [1.0 / lam[0][0].sqrt(), 1.0 / lam[1][1].sqrt()]);
    let map = posterior_map(&lg, &q_of(&off.0, &off.1), &opts).unwrap();
    assert!(!map.slice && map.log_px_method == "grid");
    assert_close(map.log_px, exact, 0.0, 1e-4, "grid log p(x)");
    assert_close(map.encoder.gap, lg.kl_to_posterior(&off.0, &off.1), 0.0, 1e-4, "gap of q off the mean");
    let mf = bound_of(&lg, &q_of(&best.0, &best.1), map.log_px, &opts);
    assert_close(mf.gap, lg.kl_to_posterior(&best.0, &best.1), 0.0, 1e-4, "gap of the mean-field q");
    assert!(mf.gap > 1e-3, "a correlated posterior leaves a factorised q a gap: {}", mf.gap);
    assert!(mf.gap < map.encoder.gap);
    // The mode of a Gaussian posterior is its mean.
    let h = [map.x_axis[1] - map.x_axis[0], map.y_axis[1] - map.y_axis[0]];
    for d in 0..2 {
        assert!((map.argmax[d] as f64 - m[d]).abs() <= h[d] as f64, "argmax {:?} vs mode {m:?}", map.argmax);
    }
    assert_eq!(map.log_joint.len(), map.x_axis.len() * map.y_axis.len());
}

#[test]
fn above_two_dimensions_the_map_is_the_conditional_slice() {
    let lg = model(3);
    let (_, s, m) = lg.posterior();
    let sd: Vec<f64> = (0..3).map(|d| s[d][d].sqrt()).collect();
    let q = q_of(&m, &sd);
    let opts = PosteriorOptions { importance: 20_000, samples: 20_000, ..Default::default() };
    let map = posterior_map(&lg, &q, &opts).unwrap();
    assert_eq!(map.encoder.elbo_method, "monte-carlo");
    assert!(map.slice && map.log_px_method == "importance-sampling");
    // The slice's dimensions are those of largest KL(q_d || p(z_d)).
    let kl = q.kl_per_dim();
    let held = (0..3).find(|d| !map.dims.contains(d)).unwrap();
    assert!(map.dims.iter().all(|&d| kl[d] >= kl[held]), "dims {:?} for KL {kl:?}", map.dims);
    // The conditional mode given z_held = m_held is m itself (the joint's maximum there).
    let h = [map.x_axis[1] - map.x_axis[0], map.y_axis[1] - map.y_axis[0]];
    for (a, &d) in map.dims.iter().enumerate() {
        assert!((map.argmax[a] as f64 - m[d]).abs() <= h[a] as f64, "slice argmax {:?} vs {m:?}", map.argmax);
    }
    // Importance sampling from a q close to the posterior: within a few hundredths.
    assert_close(map.log_px, lg.log_evidence(), 0.0, 0.02, "importance-sampled log p(x)");
    let tol = 0.02 + 4.0 * map.encoder.elbo_se;
    assert_close(map.encoder.gap, lg.kl_to_posterior(&m, &sd), 0.0, tol, "gap with a Monte Carlo ELBO");
    // An encoder's q far off and too narrow makes a poor proposal; with a good refined q
    // the mixture of both recovers log p(x), and the refined gap its closed form.
    let off: Vec<f64> = (0..3).map(|d| m[d] + 2.0 * sd[d]).collect();
    let narrow: Vec<f64> = sd.iter().map(|s| 0.3 * s).collect();
    let with = posterior_map_with(&lg, &q_of(&off, &narrow), Some(&q), &opts).unwrap();
    assert_close(with.log_px, lg.log_evidence(), 0.0, 0.02, "log p(x) from the mixture proposal");
    let r = with.refined.as_ref().unwrap();
    assert_close(r.gap, lg.kl_to_posterior(&m, &sd), 0.0, 0.02 + 4.0 * r.elbo_se, "refined gap in a slice");
    assert_close(
        with.encoder.gap,
        lg.kl_to_posterior(&off, &narrow),
        0.0,
        0.02 + 4.0 * with.encoder.elbo_se,
        "encoder gap",
    );
}

fn tiny() -> (vae_core::Vae<Dev>, Vec<f32>) {
    let cfg = tiny_config(2, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
    let vae = tiny_vae(cfg.clone(), 5);
    let x = tiny_data(&cfg, 1);
    (vae, x)
}

#[test]
fn vae_map_matches_the_reference_and_a_brute_force_optimum() {
    let (vae, x) = tiny();
    let r = Reference::new(&vae.arch, &vae.params());
    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let joint = |z: [f64; 2]| r.log_px(&z, &xd) + log_normal(z[0], 0.0, 0.0) + log_normal(z[1], 0.0, 0.0);
    let map = posterior_of(&vae, &x, &PosteriorOptions::default()).unwrap();
    let nx = map.x_axis.len();
    for (i, j) in [(0, 0), (nx / 2, 7), (nx - 1, map.y_axis.len() - 1), (13, 41)] {
        let want = joint([map.x_axis[i] as f64, map.y_axis[j] as f64]);
        assert_close(map.log_joint[j * nx + i] as f64, want, 1e-5, 1e-4, &format!("cell ({i}, {j})"));
    }
    // Brute force: a 600 x 600 grid over [-8, 8]^2 with the reference, for log p(x) and the mode.
    let (lo, n) = (-8.0, 600);
    let h = 16.0 / n as f64;
    let mut vals = Vec::with_capacity(n * n);
    let mut best = (f64::NEG_INFINITY, [0.0; 2]);
    for j in 0..n {
        for i in 0..n {
            let z = [lo + (i as f64 + 0.5) * h, lo + (j as f64 + 0.5) * h];
            let v = joint(z);
            if v > best.0 {
                best = (v, z);
            }
            vals.push(v);
        }
    }
    assert_close(map.log_px, logsumexp(&vals) + 2.0 * h.ln(), 0.0, 1e-3, "log p(x) vs brute force");
    let cell = [map.x_axis[1] - map.x_axis[0], map.y_axis[1] - map.y_axis[0]];
    for ((a, b), c) in map.argmax.iter().zip(best.1).zip(cell) {
        assert!((*a as f64 - b).abs() <= c as f64 + h, "argmax {:?} vs brute force {:?}", map.argmax, best.1);
    }
    assert!(map.max_log_joint <= best.0 + 1e-4 && map.max_log_joint >= best.0 - 0.05);
}

#[test]
fn the_gap_is_positive_and_refining_does_not_increase_it() {
    for seed in [5, 6, 7] {
        let cfg = tiny_config(2, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
        let vae = tiny_vae(cfg.clone(), seed);
        let x = tiny_data(&cfg, 1);
        let opts = PosteriorOptions::default();
        let map = posterior_of(&vae, &x, &opts).unwrap();
        assert!(map.encoder.gap >= 0.0, "gap {} of the encoder's q", map.encoder.gap);
        assert_close(map.encoder.elbo + map.encoder.gap, map.log_px, 0.0, 1e-9, "gap = log p(x) - ELBO");
        let refined = vae_core::refine::refine(&vae, &x, 300, 0.05, 4, 1);
        let b = bound_for(&vae, &x, &refined.mu, &refined.lv, map.log_px, &opts).unwrap();
        let with = posterior_with_refined(&vae, &x, Some((&refined.mu, &refined.lv)), &opts).unwrap();
        assert_eq!(with.refined.as_ref(), Some(&b), "the map's refined bound is bound_for's");
        assert!(b.gap >= 0.0, "gap {} of the refined q", b.gap);
        assert!(b.gap <= map.encoder.gap + 1e-6, "refining raised the gap: {} -> {}", map.encoder.gap, b.gap);
    }
}

#[test]
fn two_layer_models_and_bad_sizes_are_refused_with_a_reason() {
    let cfg = tiny_config(2, Some(2), Family::Gaussian, DecoderKind::Bernoulli, Activation::Tanh);
    let vae = tiny_vae(cfg.clone(), 1);
    let err = posterior_of(&vae, &tiny_data(&cfg, 1), &PosteriorOptions::default()).unwrap_err();
    assert!(err.contains("integral over z2"), "{err}");
    let (vae, x) = tiny();
    assert!(posterior_of(&vae, &x[..3], &PosteriorOptions::default()).is_err());
    assert!(posterior_of(&vae, &x, &PosteriorOptions { grid: 1, ..Default::default() }).is_err());
}
