//! log p(x|z) of the decoder's outputs and its derivative, per row, for L samples of B
//! data (row s*B + b reconstructs datum b).
use super::fastmath::{exp, softplus_sigmoid};
use crate::family::LN_2PI;
use crate::model::DECODER_LV_MIN;

/// Bernoulli (AEVB Appendix C.1): log p = sum_d x l - softplus(l) for logits l. Writes the
/// log-likelihood of each row into `loglik` and replaces each logit by dlog p/dl = x - sigmoid(l).
pub fn bernoulli(x: &[f32], b: usize, logits: &mut [f32], loglik: &mut [f32]) {
    let d = x.len() / b;
    for (r, (row, ll)) in logits.chunks_exact_mut(d).zip(loglik.iter_mut()).enumerate() {
        let xr = &x[(r % b) * d..(r % b + 1) * d];
        *ll = lanes_sum(row, xr, |l, t| {
            let (sp, sig) = softplus_sigmoid(*l);
            let term = t * *l - sp;
            *l = t - sig;
            term
        });
    }
}

/// Applies `f` to each (a, b) pair and sums what it returns, in LANES partial sums: a
/// float sum in one accumulator is a dependency chain the compiler may not reorder, so it
/// would stay scalar; eight independent ones vectorise.
#[inline(always)]
fn lanes_sum(a: &mut [f32], b: &[f32], mut f: impl FnMut(&mut f32, f32) -> f32) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0.0f32; LANES];
    let mut ac = a.chunks_exact_mut(LANES);
    let mut bc = b.chunks_exact(LANES);
    for (ca, cb) in (&mut ac).zip(&mut bc) {
        for i in 0..LANES {
            acc[i] += f(&mut ca[i], cb[i]);
        }
    }
    let mut tail = 0.0;
    for (x, &y) in ac.into_remainder().iter_mut().zip(bc.remainder()) {
        tail += f(x, y);
    }
    acc.iter().sum::<f32>() + tail
}

/// Gaussian (AEVB Appendix C.2) with mean sigmoid(m) and log-variance
/// softplus(raw - LV_MIN) + LV_MIN (model.rs): log p = sum_d -(x - mean)^2 / (2 var) - lv/2
/// - ln(2 pi)/2. Replaces m and raw by dlog p / dm and dlog p / d raw.
pub fn gaussian(x: &[f32], b: usize, mean_logits: &mut [f32], raw_lv: &mut [f32], loglik: &mut [f32]) {
    let d = x.len() / b;
    let rows = mean_logits.chunks_exact_mut(d).zip(raw_lv.chunks_exact_mut(d));
    for (r, ((m_row, v_row), ll)) in rows.zip(loglik.iter_mut()).enumerate() {
        let xr = &x[(r % b) * d..(r % b + 1) * d];
        let mut sum = 0.0f32;
        for ((m, v), &t) in m_row.iter_mut().zip(v_row.iter_mut()).zip(xr) {
            let (_, mean) = softplus_sigmoid(*m);
            let (sp, dsp) = softplus_sigmoid(*v - DECODER_LV_MIN);
            let lv = sp + DECODER_LV_MIN;
            let inv_var = exp(-lv);
            let diff = t - mean;
            sum += -0.5 * diff * diff * inv_var - 0.5 * lv;
            *m = diff * inv_var * mean * (1.0 - mean);
            *v = (0.5 * diff * diff * inv_var - 0.5) * dsp;
        }
        *ll = sum - 0.5 * LN_2PI * d as f32;
    }
}
