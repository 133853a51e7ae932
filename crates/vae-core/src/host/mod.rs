//! The training step of the one-stochastic-layer Gaussian VAE on host memory, with a
//! hand-written backward pass: the fast path for CPUs and the browser.
//!
//! `estimator`, `model` and `family` say what is computed, on dfdx tensors with automatic
//! differentiation, for every model the playground has; they are the reference. This
//! module computes the same bound and gradient for the standard case (Gaussian q(z|x), one
//! stochastic layer, any MLP, Bernoulli or Gaussian decoder, SGVB A, SGVB B or IWAE) with
//! none of a tape's costs: no graph built per step, no gradient of the input images, no
//! buffers allocated after the first step (a `Workspace` is reused), and bias, activation
//! and likelihood fused into loops that vectorise. The tests check it against the dfdx
//! path, an f64 reference and finite differences.
//!
//! Notation: B data in the minibatch, L samples each (rows s*B + b), Z latent dimensions,
//! D pixels. Deltas are derivatives of the loss, the negative summed bound.
mod dense;
pub mod fastmath;
mod likelihood;

use crate::config::{DecoderKind, Estimator, Family};
use crate::family::LN_2PI;
use crate::model::Architecture;
use crate::noise::Noise;
use fastmath::exp;

pub use dense::matmul;

/// Whether `gradient` computes this model and estimator (else use `Vae::gradient`).
pub fn supports(arch: &Architecture, _estimator: Estimator) -> bool {
    arch.config.latent2.is_none() && arch.config.family == Family::Gaussian
}

/// Buffers of one step, kept between steps (they only grow).
#[derive(Default)]
pub struct Workspace {
    enc: Vec<Vec<f32>>,
    mu: Vec<f32>,
    lv: Vec<f32>,
    sd: Vec<f32>,
    z: Vec<f32>,
    dec: Vec<Vec<f32>>,
    out: Vec<f32>,
    out_lv: Vec<f32>,
    loglik: Vec<f32>,
    omega: Vec<f32>,
    d_mu: Vec<f32>,
    d_lv: Vec<f32>,
    d_a: Vec<f32>,
    d_b: Vec<f32>,
}

/// `v` as a slice of exactly `n` values (its contents are overwritten by the caller).
fn buf(v: &mut Vec<f32>, n: usize) -> &mut [f32] {
    if v.len() < n {
        v.resize(n, 0.0);
    }
    &mut v[..n]
}

fn bufs(v: &mut Vec<Vec<f32>>, k: usize) -> &mut [Vec<f32>] {
    if v.len() < k {
        v.resize_with(k, Vec::new);
    }
    &mut v[..k]
}

/// Sum over the rows of `x` (row-major, `dim` values each) of the chosen bound, and the
/// gradient with respect to `params` written into `grad` (the same layout) of the
/// *negative* summed objective, as `Vae::gradient` gives it. The objective is the bound
/// with its KL part weighted by `beta` (KL warm-up: the analytic KL for SGVB B, log p(z) -
/// log q(z|x) inside A's log weights; IWAE takes beta = 1 only); the returned sum is the
/// bound's. `noise` holds eps for L samples of each row. Panics if `supports` is false.
#[allow(clippy::too_many_arguments)]
pub fn gradient(
    arch: &Architecture,
    params: &[f32],
    x: &[f32],
    noise: &Noise,
    estimator: Estimator,
    beta: f32,
    grad: &mut [f32],
    ws: &mut Workspace,
) -> f32 {
    assert!(supports(arch, estimator), "host::gradient: unsupported model");
    assert!(beta == 1.0 || estimator != Estimator::Iwae, "{}", crate::config::KL_WARMUP_IWAE);
    let c = &arch.config;
    let slots = &arch.layout.slots;
    let (d, zd, l) = (c.input_dim, c.latent, noise.samples);
    let b = x.len() / d;
    assert!(
        b == noise.batch
            && noise.eps1.len() == l * b * zd
            && params.len() == arch.layout.len
            && grad.len() == params.len()
    );
    let lb = l * b;
    let act = Some(c.activation);

    // --- Encoder: q(z|x) = N(mu, diag exp(lv)).
    let enc = bufs(&mut ws.enc, arch.encoder.len());
    for (j, &s) in arch.encoder.iter().enumerate() {
        let (before, rest) = enc.split_at_mut(j);
        let input = if j == 0 { x } else { &before[j - 1][..] };
        dense::forward(params, &slots[s], input, b, buf(&mut rest[0], b * slots[s].outputs), act);
    }
    let top: &[f32] = enc.last().map_or(x, |v| &v[..]);
    let (mu, lv) = (buf(&mut ws.mu, b * zd), buf(&mut ws.lv, b * zd));
    dense::forward(params, &slots[arch.q1.0], top, b, mu, None);
    dense::forward(params, &slots[arch.q1.1], top, b, lv, None);
    let sd = buf(&mut ws.sd, b * zd);
    sd.iter_mut().zip(lv.iter()).for_each(|(s, &v)| *s = exp(0.5 * v));

    // --- Reparameterization (AEVB eq. 4): z = mu + sd * eps, L samples per datum.
    let z = buf(&mut ws.z, lb * zd);
    for (r, zr) in z.chunks_exact_mut(zd).enumerate() {
        let k = (r % b) * zd;
        let e = &noise.eps1[r * zd..(r + 1) * zd];
        for j in 0..zd {
            zr[j] = mu[k + j] + sd[k + j] * e[j];
        }
    }

    // --- Decoder: p(x|z).
    let dec = bufs(&mut ws.dec, arch.decoder.len());
    for (j, &s) in arch.decoder.iter().enumerate() {
        let (before, rest) = dec.split_at_mut(j);
        let input = if j == 0 { &z[..] } else { &before[j - 1][..] };
        dense::forward(params, &slots[s], input, lb, buf(&mut rest[0], lb * slots[s].outputs), act);
    }
    let g: &[f32] = dec.last().map_or(&z[..], |v| &v[..]);
    let out = buf(&mut ws.out, lb * d);
    dense::forward(params, &slots[arch.out_mean], g, lb, out, None);
    let out_lv = match arch.out_lv {
        Some(s) => {
            let o = buf(&mut ws.out_lv, lb * d);
            dense::forward(params, &slots[s], g, lb, o, None);
            Some(o)
        }
        None => None,
    };
    let loglik = buf(&mut ws.loglik, lb);
    // log p(x|z) per row; `out` (and `out_lv`) now hold dlog p / d(their pre-activations).
    match (c.decoder, out_lv) {
        (DecoderKind::Bernoulli, _) => likelihood::bernoulli(x, b, out, loglik),
        (DecoderKind::Gaussian, Some(olv)) => likelihood::gaussian(x, b, out, olv, loglik),
        (DecoderKind::Gaussian, None) => unreachable!("a Gaussian decoder has a variance head"),
    }

    // --- The bound per datum and each row's weight omega = dBound / dlog p(x|z_row).
    let omega = buf(&mut ws.omega, lb);
    let mut total = 0.0f64;
    let half_ln_2pi = 0.5 * LN_2PI * zd as f32;
    match estimator {
        // SGVB B (AEVB eq. 7): 1/L sum_l log p(x|z_l) - KL(q || N(0, I)), the KL as in
        // Appendix B: 1/2 sum(exp(lv) + mu^2 - 1 - lv).
        Estimator::B => {
            omega.fill(1.0 / l as f32);
            for bi in 0..b {
                let rec: f64 = (0..l).map(|s| loglik[s * b + bi] as f64).sum::<f64>() / l as f64;
                let kl: f64 = (0..zd)
                    .map(|j| 0.5 * (exp(lv[bi * zd + j]) + mu[bi * zd + j].powi(2) - 1.0 - lv[bi * zd + j]) as f64)
                    .sum();
                total += rec - kl;
            }
        }
        // log w = log p(x|z) + log p(z) - log q(z|x), with (z - mu) / sd = eps.
        Estimator::A | Estimator::Iwae => {
            for r in 0..lb {
                let (bi, zr, e) = (r % b, &z[r * zd..(r + 1) * zd], &noise.eps1[r * zd..(r + 1) * zd]);
                let log_p: f32 = zr.iter().map(|v| -0.5 * v * v).sum::<f32>() - half_ln_2pi;
                let log_q: f32 = e.iter().map(|v| -0.5 * v * v).sum::<f32>()
                    - 0.5 * lv[bi * zd..(bi + 1) * zd].iter().sum::<f32>()
                    - half_ln_2pi;
                omega[r] = loglik[r] + log_p - log_q; // log w, for now
            }
            for bi in 0..b {
                let lw = |s: usize| omega[s * b + bi] as f64;
                if estimator == Estimator::A {
                    // SGVB A (AEVB eq. 6): 1/L sum_l log w_l.
                    total += (0..l).map(lw).sum::<f64>() / l as f64;
                    (0..l).for_each(|s| omega[s * b + bi] = 1.0 / l as f32);
                } else {
                    // IWAE (Burda et al. eq. 8): log 1/L sum_l w_l, whose derivative in log w_l is
                    // the normalised weight w_l / sum w.
                    let m = (0..l).map(lw).fold(f64::NEG_INFINITY, f64::max);
                    let sum: f64 = (0..l).map(|s| (lw(s) - m).exp()).sum();
                    total += m + sum.ln() - (l as f64).ln();
                    let w: Vec<f64> = (0..l).map(|s| (lw(s) - m).exp() / sum).collect();
                    (0..l).for_each(|s| omega[s * b + bi] = w[s] as f32);
                }
            }
        }
    }

    // --- Backward through the decoder: delta = -omega * dlog p(x|z)/d(output).
    for (r, row) in out.chunks_exact_mut(d).enumerate() {
        let w = -omega[r];
        row.iter_mut().for_each(|v| *v *= w);
    }
    if let Some(o) = ws.out_lv.get_mut(..lb * d).filter(|_| arch.out_lv.is_some()) {
        for (r, row) in o.chunks_exact_mut(d).enumerate() {
            let w = -omega[r];
            row.iter_mut().for_each(|v| *v *= w);
        }
    }
    let max_h = c.hidden.iter().copied().max().unwrap_or(0).max(zd).max(d);
    let (mut da, mut db) = (std::mem::take(&mut ws.d_a), std::mem::take(&mut ws.d_b));
    buf(&mut da, lb * max_h);
    buf(&mut db, lb * max_h);
    // delta at g (the last decoder layer's output, or z).
    let g_dim = arch.decoder.last().map_or(zd, |&s| slots[s].outputs);
    dense::backward(params, &slots[arch.out_mean], g, lb, out, grad, Some(&mut da[..lb * g_dim]), false);
    if let Some(s) = arch.out_lv {
        dense::backward(params, &slots[s], g, lb, &ws.out_lv[..lb * d], grad, Some(&mut da[..lb * g_dim]), true);
    }
    for j in (0..arch.decoder.len()).rev() {
        let s = &slots[arch.decoder[j]];
        dense::through_activation(&mut da[..lb * s.outputs], &dec[j][..lb * s.outputs], c.activation);
        let input: &[f32] = if j == 0 { &z[..] } else { &dec[j - 1][..] };
        dense::backward(params, s, input, lb, &da[..lb * s.outputs], grad, Some(&mut db[..lb * s.inputs]), false);
        std::mem::swap(&mut da, &mut db);
    }
    // da now holds dLoss/dz (lb x zd). log p(z) inside log w also depends on z.
    let dz = &mut da[..lb * zd];
    if estimator != Estimator::B {
        for (r, row) in dz.chunks_exact_mut(zd).enumerate() {
            let w = omega[r];
            row.iter_mut().zip(&z[r * zd..(r + 1) * zd]).for_each(|(d, &zv)| *d += beta * w * zv);
        }
    }

    // --- Through z = mu + sd * eps to q's parameters, plus the KL (B) or log q (A, IWAE)
    // terms. log q at z = mu + sd * eps is -|eps|^2/2 - sum(lv)/2 + const: its total
    // derivative is 0 in mu and -1/2 in each lv.
    let (d_mu, d_lv) = (buf(&mut ws.d_mu, b * zd), buf(&mut ws.d_lv, b * zd));
    d_mu.fill(0.0);
    d_lv.fill(0.0);
    for r in 0..lb {
        let k = (r % b) * zd;
        let e = &noise.eps1[r * zd..(r + 1) * zd];
        for j in 0..zd {
            let g = dz[r * zd + j];
            d_mu[k + j] += g;
            d_lv[k + j] += g * e[j] * 0.5 * sd[k + j];
        }
        if estimator != Estimator::B {
            d_lv[k..k + zd].iter_mut().for_each(|v| *v -= 0.5 * beta * omega[r]);
        }
    }
    if estimator == Estimator::B {
        for i in 0..b * zd {
            d_mu[i] += beta * mu[i];
            d_lv[i] += beta * 0.5 * (exp(lv[i]) - 1.0);
        }
    }
    let top_dim = arch.encoder.last().map_or(d, |&s| slots[s].outputs);
    let has_trunk = !arch.encoder.is_empty();
    let dh = &mut db[..b * top_dim];
    dense::backward(params, &slots[arch.q1.0], top, b, d_mu, grad, has_trunk.then_some(&mut *dh), false);
    dense::backward(params, &slots[arch.q1.1], top, b, d_lv, grad, has_trunk.then_some(&mut *dh), true);
    std::mem::swap(&mut da, &mut db);
    for j in (0..arch.encoder.len()).rev() {
        let s = &slots[arch.encoder[j]];
        dense::through_activation(&mut da[..b * s.outputs], &enc[j][..b * s.outputs], c.activation);
        // The first layer's input is the data: no gradient wanted there.
        let din = (j > 0).then_some(&mut db[..b * s.inputs]);
        let input: &[f32] = if j == 0 { x } else { &enc[j - 1][..] };
        dense::backward(params, s, input, b, &da[..b * s.outputs], grad, din, false);
        std::mem::swap(&mut da, &mut db);
    }
    ws.d_a = da;
    ws.d_b = db;
    total as f32
}
