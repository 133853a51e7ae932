//! Per-datapoint refinement of q (stochastic variational inference from the encoder's
//! output). The encoder is amortised: one network for all x, so its q(z|x) is not the best
//! q for any single x. The ELBO gained by optimising q's parameters for one x directly is
//! the amortization gap (Cremer, Li & Duvenaud 2018).
use crate::config::{Estimator, OptimizerKind, ADAM_EPSILON};
use crate::estimator::bound_from_posterior;
use crate::model::{Gauss, Posterior};
use crate::noise::Noise;
use crate::optim::{Optimizer, UpdateRule};
use crate::vae::Vae;
use dfdx::prelude::*;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Refinement {
    /// ELBO of the encoder's q (estimated with `eval_samples` draws).
    pub elbo_before: f64,
    /// ELBO of the q returned, estimated with the same draws: the SVI steps' end, or the
    /// encoder's q where the steps ended lower (so never below `elbo_before`).
    pub elbo_after: f64,
    /// Refined posterior mean and log-variance of z (z1).
    pub mu: Vec<f32>,
    pub lv: Vec<f32>,
    /// Decoder mean at the refined posterior mean.
    pub reconstruction: Vec<f32>,
}

/// q's parameters [mu1, lv1] or [mu1, lv1, mu2, lv2] as a posterior.
fn posterior<D: Device<f32>, T: Tape<f32, D>>(mut ts: Vec<Tensor<(usize, usize), f32, D, T>>) -> Posterior<D, T> {
    let q2 = if ts.len() == 4 {
        let lv = ts.pop().unwrap();
        Some(Gauss { mu: ts.pop().unwrap(), lv })
    } else {
        None
    };
    let lv = ts.pop().unwrap();
    Posterior { q1: Gauss { mu: ts.pop().unwrap(), lv }, q2 }
}

/// `flat` cut into consecutive pieces of `lens`.
fn split(flat: &[f32], lens: &[usize]) -> Vec<Vec<f32>> {
    let mut rest = flat;
    lens.iter()
        .map(|&n| {
            let (head, tail) = rest.split_at(n);
            rest = tail;
            head.to_vec()
        })
        .collect()
}

/// Runs `steps` of Adam on q's parameters for the one datum `x`, maximising SGVB B with
/// `samples` draws a step; reports the ELBO before and after with common random numbers.
/// Noisy steps (a large `lr`, few `samples`) can end below where they started; then the
/// encoder's q is the better of the two under that fixed evaluation, and is returned.
pub fn refine<D: Device<f32>>(vae: &Vae<D>, x: &[f32], steps: usize, lr: f32, samples: usize, seed: u64) -> Refinement {
    let c = vae.config();
    let xb = vae.batch(&x[..c.input_dim]);
    let w = vae.weights();
    let post = vae.arch.encode(&w, xb.clone());
    let mut p: Vec<Vec<f32>> = vec![post.q1.mu.as_vec(), post.q1.lv.as_vec()];
    if let Some(q2) = &post.q2 {
        p.push(q2.mu.as_vec());
        p.push(q2.lv.as_vec());
    }
    let eval_noise = vae.eps(&Noise::draw(seed, u64::MAX - 2, 0, 1, 1000, c.family, c.latent, c.latent2));
    let elbo = |p: &[Vec<f32>]| -> f64 {
        let q = posterior(p.iter().map(|v| vae.dev.tensor_from_vec(v.clone(), (1, v.len()))).collect());
        bound_from_posterior(&vae.arch, &w, q, &xb, &eval_noise, Estimator::B).as_vec()[0] as f64
    };
    let start = p.clone();
    let elbo_before = elbo(&p);
    // The training optimizer (Adam, Kingma & Ba 2015) on q's 2k (or 2k + 2k2) numbers,
    // laid end to end: it acts element by element, so one flat vector is the same update.
    let lens: Vec<usize> = p.iter().map(Vec::len).collect();
    let mut flat: Vec<f32> = p.concat();
    let rule = UpdateRule { kind: OptimizerKind::Adam, lr, weight_decay: 0.0, epsilon: ADAM_EPSILON };
    let mut opt = Optimizer::new(flat.len());
    for t in 1..=steps {
        let noise = vae.eps(&Noise::draw(seed, t as u64, 0, 1, samples, c.family, c.latent, c.latent2));
        let leaves: Vec<_> = split(&flat, &lens)
            .into_iter()
            .map(|v| {
                let n = v.len();
                vae.dev.tensor_from_vec(v, (1, n))
            })
            .collect();
        let q = posterior(leaves.iter().map(|l| l.clone().leaky_traced()).collect());
        let b = bound_from_posterior(&vae.arch, &w, q, &xb, &noise, Estimator::B);
        let grads = b.sum::<Rank0, _>().negate().backward();
        let g: Vec<f32> = leaves.iter().flat_map(|leaf| grads.get(leaf).as_vec()).collect();
        opt.update_host(&rule, &mut flat, &g);
    }
    p = split(&flat, &lens);
    let mut elbo_after = elbo(&p);
    // A diverged step (NaN) keeps the start too.
    if elbo_after.is_nan() || elbo_after < elbo_before {
        (p, elbo_after) = (start, elbo_before);
    }
    let reconstruction = vae.decode(&p[0]);
    Refinement { elbo_before, elbo_after, mu: p[0].clone(), lv: p[1].clone(), reconstruction }
}
