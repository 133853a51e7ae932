//! Location-scale families for q(z|x) and the Gaussian conditionals of the prior.
//!
//! Every family is parameterised by a location `mu` and `lv = log(scale^2)`, so the
//! encoder heads are the same whatever the family. Reparameterization (AEVB section 2.4,
//! "location-scale" case): z = mu + scale * eps, eps from the standard member.
use crate::config::Family;
use dfdx::prelude::*;

pub type T2<D, T> = Tensor<(usize, usize), f32, D, T>;
pub type T1<D, T> = Tensor<(usize,), f32, D, T>;

pub(crate) const LN_2PI: f32 = 1.837_877_1;
const LN_2: f32 = std::f32::consts::LN_2;
const PI2_OVER_3: f32 = std::f32::consts::PI * std::f32::consts::PI / 3.0;

impl Family {
    /// Draws one standard variate from a uniform `u` in (0, 1) by the inverse CDF (AEVB
    /// section 2.4, first approach). The Gaussian uses `normal` (from Box-Muller or an
    /// equivalent) because its inverse CDF has no closed form.
    pub fn standard_from_uniform(self, u: f32, normal: f32) -> f32 {
        match self {
            Family::Gaussian => normal,
            // Laplace(0, 1): F^-1(u) = -sign(u - 1/2) ln(1 - 2|u - 1/2|).
            Family::Laplace => {
                let c = u - 0.5;
                -c.signum() * (1.0 - 2.0 * c.abs()).max(f32::MIN_POSITIVE).ln()
            }
            // Logistic(0, 1): F^-1(u) = ln(u / (1 - u)).
            Family::Logistic => (u / (1.0 - u)).ln(),
        }
    }

    /// Entropy of the standard member; the family's entropy is this + lv / 2.
    fn standard_entropy(self) -> f32 {
        match self {
            Family::Gaussian => 0.5 * (1.0 + LN_2PI),
            Family::Laplace => 1.0 + LN_2,
            Family::Logistic => 2.0,
        }
    }

    /// Variance of the standard member; the family's variance is this * exp(lv).
    fn standard_variance(self) -> f32 {
        match self {
            Family::Gaussian => 1.0,
            Family::Laplace => 2.0,
            Family::Logistic => PI2_OVER_3,
        }
    }
}

/// z = mu + exp(lv / 2) * eps: the reparameterization trick (AEVB eq. 4 and section 2.4).
pub fn reparameterize<D: Device<f32>, T: Tape<f32, D>>(mu: T2<D, T>, lv: T2<D, T>, eps: T2<D, NoneTape>) -> T2<D, T> {
    mu + (lv * 0.5).exp() * eps
}

/// log q(z) summed over dimensions, for each row: log f((z - mu) / s) - log s.
/// Written in z (not in eps) so estimator A differentiates the real log q(z|x).
pub fn log_density<D: Device<f32>, T: Tape<f32, D>>(
    family: Family,
    z: T2<D, T>,
    mu: T2<D, T>,
    lv: T2<D, T>,
) -> T1<D, T> {
    let eps = (z - mu) * (lv.with_empty_tape() * -0.5).exp();
    let log_f = match family {
        Family::Gaussian => eps.square() * -0.5 - 0.5 * LN_2PI,
        Family::Laplace => eps.abs().negate() - LN_2,
        // log f(e) = -e - 2 log(1 + exp(-e))
        Family::Logistic => {
            let sp = softplus(eps.with_empty_tape().negate());
            eps.negate() - sp * 2.0
        }
    };
    (log_f - lv * 0.5).sum::<(usize,), Axis<1>>()
}

/// KL(q || N(m, exp(lvp))) summed over dimensions, in closed form for any family with
/// known entropy H and variance V:  -H(q) + E_q[-log N(z; m, s_p^2)]
///   = -H(q) + 1/2 ln(2 pi) + lvp/2 + (V(q) + (mu - m)^2) / (2 exp(lvp)).
/// For a Gaussian q this is AEVB Appendix B's expression.
pub fn kl_to_gaussian<D: Device<f32>, T: Tape<f32, D>>(
    family: Family,
    mu: T2<D, T>,
    lv: T2<D, T>,
    m: T2<D, T>,
    lvp: T2<D, T>,
) -> T1<D, T> {
    let var_q = lv.with_empty_tape().exp() * family.standard_variance();
    let neg_entropy = lv * -0.5 - family.standard_entropy();
    let inv_var_p = lvp.with_empty_tape().negate().exp();
    let quad = (var_q + (mu - m).square()) * inv_var_p * 0.5;
    (neg_entropy + lvp * 0.5 + quad + 0.5 * LN_2PI).sum::<(usize,), Axis<1>>()
}

/// KL(q || N(0, I)), summed over dimensions. For a Gaussian q:
/// 1/2 sum(exp(lv) + mu^2 - 1 - lv) (AEVB Appendix B).
pub fn kl_to_standard_normal<D: Device<f32>, T: Tape<f32, D>>(family: Family, mu: T2<D, T>, lv: T2<D, T>) -> T1<D, T> {
    let var_q = lv.with_empty_tape().exp() * family.standard_variance();
    let neg_entropy = lv * -0.5 - family.standard_entropy();
    (neg_entropy + (var_q + mu.square()) * 0.5 + 0.5 * LN_2PI).sum::<(usize,), Axis<1>>()
}

/// The entropy of q summed over dimensions: H(standard member) + lv / 2 per dimension (a
/// location-scale family's entropy grows by log scale).
pub fn entropy<D: Device<f32>, T: Tape<f32, D>>(family: Family, lv: T2<D, T>) -> T1<D, T> {
    (lv * 0.5 + family.standard_entropy()).sum::<(usize,), Axis<1>>()
}

/// log N(z; m, exp(lvp)) summed over dimensions.
pub fn log_gaussian<D: Device<f32>, T: Tape<f32, D>>(z: T2<D, T>, m: T2<D, T>, lvp: T2<D, T>) -> T1<D, T> {
    let inv_var = lvp.with_empty_tape().negate().exp();
    ((z - m).square() * inv_var * -0.5 - lvp * 0.5 - 0.5 * LN_2PI).sum::<(usize,), Axis<1>>()
}

/// log N(z; 0, I) summed over dimensions.
pub fn log_standard_normal<D: Device<f32>, T: Tape<f32, D>>(z: T2<D, T>) -> T1<D, T> {
    (z.square() * -0.5 - 0.5 * LN_2PI).sum::<(usize,), Axis<1>>()
}

/// softplus(y) = ln(1 + e^y), computed as max(y, 0) + ln(1 + e^-|y|) so it never overflows.
pub fn softplus<S: Shape, D: Device<f32>, T: Tape<f32, D>>(y: Tensor<S, f32, D, T>) -> Tensor<S, f32, D, T> {
    let tail = (y.with_empty_tape().abs().negate().exp() + 1.0).ln();
    y.relu() + tail
}
