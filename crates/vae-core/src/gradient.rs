//! The gradient of the bound for one minibatch slice, by the fastest path the model and
//! device allow: the hand-written host pass (`host`) on the CPU for the standard model,
//! else dfdx's tape (`Vae::gradient`), which computes every model the playground has.
use crate::config::Estimator;
use crate::host::{self, Workspace};
use crate::model::Architecture;
use crate::noise::Noise;
use crate::vae::Vae;
use dfdx::prelude::*;

/// Whether `D` is dfdx's CPU device: only there is the host path a fast path (on a GPU the
/// tape path runs on the device).
pub fn is_cpu<D: Device<f32>>() -> bool {
    std::any::TypeId::of::<D>() == std::any::TypeId::of::<Cpu>()
}

/// Which path a trainer or worker takes, with the host path's buffers (kept between steps).
pub struct GradientPath {
    pub estimator: Estimator,
    host: Option<Workspace>,
}

impl GradientPath {
    pub fn new<D: Device<f32>>(arch: &Architecture, estimator: Estimator) -> Self {
        let host = (is_cpu::<D>() && host::supports(arch, estimator)).then(Workspace::default);
        GradientPath { estimator, host }
    }

    /// True when the host pass is used (for reports and tests).
    pub fn is_host(&self) -> bool {
        self.host.is_some()
    }

    /// Writes into `grad` the gradient of the *negative* summed objective over the rows of
    /// `x` at `params`, and returns the summed bound. The objective is the bound with its KL
    /// part weighted by `beta` (KL warm-up; 1: the bound itself); the returned sum is always
    /// the bound's. The tape path reads the parameters from `vae`'s tensors, so they must
    /// hold `params`.
    pub fn gradient<D: Device<f32>>(
        &mut self,
        vae: &Vae<D>,
        params: &[f32],
        x: &[f32],
        noise: &Noise,
        beta: f32,
        grad: &mut [f32],
    ) -> f32 {
        match &mut self.host {
            Some(ws) => host::gradient(&vae.arch, params, x, noise, self.estimator, beta, grad, ws),
            None => {
                let g = if beta < 1.0 {
                    vae.gradient_annealed(x, noise, self.estimator, beta)
                } else {
                    vae.gradient(x, noise, self.estimator)
                };
                grad.copy_from_slice(&g.grad);
                g.bound_sum
            }
        }
    }
}
