//! Adam (Kingma & Ba 2015, Algorithm 1) and Adagrad (Duchi et al. 2011; the optimiser of
//! AEVB section 5), acting on the one flat parameter vector.
//!
//! The update is one fused loop over host vectors rather than a dozen whole-vector tensor
//! ops: each op would allocate and stream the vector through memory again, and the update
//! would then cost a third of a training step. On a GPU this means one copy of the
//! parameters each way per step, small next to the step for the models here.
use crate::config::OptimizerKind;
use dfdx::prelude::*;

type V<D> = Tensor<(usize,), f32, D>;

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
/// Adagrad's denominator offset; large enough that the first steps stay bounded.
const EPS_ADAGRAD: f32 = 1e-6;

/// What one update does: the optimizer and its settings for this step. A run reads it from
/// its `TrainConfig` every step (`TrainConfig::rule_at`), so the rate, the weight decay and
/// epsilon each have one home, the configuration, and a changed rate applies at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpdateRule {
    pub kind: OptimizerKind,
    pub lr: f32,
    pub weight_decay: f32,
    /// Adam's epsilon (`TrainConfig::adam_epsilon`); unused by Adagrad.
    pub epsilon: f32,
}

/// The optimizer's state over n parameters; what it does with them is the `UpdateRule`.
pub struct Optimizer {
    /// Number of updates applied so far (Adam's t).
    pub t: u64,
    /// Adam: first moment. Adagrad: unused (zeros).
    pub m: Vec<f32>,
    /// Adam: second raw moment. Adagrad: running sum of squared gradients.
    pub v: Vec<f32>,
}

impl Optimizer {
    pub fn new(n: usize) -> Self {
        Optimizer { t: 0, m: vec![0.0; n], v: vec![0.0; n] }
    }

    /// One ascent step on the bound: `grad` is the gradient of the *negative* mean bound.
    /// Weight decay adds wd * theta to it: the gradient of a Gaussian prior on the
    /// parameters, giving the MAP estimate AEVB section 5 mentions.
    pub fn update<D: Device<f32>>(&mut self, rule: &UpdateRule, theta: &mut V<D>, grad: &V<D>) {
        let g = crate::params::to_host(grad);
        let mut p = crate::params::to_host(theta);
        self.update_host(rule, &mut p, &g);
        theta.copy_from(&p);
    }

    /// The same update on host vectors. Written as zipped iterators (no indexing, so no
    /// bounds checks) so the compiler vectorises it, SIMD in wasm included.
    pub fn update_host(&mut self, rule: &UpdateRule, p: &mut [f32], g: &[f32]) {
        self.t += 1;
        let UpdateRule { kind, lr, weight_decay: wd, epsilon: eps } = *rule;
        let it = p.iter_mut().zip(g).zip(self.m.iter_mut().zip(self.v.iter_mut()));
        match kind {
            OptimizerKind::Adam => {
                // Bias corrections folded into constants (Kingma & Ba, end of section 2).
                let t = self.t.min(i32::MAX as u64) as i32;
                let step = lr / (1.0 - BETA1.powi(t));
                let inv_c2 = 1.0 / (1.0 - BETA2.powi(t));
                for ((p, &g), (m, v)) in it {
                    let g = g + wd * *p;
                    *m = BETA1 * *m + (1.0 - BETA1) * g;
                    *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                    *p -= step * *m / ((*v * inv_c2).sqrt() + eps);
                }
            }
            OptimizerKind::Adagrad => {
                for ((p, &g), (_, v)) in it {
                    let g = g + wd * *p;
                    *v += g * g;
                    *p -= lr * g / (v.sqrt() + EPS_ADAGRAD);
                }
            }
        }
    }

    /// The state (t, m, v), for persistence.
    pub fn state(&self) -> (u64, Vec<f32>, Vec<f32>) {
        (self.t, self.m.clone(), self.v.clone())
    }

    pub fn set_state(&mut self, t: u64, m: &[f32], v: &[f32]) {
        self.t = t;
        self.m.copy_from_slice(m);
        self.v.copy_from_slice(v);
    }
}
