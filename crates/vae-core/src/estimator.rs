//! The stochastic objectives: SGVB A and B (AEVB section 2.3) and the importance-weighted
//! bound (Burda et al. 2016). Each returns one value per datum; training maximises their mean.
use crate::config::Estimator;
use crate::family::{
    entropy, kl_to_gaussian, kl_to_standard_normal, log_density, log_gaussian, log_standard_normal, reparameterize, T1,
    T2,
};
use crate::model::{repeat_rows, Architecture, Gauss, Posterior};
use crate::params::Weights;
use dfdx::prelude::*;

/// The noise of one pass on the device: eps1 for z (z1), eps2 for z2; (L * B, dim) each.
pub struct Eps<D: Device<f32>> {
    pub samples: usize,
    pub eps1: T2<D, NoneTape>,
    pub eps2: Option<T2<D, NoneTape>>,
}

// A note on dfdx's tapes: a traced tensor's own tape holds the ops that made it. A second
// use goes through `with_empty_tape()`, and the *original* must reach the loss too, or
// those ops never run backward. Each function below hands every original to its last
// consumer.

fn mean_over_samples<D: Device<f32>, T: Tape<f32, D>>(t: T1<D, T>, b: usize) -> T1<D, T> {
    let l = t.shape().0 / b;
    t.reshape_like(&(l, b)).mean::<(usize,), Axis<0>>()
}

/// z = mu + s * eps for the L-times repeated q; returns z and the repeated q.
fn draw<D: Device<f32>, T: Tape<f32, D>>(q: Gauss<D, T>, eps: &T2<D, NoneTape>, l: usize) -> (T2<D, T>, Gauss<D, T>) {
    let qr = q.repeat(l);
    let z = reparameterize(qr.mu.with_empty_tape(), qr.lv.with_empty_tape(), eps.clone());
    (z, qr)
}

/// `t * beta`, skipped when beta is 1 so that the plain bound is computed exactly as without
/// warm-up.
fn weigh<D: Device<f32>, T: Tape<f32, D>>(t: T1<D, T>, beta: f32) -> T1<D, T> {
    if beta == 1.0 {
        t
    } else {
        t * beta
    }
}

/// SGVB B for each datum (AEVB eq. 7): -KL(q(z|x) || p(z)) + 1/L sum_l log p(x | z_l).
/// Two layers: -KL(q(z2|x) || p(z2)) + 1/L sum_l [log p(x|z1_l) - KL(q(z1|x) || p(z1|z2_l))],
/// each KL in closed form (Rezende et al. section 4 use the same split).
/// Two layers with q(z2|z1): z2 depends on z1, so only q(z1|x)'s entropy and
/// KL(q(z2|z1_l) || p(z2)) have closed forms: H(q(z1|x)) + 1/L sum_l [log p(x|z1_l)
/// + log p(z1_l|z2_l) - KL(q(z2|z1_l) || p(z2))].
///
/// Returns the bound with its KL part weighted by `beta` (KL warm-up; beta = 1 is the
/// bound itself) and, when beta < 1, that KL part per datum.
fn sgvb_b<D, W, T>(
    arch: &Architecture,
    w: &Weights<D, W>,
    post: Posterior<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    beta: f32,
) -> (T1<D, T>, Option<T1<D, NoneTape>>)
where
    D: Device<f32>,
    W: Tape<f32, D>,
    T: Tape<f32, D> + Merge<W>,
{
    let (b, l, family) = (x.shape().0, eps.samples, arch.config.family);
    let x_rep = repeat_rows(x.clone(), l);
    match (post.q2, &eps.eps2) {
        (Some(q2), Some(e2)) => {
            let kl2 = kl_to_standard_normal(family, q2.mu.with_empty_tape(), q2.lv.with_empty_tape());
            let q2r = q2.repeat(l);
            let p1 = arch.prior(w, reparameterize(q2r.mu, q2r.lv, e2.clone()));
            let (z1, q1r) = draw(post.q1, &eps.eps1, l);
            let kl1 = kl_to_gaussian(family, q1r.mu, q1r.lv, p1.mu, p1.lv);
            let kl = (beta != 1.0).then(|| mean_over_samples(kl1.retaped::<NoneTape>(), b) + kl2.retaped::<NoneTape>());
            (mean_over_samples(arch.log_likelihood(w, z1, x_rep) - weigh(kl1, beta), b) - weigh(kl2, beta), kl)
        }
        (None, Some(e2)) => {
            let q1 = post.q1;
            let entropy1 = entropy(family, q1.lv.with_empty_tape());
            let q1r = q1.repeat(l);
            let z1 = reparameterize(q1r.mu, q1r.lv, eps.eps1.clone());
            let q2 = arch.encode2(w, z1.with_empty_tape());
            let kl2 = kl_to_standard_normal(family, q2.mu.with_empty_tape(), q2.lv.with_empty_tape());
            let p1 = arch.prior(w, reparameterize(q2.mu, q2.lv, e2.clone()));
            let log_p1 = log_gaussian(z1.with_empty_tape(), p1.mu, p1.lv);
            // The KL part: -H(q1) - 1/L sum_l [log p(z1_l|z2_l) - KL2_l].
            let kl = (beta != 1.0).then(|| {
                mean_over_samples(kl2.retaped::<NoneTape>() - log_p1.retaped::<NoneTape>(), b)
                    - entropy1.retaped::<NoneTape>()
            });
            (
                mean_over_samples(arch.log_likelihood(w, z1, x_rep) + weigh(log_p1 - kl2, beta), b)
                    + weigh(entropy1, beta),
                kl,
            )
        }
        _ => {
            let q1 = post.q1;
            let kl = kl_to_standard_normal(family, q1.mu.with_empty_tape(), q1.lv.with_empty_tape());
            let kl_host = (beta != 1.0).then(|| kl.retaped::<NoneTape>());
            let q1r = q1.repeat(l);
            let z1 = reparameterize(q1r.mu, q1r.lv, eps.eps1.clone());
            (mean_over_samples(arch.log_likelihood(w, z1, x_rep), b) - weigh(kl, beta), kl_host)
        }
    }
}

/// log w_l = log p(x | z_l) + beta [log p(z_l) - log q(z_l | x)] for each of the L samples,
/// shaped (L, B); beta = 1 gives the importance weights of p(x, z) / q(z | x). When
/// beta < 1, also the bracket, (L, B).
fn log_weights<D, W, T>(
    arch: &Architecture,
    w: &Weights<D, W>,
    post: Posterior<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    beta: f32,
) -> (T2<D, T>, Option<T2<D, NoneTape>>)
where
    D: Device<f32>,
    W: Tape<f32, D>,
    T: Tape<f32, D> + Merge<W>,
{
    let (b, l, family) = (x.shape().0, eps.samples, arch.config.family);
    let x_rep = repeat_rows(x.clone(), l);
    let (z1, q1r) = draw(post.q1, &eps.eps1, l);
    let log_q1 = log_density(family, z1.with_empty_tape(), q1r.mu, q1r.lv);
    let log_ratio = match (post.q2, &eps.eps2) {
        (Some(q2), Some(e2)) => {
            let (z2, q2r) = draw(q2, e2, l);
            let log_q2 = log_density(family, z2.with_empty_tape(), q2r.mu, q2r.lv);
            let log_p2 = log_standard_normal(z2.with_empty_tape());
            let p1 = arch.prior(w, z2);
            let log_p1 = log_gaussian(z1.with_empty_tape(), p1.mu, p1.lv);
            log_p1 + log_p2 - log_q1 - log_q2
        }
        (None, Some(e2)) => {
            // q(z2|z1): z1 (already L x B rows) goes through encode2, no repeat.
            let q2 = arch.encode2(w, z1.with_empty_tape());
            let z2 = reparameterize(q2.mu.with_empty_tape(), q2.lv.with_empty_tape(), e2.clone());
            let log_q2 = log_density(family, z2.with_empty_tape(), q2.mu, q2.lv);
            let log_p2 = log_standard_normal(z2.with_empty_tape());
            let p1 = arch.prior(w, z2);
            let log_p1 = log_gaussian(z1.with_empty_tape(), p1.mu, p1.lv);
            log_p1 + log_p2 - log_q1 - log_q2
        }
        _ => log_standard_normal(z1.with_empty_tape()) - log_q1,
    };
    let ratio = (beta != 1.0).then(|| log_ratio.retaped::<NoneTape>().reshape_like(&(l, b)));
    let log_w = arch.log_likelihood(w, z1, x_rep) + weigh(log_ratio, beta);
    (log_w.reshape_like(&(l, b)), ratio)
}

/// The chosen bound for each datum of `x` (B, D), given the encoder's posterior.
pub fn bound_from_posterior<D, W, T>(
    arch: &Architecture,
    w: &Weights<D, W>,
    post: Posterior<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    estimator: Estimator,
) -> T1<D, T>
where
    D: Device<f32>,
    W: Tape<f32, D>,
    T: Tape<f32, D> + Merge<W>,
{
    annealed_bound_from_posterior(arch, w, post, x, eps, estimator, 1.0).0
}

/// The bound per datum with its KL part weighted by `beta` (KL warm-up, see
/// `TrainConfig::kl_weight`), and, when beta < 1, that KL part per datum: the closed-form
/// terms for B, their Monte Carlo estimate 1/L sum_l [log q(z_l|x) - log p(z_l)] for A.
/// The bound itself is the first minus (1 - beta) times the second. IWAE takes beta = 1
/// only (`config::KL_WARMUP_IWAE` says why).
pub fn annealed_bound_from_posterior<D, W, T>(
    arch: &Architecture,
    w: &Weights<D, W>,
    post: Posterior<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    estimator: Estimator,
    beta: f32,
) -> (T1<D, T>, Option<T1<D, NoneTape>>)
where
    D: Device<f32>,
    W: Tape<f32, D>,
    T: Tape<f32, D> + Merge<W>,
{
    match estimator {
        Estimator::B => sgvb_b(arch, w, post, x, eps, beta),
        // SGVB A (AEVB eq. 6): 1/L sum_l log w_l.
        Estimator::A => {
            let (log_w, ratio) = log_weights(arch, w, post, x, eps, beta);
            (log_w.mean::<(usize,), Axis<0>>(), ratio.map(|r| r.mean::<(usize,), Axis<0>>().negate()))
        }
        // IWAE (Burda et al. eq. 8): log 1/k sum_l w_l.
        Estimator::Iwae => {
            assert!(beta == 1.0, "{}", crate::config::KL_WARMUP_IWAE);
            let k = eps.samples as f32;
            (log_weights(arch, w, post, x, eps, 1.0).0.logsumexp::<(usize,), Axis<0>>() - k.ln(), None)
        }
    }
}

/// The encoder's posterior for `x`, then the bound.
pub fn bound<D, T>(
    arch: &Architecture,
    w: &Weights<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    estimator: Estimator,
) -> T1<D, T>
where
    D: Device<f32>,
    T: Tape<f32, D> + Merge<T>,
{
    let post = arch.encode(w, x.retaped::<T>());
    bound_from_posterior(arch, w, post, x, eps, estimator)
}

/// The encoder's posterior for `x`, then the bound with its KL part weighted by `beta`
/// (see `annealed_bound_from_posterior`).
pub fn annealed_bound<D, T>(
    arch: &Architecture,
    w: &Weights<D, T>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
    estimator: Estimator,
    beta: f32,
) -> (T1<D, T>, Option<T1<D, NoneTape>>)
where
    D: Device<f32>,
    T: Tape<f32, D> + Merge<T>,
{
    let post = arch.encode(w, x.retaped::<T>());
    annealed_bound_from_posterior(arch, w, post, x, eps, estimator, beta)
}

/// log p(x, z) - log q(z | x) for each of the L samples, (L, B): importance weights for
/// the log-likelihood estimate.
pub fn importance_log_weights<D: Device<f32>>(
    arch: &Architecture,
    w: &Weights<D, NoneTape>,
    x: &T2<D, NoneTape>,
    eps: &Eps<D>,
) -> T2<D, NoneTape> {
    let post = arch.encode(w, x.clone());
    log_weights(arch, w, post, x, eps, 1.0).0
}
