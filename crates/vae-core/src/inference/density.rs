//! q's location-scale families and the standard normal prior on the host, in f64: the
//! posterior map evaluates them at thousands of grid points and sums them in log space,
//! where f32 would lose the small differences that make the gap.
use crate::config::Family;

pub const LN_2PI: f64 = 1.837_877_066_409_345_5;

fn softplus(y: f64) -> f64 {
    y.max(0.0) + (-y.abs()).exp().ln_1p()
}

/// log density of the family's standard member (location 0, scale 1) at `e`.
pub fn log_standard(family: Family, e: f64) -> f64 {
    match family {
        Family::Gaussian => -0.5 * LN_2PI - 0.5 * e * e,
        Family::Laplace => -std::f64::consts::LN_2 - e.abs(),
        // f(e) = e^-e / (1 + e^-e)^2
        Family::Logistic => -e - 2.0 * softplus(-e),
    }
}

/// Entropy and variance of the standard member (the family's are H + lv/2 and V e^lv).
fn standard_entropy_variance(family: Family) -> (f64, f64) {
    match family {
        Family::Gaussian => (0.5 * (1.0 + LN_2PI), 1.0),
        Family::Laplace => (1.0 + std::f64::consts::LN_2, 2.0),
        Family::Logistic => (2.0, std::f64::consts::PI.powi(2) / 3.0),
    }
}

/// log q(z) of one dimension with location `mu` and `lv` = log scale^2.
pub fn log_q(family: Family, z: f64, mu: f64, lv: f64) -> f64 {
    let s = (0.5 * lv).exp();
    log_standard(family, (z - mu) / s) - s.ln()
}

/// log N(z; 0, I).
pub fn log_prior(z: &[f64]) -> f64 {
    z.iter().map(|v| -0.5 * LN_2PI - 0.5 * v * v).sum()
}

/// KL(q_d || N(0, 1)) of one dimension in closed form: -H(q) + 1/2 ln 2 pi + (V(q) + mu^2) / 2
/// (for a Gaussian q, AEVB Appendix B's 1/2 (e^lv + mu^2 - 1 - lv)).
pub fn kl_dim(family: Family, mu: f64, lv: f64) -> f64 {
    let (h, v) = standard_entropy_variance(family);
    -(h + 0.5 * lv) + 0.5 * LN_2PI + 0.5 * (v * lv.exp() + mu * mu)
}

/// A factorised q(z|x): one location and log-variance per dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagQ {
    pub family: Family,
    pub mu: Vec<f32>,
    pub lv: Vec<f32>,
}

impl DiagQ {
    pub fn dim(&self) -> usize {
        self.mu.len()
    }

    pub fn sigma(&self) -> Vec<f32> {
        self.lv.iter().map(|l| (0.5 * l).exp()).collect()
    }

    /// KL(q || N(0, I)) of each dimension.
    pub fn kl_per_dim(&self) -> Vec<f64> {
        self.mu.iter().zip(&self.lv).map(|(&m, &l)| kl_dim(self.family, m as f64, l as f64)).collect()
    }

    pub fn log_density(&self, z: &[f64]) -> f64 {
        (0..self.dim()).map(|d| log_q(self.family, z[d], self.mu[d] as f64, self.lv[d] as f64)).sum()
    }

    /// z = mu + scale * eps (eps from the standard member).
    pub fn point(&self, eps: &[f32]) -> Vec<f64> {
        (0..self.dim()).map(|d| self.mu[d] as f64 + (0.5 * self.lv[d] as f64).exp() * eps[d] as f64).collect()
    }
}
