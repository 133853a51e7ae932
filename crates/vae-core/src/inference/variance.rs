//! The estimators' variance as L grows: AEVB's claim that the reparameterised estimators
//! have low variance where the score function's is impractically high (section 2.2-2.3),
//! measured on one model and one datum (or a few).
//!
//! For each L, R repetitions with fresh noise give R gradients of phi per estimator; the
//! variance of each parameter's R values, averaged over the parameters, and the mean and
//! variance of the gradient's projection on one fixed random unit direction (a scalar every
//! estimator must agree on in expectation).
use super::estimators::{encoder_gradient, supports, GradientEstimator, ALL};
use crate::noise::{mix, Noise};
use crate::vae::Vae;
use dfdx::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// One estimator at one L.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EstimatorStats {
    pub estimator: GradientEstimator,
    pub samples: usize,
    pub repetitions: usize,
    /// Per-parameter variance over the repetitions (n - 1 denominator), mean over phi.
    pub mean_param_variance: f64,
    /// Mean and variance of u . g for the fixed unit direction u.
    pub projection_mean: f64,
    pub projection_variance: f64,
    /// Norm of the mean gradient over the repetitions.
    pub mean_gradient_norm: f64,
    /// The mean gradient itself (phi in `encoder_indices` order), for tests and plots.
    #[serde(skip)]
    pub mean_gradient: Vec<f64>,
    #[serde(skip)]
    pub param_variance: Vec<f64>,
}

/// The fixed random unit direction of `n` parameters.
pub fn direction(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ 0xD1EC));
    let v: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    v.into_iter().map(|x| x / norm).collect()
}

/// Welford's running mean and sum of squared deviations, per parameter and projected.
struct Moments {
    n: usize,
    mean: Vec<f64>,
    m2: Vec<f64>,
    p_mean: f64,
    p_m2: f64,
}

impl Moments {
    fn new(p: usize) -> Self {
        Moments { n: 0, mean: vec![0.0; p], m2: vec![0.0; p], p_mean: 0.0, p_m2: 0.0 }
    }
    fn push(&mut self, g: &[f32], u: &[f64]) {
        self.n += 1;
        let n = self.n as f64;
        let mut proj = 0.0;
        for ((m, s), (&x, &ui)) in self.mean.iter_mut().zip(&mut self.m2).zip(g.iter().zip(u)) {
            let x = x as f64;
            proj += x * ui;
            let d = x - *m;
            *m += d / n;
            *s += d * (x - *m);
        }
        let d = proj - self.p_mean;
        self.p_mean += d / n;
        self.p_m2 += d * (proj - self.p_mean);
    }
    fn stats(self, estimator: GradientEstimator, samples: usize) -> EstimatorStats {
        let dof = (self.n.max(2) - 1) as f64;
        let var: Vec<f64> = self.m2.iter().map(|s| s / dof).collect();
        EstimatorStats {
            estimator,
            samples,
            repetitions: self.n,
            mean_param_variance: var.iter().sum::<f64>() / var.len().max(1) as f64,
            projection_mean: self.p_mean,
            projection_variance: self.p_m2 / dof,
            mean_gradient_norm: self.mean.iter().map(|m| m * m).sum::<f64>().sqrt(),
            mean_gradient: self.mean,
            param_variance: var,
        }
    }
}

/// The four estimators at `samples` = L over `repetitions` draws for the rows of `x`.
/// Repetition r of L draws the noise of step r on a stream keyed by L; all four see the
/// same draws.
pub fn variance_at<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    samples: usize,
    repetitions: usize,
    seed: u64,
) -> Result<Vec<EstimatorStats>, String> {
    supports(vae)?;
    let c = vae.config();
    if x.is_empty() || !x.len().is_multiple_of(c.input_dim) || samples == 0 || repetitions < 2 {
        return Err("need whole images, L >= 1 and 2 or more repetitions".into());
    }
    let rows = x.len() / c.input_dim;
    let p = super::estimators::encoder_indices(&vae.arch).len();
    let u = direction(p, seed);
    let mut moments: Vec<Moments> = ALL.iter().map(|_| Moments::new(p)).collect();
    // The L = 1 baseline: the mean of f over the repetitions before this one.
    let (mut f_sum, mut f_n) = (0.0f64, 0usize);
    for r in 0..repetitions {
        let noise = Noise::draw(mix(seed ^ samples as u64), r as u64, 0, rows, samples, c.family, c.latent, None);
        let baseline = if f_n > 0 { f_sum / f_n as f64 } else { 0.0 };
        let mut f_now = Vec::new();
        for (m, &which) in moments.iter_mut().zip(&ALL) {
            let (g, f) = encoder_gradient(vae, x, &noise, which, baseline);
            m.push(&g, &u);
            f_now = f;
        }
        f_sum += f_now.iter().sum::<f64>();
        f_n += f_now.len();
    }
    Ok(moments.into_iter().zip(ALL).map(|(m, e)| m.stats(e, samples)).collect())
}

/// `variance_at` for each L of `samples` (e.g. 1, 2, 4, ..., 64).
pub fn variance_sweep<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    samples: &[usize],
    repetitions: usize,
    seed: u64,
) -> Result<Vec<EstimatorStats>, String> {
    let mut out = Vec::new();
    for &l in samples {
        out.extend(variance_at(vae, x, l, repetitions, seed)?);
    }
    Ok(out)
}
