//! Adam (Kingma & Ba 2015, Algorithm 1) and Adagrad (Duchi et al. 2011; the optimiser of
//! AEVB section 5), acting on the one flat parameter vector.
use crate::config::OptimizerKind;
use dfdx::prelude::*;

type V<D> = Tensor<(usize,), f32, D>;

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPS_ADAM: f32 = 1e-8;
/// Adagrad's denominator offset; large enough that the first steps stay bounded.
const EPS_ADAGRAD: f32 = 1e-6;

pub struct Optimizer<D: Device<f32>> {
    pub kind: OptimizerKind,
    pub lr: f32,
    pub weight_decay: f32,
    /// Number of updates applied so far (Adam's t).
    pub t: u64,
    /// Adam: first moment. Adagrad: unused (zeros).
    pub m: V<D>,
    /// Adam: second raw moment. Adagrad: running sum of squared gradients.
    pub v: V<D>,
}

impl<D: Device<f32>> Optimizer<D> {
    pub fn new(kind: OptimizerKind, lr: f32, weight_decay: f32, n: usize, dev: &D) -> Self {
        Optimizer { kind, lr, weight_decay, t: 0, m: dev.zeros_like(&(n,)), v: dev.zeros_like(&(n,)) }
    }

    /// One ascent step on the bound: `grad` is the gradient of the *negative* mean bound.
    /// Weight decay adds wd * theta to it: the gradient of a Gaussian prior on the
    /// parameters, giving the MAP estimate AEVB section 5 mentions.
    pub fn update(&mut self, theta: &mut V<D>, grad: V<D>) {
        let g = if self.weight_decay > 0.0 { grad + theta.clone() * self.weight_decay } else { grad };
        self.t += 1;
        let step = match self.kind {
            OptimizerKind::Adam => {
                self.m = self.m.clone() * BETA1 + g.clone() * (1.0 - BETA1);
                self.v = self.v.clone() * BETA2 + g.square() * (1.0 - BETA2);
                let m_hat = self.m.clone() / (1.0 - BETA1.powi(self.t as i32));
                let v_hat = self.v.clone() / (1.0 - BETA2.powi(self.t as i32));
                m_hat / (v_hat.sqrt() + EPS_ADAM)
            }
            OptimizerKind::Adagrad => {
                self.v = self.v.clone() + g.clone().square();
                g / (self.v.clone().sqrt() + EPS_ADAGRAD)
            }
        };
        *theta = theta.clone() - step * self.lr;
    }

    /// The state as host vectors (t, m, v), for persistence.
    pub fn state(&self) -> (u64, Vec<f32>, Vec<f32>) {
        (self.t, self.m.as_vec(), self.v.as_vec())
    }

    pub fn set_state(&mut self, t: u64, m: &[f32], v: &[f32]) {
        self.t = t;
        self.m.copy_from(m);
        self.v.copy_from(v);
    }
}
