//! An independent f64 implementation of the model and its bounds, written from the papers'
//! formulas with plain loops (no dfdx, no code shared with the crate but parameter names),
//! in the spirit of micrograd's tests against a second implementation.
//!
//! KL terms here are integrated numerically, not taken from closed forms, so the closed
//! forms in the crate are checked too.
#![allow(dead_code)]

use vae_core::config::{Activation, DecoderKind, Family, ModelConfig};
use vae_core::model::{Architecture, DECODER_LV_MIN};

pub struct Reference<'a> {
    pub arch: &'a Architecture,
    pub p: Vec<f64>,
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

pub fn softplus(y: f64) -> f64 {
    y.max(0.0) + (-y.abs()).exp().ln_1p()
}

/// log density of the *standard* member of a family at e.
pub fn log_std(family: Family, e: f64) -> f64 {
    match family {
        Family::Gaussian => -0.5 * LN_2PI - 0.5 * e * e,
        Family::Laplace => -(2f64).ln() - e.abs(),
        Family::Logistic => -e - 2.0 * softplus(-e),
    }
}

/// log q(z) for one dimension with location mu and lv = log scale^2.
pub fn log_q(family: Family, z: f64, mu: f64, lv: f64) -> f64 {
    let s = (0.5 * lv).exp();
    log_std(family, (z - mu) / s) - s.ln()
}

pub fn log_normal(z: f64, m: f64, lv: f64) -> f64 {
    -0.5 * LN_2PI - 0.5 * lv - 0.5 * (z - m).powi(2) / lv.exp()
}

/// The integral of `f` over z by the trapezoid rule, on a fine grid of +-40 scales of
/// q = (mu, lv) around mu (the tails beyond carry no mass in f64).
fn quadrature(mu: f64, lv: f64, f: impl Fn(f64) -> f64) -> f64 {
    let s = (0.5 * lv).exp();
    let n = 40_000;
    let (lo, hi) = (mu - 40.0 * s, mu + 40.0 * s);
    let h = (hi - lo) / n as f64;
    let mut acc = 0.0;
    for i in 0..=n {
        let w = if i == 0 || i == n { 0.5 } else { 1.0 };
        acc += w * f(lo + i as f64 * h);
    }
    acc * h
}

/// KL(q || N(m, e^lvp)) for one dimension by quadrature: sum q (log q - log p) dz.
pub fn kl_numeric(family: Family, mu: f64, lv: f64, m: f64, lvp: f64) -> f64 {
    quadrature(mu, lv, |z| {
        let lq = log_q(family, z, mu, lv);
        lq.exp() * (lq - log_normal(z, m, lvp))
    })
}

/// The entropy -E_q[log q] of one dimension by quadrature.
pub fn entropy_numeric(family: Family, mu: f64, lv: f64) -> f64 {
    quadrature(mu, lv, |z| {
        let lq = log_q(family, z, mu, lv);
        -lq.exp() * lq
    })
}

impl<'a> Reference<'a> {
    pub fn new(arch: &'a Architecture, params: &[f32]) -> Self {
        Reference { arch, p: params.iter().map(|&v| v as f64).collect() }
    }

    fn cfg(&self) -> &ModelConfig {
        &self.arch.config
    }

    /// y = x W + b for the layer named `name`, by loops over its row-major weights.
    pub fn dense(&self, name: &str, x: &[f64]) -> Vec<f64> {
        let s = self.arch.layout.slots.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no layer {name}"));
        assert_eq!(x.len(), s.inputs);
        let w = &self.p[s.weight_range()];
        let b = &self.p[s.bias_range()];
        (0..s.outputs).map(|o| b[o] + (0..s.inputs).map(|i| x[i] * w[i * s.outputs + o]).sum::<f64>()).collect()
    }

    fn act(&self, v: Vec<f64>) -> Vec<f64> {
        match self.cfg().activation {
            Activation::Tanh => v.into_iter().map(f64::tanh).collect(),
            Activation::Relu => v.into_iter().map(|a| a.max(0.0)).collect(),
        }
    }

    /// (mu1, lv1, Option<(mu2, lv2)>) of q for one datum.
    #[allow(clippy::type_complexity)]
    pub fn encode(&self, x: &[f64]) -> (Vec<f64>, Vec<f64>, Option<(Vec<f64>, Vec<f64>)>) {
        let mut h = x.to_vec();
        for i in 0..self.cfg().hidden.len() {
            h = self.act(self.dense(&format!("encoder.{i}"), &h));
        }
        let q2 = match (self.cfg().latent2, &self.cfg().hidden2) {
            (Some(_), None) => Some((self.dense("encoder.mu2", &h), self.dense("encoder.logvar2", &h))),
            _ => None,
        };
        (self.dense("encoder.mu", &h), self.dense("encoder.logvar", &h), q2)
    }

    /// True for the two-layer form whose q conditions z2 on z1.
    pub fn z2_given_z1(&self) -> bool {
        self.cfg().hidden2.is_some()
    }

    /// (mu2, lv2) of q(z2 | z1) for the form with `hidden2`.
    pub fn encode2(&self, z1: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut h = z1.to_vec();
        for i in 0..self.cfg().hidden2.as_ref().unwrap().len() {
            h = self.act(self.dense(&format!("encoder2.{i}"), &h));
        }
        (self.dense("encoder.mu2", &h), self.dense("encoder.logvar2", &h))
    }

    pub fn prior(&self, z2: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let layers = self.cfg().hidden2.as_ref().map_or(1, Vec::len);
        let mut h = z2.to_vec();
        for i in 0..layers {
            h = self.act(self.dense(&format!("prior.{i}"), &h));
        }
        (self.dense("prior.mu", &h), self.dense("prior.logvar", &h))
    }

    /// The decoder's mean E[x | z]: sigmoid of the output layer (both decoders' mean).
    pub fn decode_mean(&self, z: &[f64]) -> Vec<f64> {
        let mut h = z.to_vec();
        for i in 0..self.cfg().hidden.len() {
            h = self.act(self.dense(&format!("decoder.{i}"), &h));
        }
        self.dense("decoder.out", &h).into_iter().map(|l| 1.0 / (1.0 + (-l).exp())).collect()
    }

    /// log p(x | z) (AEVB Appendix C).
    pub fn log_px(&self, z: &[f64], x: &[f64]) -> f64 {
        let mut h = z.to_vec();
        for i in 0..self.cfg().hidden.len() {
            h = self.act(self.dense(&format!("decoder.{i}"), &h));
        }
        let out = self.dense("decoder.out", &h);
        match self.cfg().decoder {
            // x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)), with log sigmoid(l) = -softplus(-l)
            DecoderKind::Bernoulli => {
                out.iter().zip(x).map(|(&l, &xi)| -xi * softplus(-l) - (1.0 - xi) * softplus(l)).sum()
            }
            DecoderKind::Gaussian => {
                let raw = self.dense("decoder.out_logvar", &h);
                let lv_min = DECODER_LV_MIN as f64;
                out.iter()
                    .zip(&raw)
                    .zip(x)
                    .map(|((&m, &r), &xi)| log_normal(xi, 1.0 / (1.0 + (-m).exp()), lv_min + softplus(r - lv_min)))
                    .sum()
            }
        }
    }

    /// log p(x, z) - log q(z | x) for one datum and one noise draw (eps2 for two layers).
    pub fn log_weight(&self, x: &[f64], eps1: &[f64], eps2: Option<&[f64]>) -> f64 {
        let (log_px, ratio) = self.log_weight_terms(x, eps1, eps2);
        log_px + ratio
    }

    /// The log weight's two parts: log p(x | z1) and log p(z) - log q(z | x).
    pub fn log_weight_terms(&self, x: &[f64], eps1: &[f64], eps2: Option<&[f64]>) -> (f64, f64) {
        let f = self.cfg().family;
        let (mu, lv, q2) = self.encode(x);
        let z1: Vec<f64> = (0..mu.len()).map(|d| mu[d] + (0.5 * lv[d]).exp() * eps1[d]).collect();
        let mut ratio = -(0..mu.len()).map(|d| log_q(f, z1[d], mu[d], lv[d])).sum::<f64>();
        let q2 = if self.z2_given_z1() { Some(self.encode2(&z1)) } else { q2 };
        match (q2, eps2) {
            (Some((mu2, lv2)), Some(e2)) => {
                let z2: Vec<f64> = (0..mu2.len()).map(|d| mu2[d] + (0.5 * lv2[d]).exp() * e2[d]).collect();
                let (m, lvp) = self.prior(&z2);
                ratio += (0..z1.len()).map(|d| log_normal(z1[d], m[d], lvp[d])).sum::<f64>();
                ratio +=
                    (0..z2.len()).map(|d| log_normal(z2[d], 0.0, 0.0) - log_q(f, z2[d], mu2[d], lv2[d])).sum::<f64>();
            }
            _ => ratio += z1.iter().map(|&z| log_normal(z, 0.0, 0.0)).sum::<f64>(),
        }
        (self.log_px(&z1, x), ratio)
    }

    /// SGVB B for one datum with L noise draws (eq. 7), KLs integrated numerically.
    pub fn sgvb_b(&self, x: &[f64], eps1: &[Vec<f64>], eps2: Option<&[Vec<f64>]>) -> f64 {
        let (rec, kl) = self.sgvb_b_terms(x, eps1, eps2);
        rec - kl
    }

    /// SGVB B's two parts: 1/L sum_l log p(x | z1_l) and the KL part it subtracts.
    /// With q(z2 | z1) the KL part is -H(q(z1|x)) - 1/L sum_l [log p(z1_l | z2_l)
    /// - KL(q(z2 | z1_l) || N(0, I))], entropy and KL by quadrature.
    pub fn sgvb_b_terms(&self, x: &[f64], eps1: &[Vec<f64>], eps2: Option<&[Vec<f64>]>) -> (f64, f64) {
        let f = self.cfg().family;
        let (mu, lv, q2) = self.encode(x);
        let l = eps1.len() as f64;
        let z1s: Vec<Vec<f64>> =
            eps1.iter().map(|e| (0..mu.len()).map(|d| mu[d] + (0.5 * lv[d]).exp() * e[d]).collect()).collect();
        let rec: f64 = z1s.iter().map(|z| self.log_px(z, x)).sum::<f64>() / l;
        if self.z2_given_z1() {
            let entropy: f64 = (0..mu.len()).map(|d| entropy_numeric(f, mu[d], lv[d])).sum();
            let mut inner = 0.0;
            for (z1, e) in z1s.iter().zip(eps2.unwrap()) {
                let (mu2, lv2) = self.encode2(z1);
                let z2: Vec<f64> = (0..mu2.len()).map(|d| mu2[d] + (0.5 * lv2[d]).exp() * e[d]).collect();
                let (m, lvp) = self.prior(&z2);
                inner += (0..z1.len()).map(|d| log_normal(z1[d], m[d], lvp[d])).sum::<f64>();
                inner -= (0..mu2.len()).map(|d| kl_numeric(f, mu2[d], lv2[d], 0.0, 0.0)).sum::<f64>();
            }
            return (rec, -entropy - inner / l);
        }
        match (q2, eps2) {
            (Some((mu2, lv2)), Some(e2)) => {
                let kl2: f64 = (0..mu2.len()).map(|d| kl_numeric(f, mu2[d], lv2[d], 0.0, 0.0)).sum();
                let mut kl1 = 0.0;
                for e in e2 {
                    let z2: Vec<f64> = (0..mu2.len()).map(|d| mu2[d] + (0.5 * lv2[d]).exp() * e[d]).collect();
                    let (m, lvp) = self.prior(&z2);
                    kl1 += (0..mu.len()).map(|d| kl_numeric(f, mu[d], lv[d], m[d], lvp[d])).sum::<f64>();
                }
                (rec, kl1 / l + kl2)
            }
            _ => (rec, (0..mu.len()).map(|d| kl_numeric(f, mu[d], lv[d], 0.0, 0.0)).sum::<f64>()),
        }
    }
}
