//! The true posterior of one datum on a grid, and how far q is from it.
//!
//!   log p(x, z) = log p(x|z) + log p(z)                    (AEVB eq. 1's joint)
//!   log p(x)    = log integral p(x, z) dz                  (the grid's midpoint rule)
//!   ELBO(q)     = E_q[log p(x|z)] - KL(q(z|x) || p(z))     (AEVB eq. 3, Appendix B's KL)
//!   gap         = log p(x) - ELBO(q) = KL(q(z|x) || p(z|x)) >= 0
//!
//! The gap of the encoder's q is the amortization plus the approximation gap; that of a
//! q refined for this one datum (`refine`) is the approximation gap alone (Cremer, Li &
//! Duvenaud 2018). Latent 2 is exact up to the grid. Above 2 the map is the conditional
//! slice through the two dimensions with the largest KL(q(z_d|x) || p(z_d)), the others held
//! at q's mean (flagged `slice`), and log p(x) is importance-sampled from q instead.
use super::density::{log_prior, DiagQ};
use super::grid::{mass_box, Axis};
use super::likelihood::{Likelihood, VaeLikelihood};
use crate::config::Family;
use crate::eval::logsumexp;
use crate::noise::Noise;
use crate::vae::Vae;
use dfdx::prelude::*;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PosteriorOptions {
    /// Cells per axis (the map has grid x grid values).
    pub grid: usize,
    /// The grid covers q's mean +- `width` sigma ...
    pub width: f64,
    /// ... and, in the coarse pass, the prior's +- `prior` (at 6, the prior's mass outside is
    /// 4e-9: a posterior close to the prior loses nothing to the grid's edges).
    pub prior: f64,
    /// Quadrature nodes per axis of E_q[log p(x|z)] (Gaussian q, latent 2). The midpoint rule
    /// against a Gaussian weight converges geometrically: 20 nodes over +-7 already agree
    /// with the linear-Gaussian closed forms to 1e-4 (tests/posterior.rs).
    pub quadrature: usize,
    /// Monte Carlo draws of E_q[log p(x|z)] otherwise.
    pub samples: usize,
    /// Importance samples of log p(x) when the map is a slice.
    pub importance: usize,
    pub seed: u64,
}

impl Default for PosteriorOptions {
    fn default() -> Self {
        PosteriorOptions { grid: 64, width: 4.0, prior: 6.0, quadrature: 20, samples: 1000, importance: 2000, seed: 1 }
    }
}

/// A q's bound and its gap.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct QBound {
    pub mu: Vec<f32>,
    pub sigma: Vec<f32>,
    /// E_q[log p(x|z)], the reconstruction term.
    pub expected_log_likelihood: f64,
    /// KL(q(z|x) || p(z)), closed form.
    pub kl: f64,
    pub elbo: f64,
    /// Standard error of the ELBO: 0 by quadrature, else the Monte Carlo error.
    pub elbo_se: f64,
    /// "quadrature" or "monte-carlo".
    pub elbo_method: &'static str,
    /// log p(x) - ELBO = KL(q(z|x) || p(z|x)).
    pub gap: f64,
}

/// log p(x, z) on a grid over two dimensions of z.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PosteriorMap {
    /// The latent dimensions along x and y.
    pub dims: [usize; 2],
    /// True when latent > 2: a conditional slice, the other dimensions held at `z_held`.
    pub slice: bool,
    /// The full z the grid varies two dimensions of (q's mean).
    pub z_held: Vec<f32>,
    /// Cell centres along each axis.
    pub x_axis: Vec<f32>,
    pub y_axis: Vec<f32>,
    /// log p(x, z) at (x_axis[i], y_axis[j]) in `log_joint[j * x_axis.len() + i]`.
    pub log_joint: Vec<f32>,
    /// The grid's best cell and its value.
    pub argmax: [f32; 2],
    pub max_log_joint: f64,
    pub log_px: f64,
    /// "grid" (latent 2) or "importance-sampling" (a slice: the grid cannot integrate).
    pub log_px_method: &'static str,
    /// The encoder's q.
    pub encoder: QBound,
    /// Another q (e.g. refined for this datum), against the same log p(x), when given.
    pub refined: Option<QBound>,
}

fn check(lik: &impl Likelihood, q: &DiagQ, opts: &PosteriorOptions) -> Result<(), String> {
    let k = lik.latent();
    if k < 2 {
        return Err(format!("the posterior map needs a latent of 2 or more dimensions, got {k}"));
    }
    if q.dim() != k || q.lv.len() != k {
        return Err(format!("q has {} dimensions, the model {k}", q.dim()));
    }
    if q.mu.iter().chain(&q.lv).any(|v| !v.is_finite()) {
        return Err("q's parameters are not finite".into());
    }
    if !(2..=512).contains(&opts.grid) || opts.quadrature == 0 || opts.samples == 0 || opts.importance == 0 {
        return Err("grid must be in 2..=512 and quadrature, samples and importance above 0".into());
    }
    Ok(())
}

/// log p(x, z) at every cell of `ax` x `ay`, dimensions `dims` of `held` varying.
fn joint_on(lik: &impl Likelihood, held: &[f32], dims: [usize; 2], ax: &Axis, ay: &Axis) -> Vec<f64> {
    let k = held.len();
    let mut z = Vec::with_capacity(ax.n * ay.n * k);
    for j in 0..ay.n {
        for i in 0..ax.n {
            let start = z.len();
            z.extend_from_slice(held);
            z[start + dims[0]] = ax.centre(i) as f32;
            z[start + dims[1]] = ay.centre(j) as f32;
        }
    }
    let ll = lik.log_likelihood(&z);
    z.chunks_exact(k)
        .zip(ll)
        .map(|(row, l)| l + log_prior(&row.iter().map(|&v| v as f64).collect::<Vec<_>>()))
        .collect()
}

/// The map, log p(x) and the encoder's bound for `q` (q(z|x) of the datum `lik` holds).
pub fn posterior_map(lik: &impl Likelihood, q: &DiagQ, opts: &PosteriorOptions) -> Result<PosteriorMap, String> {
    posterior_map_with(lik, q, None, opts)
}

/// `posterior_map`, and the bound of `refined` too. For a slice, log p(x) is then
/// importance-sampled from the mixture of both q's: a proposal as good as the better of
/// the two, where the encoder's alone can miss the posterior by nats (an out-of-distribution
/// drawing) and make the refined q's gap come out negative.
pub fn posterior_map_with(
    lik: &impl Likelihood,
    q: &DiagQ,
    refined: Option<&DiagQ>,
    opts: &PosteriorOptions,
) -> Result<PosteriorMap, String> {
    check(lik, q, opts)?;
    if let Some(r) = refined {
        check(lik, r, opts)?;
    }
    let k = lik.latent();
    // The two dimensions q moves furthest from the prior: the ones the datum informs.
    let kl = q.kl_per_dim();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| kl[b].total_cmp(&kl[a]).then(a.cmp(&b)));
    let dims = if order[0] < order[1] { [order[0], order[1]] } else { [order[1], order[0]] };
    let sigma = q.sigma();
    // The coarse pass only finds the mass: half the cells, a quarter of the cost.
    let n0 = (opts.grid / 2).max(16).min(opts.grid);
    let axis = |d: usize| Axis::coarse(q.mu[d] as f64, sigma[d] as f64, opts.width, opts.prior, n0);
    let (cx, cy) = (axis(dims[0]), axis(dims[1]));
    let coarse = joint_on(lik, &q.mu, dims, &cx, &cy);
    let ((i0, i1), (j0, j1)) = mass_box(&coarse, cx.n);
    let q_box =
        |d: usize| (q.mu[d] as f64 - opts.width * sigma[d] as f64, q.mu[d] as f64 + opts.width * sigma[d] as f64);
    let ((qx0, qx1), (qy0, qy1)) = (q_box(dims[0]), q_box(dims[1]));
    let (mut ax, mut ay) = (cx.refine(i0, i1, qx0, qx1), cy.refine(j0, j1, qy0, qy1));
    (ax.n, ay.n) = (opts.grid, opts.grid);
    let v = joint_on(lik, &q.mu, dims, &ax, &ay);
    let best = (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).expect("the grid has cells");
    let (log_px, log_px_method) = if k == 2 {
        (logsumexp(&v) + (ax.width() * ay.width()).ln(), "grid")
    } else {
        let proposals: Vec<&DiagQ> = std::iter::once(q).chain(refined).collect();
        (importance_log_px(lik, &proposals, opts), "importance-sampling")
    };
    Ok(PosteriorMap {
        dims,
        slice: k > 2,
        z_held: q.mu.clone(),
        x_axis: ax.centres().into_iter().map(|c| c as f32).collect(),
        y_axis: ay.centres().into_iter().map(|c| c as f32).collect(),
        log_joint: v.iter().map(|&x| x as f32).collect(),
        argmax: [ax.centre(best % ax.n) as f32, ay.centre(best / ax.n) as f32],
        max_log_joint: v[best],
        log_px,
        log_px_method,
        encoder: bound_of(lik, q, log_px, opts),
        refined: refined.map(|r| bound_of(lik, r, log_px, opts)),
    })
}

/// Noise of `n` draws from q's standard member, on its own stream (`step`).
fn draws(q: &DiagQ, n: usize, seed: u64, step: u64) -> Vec<f32> {
    Noise::draw(seed, step, 0, 1, n, q.family, q.dim(), None).eps1
}

/// log p(x) ~= log 1/K sum_k p(x, z_k) / m(z_k), z_k from the proposals in equal shares
/// and m their equal mixture (AEVB Appendix D, Burda et al. 2016 with one q; stratified
/// mixture sampling, Owen & Zhou 2000, with more): for latent > 2, where no grid can
/// integrate. Below log p(x) in expectation.
fn importance_log_px(lik: &impl Likelihood, proposals: &[&DiagQ], opts: &PosteriorOptions) -> f64 {
    let k = proposals[0].dim();
    let per = opts.importance.div_ceil(proposals.len());
    let mut zs: Vec<Vec<f64>> = Vec::with_capacity(per * proposals.len());
    for (j, q) in proposals.iter().enumerate() {
        let eps = draws(q, per, opts.seed, u64::MAX - 4 - j as u64);
        zs.extend(eps.chunks_exact(k).map(|e| q.point(e)));
    }
    let flat: Vec<f32> = zs.iter().flatten().map(|&v| v as f32).collect();
    let ll = lik.log_likelihood(&flat);
    let ln_n = (proposals.len() as f64).ln();
    let lw: Vec<f64> = zs
        .iter()
        .zip(ll)
        .map(|(z, l)| {
            let log_m: Vec<f64> = proposals.iter().map(|q| q.log_density(z)).collect();
            l + log_prior(z) - (logsumexp(&log_m) - ln_n)
        })
        .collect();
    logsumexp(&lw) - (zs.len() as f64).ln()
}

/// The ELBO of any q for the datum of `lik`, and its gap to `log_px`. E_q[log p(x|z)] by a
/// product midpoint rule in eps over +-7 (Gaussian q, latent 2: deterministic, so the gaps
/// of two q's differ only by what differs between them), else by Monte Carlo.
pub fn bound_of(lik: &impl Likelihood, q: &DiagQ, log_px: f64, opts: &PosteriorOptions) -> QBound {
    let k = q.dim();
    let kl: f64 = q.kl_per_dim().iter().sum();
    let (ell, se, method) = if k == 2 && q.family == Family::Gaussian {
        let n = opts.quadrature;
        let e = Axis { lo: -7.0, hi: 7.0, n }.centres();
        let (mut eps, mut w) = (Vec::with_capacity(2 * n * n), Vec::with_capacity(n * n));
        for a in &e {
            for b in &e {
                eps.extend([*a as f32, *b as f32]);
                w.push((-0.5 * (a * a + b * b)).exp());
            }
        }
        let z: Vec<f32> = eps.chunks_exact(2).flat_map(|e| q.point(e)).map(|v| v as f32).collect();
        let ll = lik.log_likelihood(&z);
        let total: f64 = w.iter().sum();
        (w.iter().zip(&ll).map(|(w, l)| w * l).sum::<f64>() / total, 0.0, "quadrature")
    } else {
        let s = opts.samples;
        let eps = draws(q, s, opts.seed, u64::MAX - 3);
        let z: Vec<f32> = eps.chunks_exact(k).flat_map(|e| q.point(e)).map(|v| v as f32).collect();
        let ll = lik.log_likelihood(&z);
        let (mean, se) = crate::eval::mean_and_se(&ll);
        (mean, se, "monte-carlo")
    };
    let elbo = ell - kl;
    QBound {
        mu: q.mu.clone(),
        sigma: q.sigma(),
        expected_log_likelihood: ell,
        kl,
        elbo,
        elbo_se: se,
        elbo_method: method,
        gap: log_px - elbo,
    }
}

/// The encoder's q(z|x) of a one-layer VAE for one image.
pub fn encoder_q<D: Device<f32>>(vae: &Vae<D>, x: &[f32]) -> DiagQ {
    let (mu, lv) = vae.encode(&x[..vae.config().input_dim]);
    DiagQ { family: vae.config().family, mu, lv }
}

/// `posterior_map` of a trained VAE for the image `x`.
pub fn posterior_of<D: Device<f32>>(vae: &Vae<D>, x: &[f32], opts: &PosteriorOptions) -> Result<PosteriorMap, String> {
    posterior_with_refined(vae, x, None, opts)
}

/// `posterior_map_with` of a trained VAE for the image `x`, `refined` = (mu, lv) of another
/// q (`refine`'s result).
pub fn posterior_with_refined<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    refined: Option<(&[f32], &[f32])>,
    opts: &PosteriorOptions,
) -> Result<PosteriorMap, String> {
    let lik = VaeLikelihood::new(vae, x)?;
    let family = vae.config().family;
    let r = refined.map(|(mu, lv)| DiagQ { family, mu: mu.to_vec(), lv: lv.to_vec() });
    posterior_map_with(&lik, &encoder_q(vae, x), r.as_ref(), opts)
}

/// `bound_of` another q (e.g. `refine`'s mu and lv) for the image `x`, against the map's log p(x).
pub fn bound_for<D: Device<f32>>(
    vae: &Vae<D>,
    x: &[f32],
    mu: &[f32],
    lv: &[f32],
    log_px: f64,
    opts: &PosteriorOptions,
) -> Result<QBound, String> {
    let lik = VaeLikelihood::new(vae, x)?;
    let q = DiagQ { family: vae.config().family, mu: mu.to_vec(), lv: lv.to_vec() };
    check(&lik, &q, opts)?;
    Ok(bound_of(&lik, &q, log_px, opts))
}
