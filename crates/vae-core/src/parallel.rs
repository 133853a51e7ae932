//! Synchronous data-parallel SGD over K workers with no coordinator on any step's critical
//! path: a reduce-scatter of the gradients and an all-gather of the parameters, with the
//! optimizer's state sharded (as ZeRO stage 1 does it; Rajbhandari et al. 2020).
//!
//! Each step, worker j takes rows `cuts[j]..cuts[j+1]` of the minibatch and computes the
//! gradient of the bound summed over them (`Replica::gradient`). Worker s owns shard s of
//! the parameter vector: it adds the K workers' gradients *of that shard* in worker order
//! and applies the optimizer to that shard alone (`Replica::update_shard`). Adam and
//! Adagrad act element by element, so the K shard updates are exactly one update of the
//! whole vector, and the optimizer's moments live only in their shard's worker. Then every
//! worker takes the others' updated shards (`Replica::set_shard`).
//!
//! A K-worker step equals the one-worker step up to the order of floating-point additions:
//! targets and noise of a datum depend only on (seed, step, row) (`RowDraws`), and the
//! gradient of a sum is the sum of the gradients. Replicas hold identical parameters by
//! construction; `checksum` lets them prove it.
use crate::config::TrainConfig;
use crate::data::Binarization;
use crate::gradient::GradientPath;
use crate::optim::Optimizer;
use crate::train::{update, RowDraws, StepError};
use crate::vae::Vae;
use dfdx::prelude::*;
use std::ops::Range;

/// Most workers a team may have (the page's form, URL and widget take their limit from the
/// vocabulary, which takes it from here).
pub const MAX_WORKERS: usize = 16;

/// Where K workers cut a minibatch of `rows` rows: worker j takes `cuts[j]..cuts[j + 1]`.
pub fn cuts(rows: usize, k: usize) -> Vec<usize> {
    (0..=k).map(|j| j * rows / k.max(1)).collect()
}

/// Shard `s` of `n` parameters among `k` workers: contiguous, sizes differing by at most 1.
pub fn shard(n: usize, k: usize, s: usize) -> Range<usize> {
    let k = k.max(1);
    (s * n / k)..((s + 1) * n / k)
}

/// What a worker reports about its part of a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Part {
    pub bound_sum: f32,
    pub rows: usize,
    /// The bound and every gradient entry are finite. A step is applied only when every
    /// worker's part is, so the K workers always decide alike.
    pub finite: bool,
}

/// One worker: the whole parameter vector (host memory), the optimizer state of its shard,
/// and buffers reused every step.
pub struct Replica<D: Device<f32>> {
    /// The model for dfdx's path and for inference; its tensors follow `params` lazily.
    vae: Vae<D>,
    synced: bool,
    pub params: Vec<f32>,
    /// This worker's gradient of its rows (the negative summed bound), all parameters.
    pub grad: Vec<f32>,
    pub shard: Range<usize>,
    /// Workers in the team and this one's index.
    pub k: usize,
    pub s: usize,
    /// The optimizer state of `shard` only.
    pub opt: Optimizer,
    /// The run's configuration, its learning rate included (`set_lr`).
    cfg: TrainConfig,
    pub draws: RowDraws,
    path: GradientPath,
    reduced: Vec<f32>,
}

impl<D: Device<f32>> Replica<D> {
    /// Worker `s` of `k` training `vae` with `cfg`. (The constant learning rate and no KL
    /// warm-up: the page's training; the CLI's schedules run in `Trainer`.)
    pub fn new(vae: Vae<D>, cfg: &TrainConfig, binarization: Binarization, k: usize, s: usize) -> Self {
        let n = vae.num_params();
        let shard = shard(n, k, s);
        let opt = Optimizer::new(shard.len());
        let draws = RowDraws::new(vae.config(), cfg, binarization);
        let path = GradientPath::new::<D>(&vae.arch, cfg.estimator);
        let params = vae.params();
        let reduced = if k > 1 { vec![0.0; shard.len()] } else { Vec::new() };
        Replica {
            vae,
            synced: true,
            params,
            grad: vec![0.0; n],
            reduced,
            shard,
            k,
            s,
            opt,
            cfg: cfg.clone(),
            draws,
            path,
        }
    }

    /// Worker `s` of `k` continuing a training state: all parameters, its shard of the
    /// optimizer's moments.
    pub fn from_state(state: &crate::state::TrainingState, dev: D, k: usize, s: usize) -> Self {
        let vae = Vae::from_params(state.arch.clone(), state.params.clone(), dev);
        let mut r = Self::new(vae, &state.cfg, state.binarization, k, s);
        let sh = r.shard.clone();
        r.opt.set_state(state.optim_t, &state.m[sh.clone()], &state.v[sh]);
        r
    }

    /// Whether this worker takes the host fast path.
    pub fn uses_host_path(&self) -> bool {
        self.path.is_host()
    }

    /// The model with the current parameters (for inference, evaluation, checkpoints).
    pub fn vae(&mut self) -> &Vae<D> {
        if !self.synced {
            self.vae.set_params(&self.params);
            self.synced = true;
        }
        &self.vae
    }

    /// The gradient of rows `first..` of minibatch `step`, given those rows' stored bytes,
    /// into `self.grad`.
    pub fn gradient(&mut self, step: u64, first: usize, bytes: &[u8]) -> Part {
        if bytes.is_empty() {
            // More workers than rows (a short last minibatch): this part is empty.
            self.grad.fill(0.0);
            return Part { bound_sum: 0.0, rows: 0, finite: true };
        }
        let (x, noise) = self.draws.draw(step, first, bytes);
        let rows = noise.batch;
        if !self.path.is_host() {
            self.vae();
        }
        let bound_sum = self.path.gradient(&self.vae, &self.params, &x, &noise, 1.0, &mut self.grad);
        let finite = bound_sum.is_finite() && all_finite(&self.grad);
        Part { bound_sum, rows, finite }
    }

    /// This worker's gradient over `range` (another worker's shard, to send it).
    pub fn grad_of(&self, range: Range<usize>) -> &[f32] {
        &self.grad[range]
    }

    /// Adds the K workers' gradients of this worker's shard (`parts`, in worker order),
    /// over `rows` data in all, and applies one optimizer step to the shard.
    pub fn update_shard<'a>(
        &mut self,
        parts: impl IntoIterator<Item = &'a [f32]>,
        bound_sum: f32,
        rows: usize,
        step: u64,
    ) -> Result<f32, StepError> {
        self.reduce(parts);
        self.apply(bound_sum, rows, step)
    }

    /// The reduce half of `update_shard`: the sum of the parts, kept for `apply`.
    pub fn reduce<'a>(&mut self, parts: impl IntoIterator<Item = &'a [f32]>) {
        self.reduced.resize(self.shard.len(), 0.0);
        self.reduced.fill(0.0);
        for part in parts {
            assert_eq!(part.len(), self.reduced.len(), "gradient part does not match the shard");
            self.reduced.iter_mut().zip(part).for_each(|(r, p)| *r += p);
        }
    }

    /// `reduce` with the other workers' parts in `staging` (K slots of the shard's length,
    /// slot i from worker i) and this worker's own read in place from its gradient. Alone
    /// (K = 1) there is nothing to add: `apply` then reads the gradient itself.
    pub fn reduce_staged(&mut self, staging: &[f32]) {
        if self.k == 1 {
            return;
        }
        let len = self.shard.len();
        assert_eq!(staging.len(), self.k * len, "staging does not hold K shard parts");
        let own = &self.grad[self.shard.clone()];
        self.reduced.resize(len, 0.0);
        self.reduced.copy_from_slice(own);
        for (i, part) in staging.chunks_exact(len.max(1)).enumerate().take(self.k) {
            if i != self.s {
                self.reduced.iter_mut().zip(part).for_each(|(r, p)| *r += p);
            }
        }
    }

    /// The update half of `update_shard`: one optimizer step on the shard from the sum (or,
    /// alone, from the gradient).
    pub fn apply(&mut self, bound_sum: f32, rows: usize, step: u64) -> Result<f32, StepError> {
        let sum = if self.k == 1 && self.reduced.is_empty() {
            &mut self.grad[self.shard.clone()]
        } else {
            &mut self.reduced[..]
        };
        // Epoch 0's rule: the page trains at a constant rate (see `new`).
        let rule = self.cfg.rule_at(0);
        let bound = update(&mut self.opt, &rule, &mut self.params[self.shard.clone()], sum, bound_sum, rows, step)?;
        self.synced = false;
        Ok(bound)
    }

    /// Changes the learning rate from the next update on (checked by the configuration).
    pub fn set_lr(&mut self, lr: f64) -> Result<(), String> {
        self.cfg.set_lr(lr)
    }

    /// Takes another worker's updated shard.
    pub fn set_shard(&mut self, range: Range<usize>, values: &[f32]) {
        self.params[range].copy_from_slice(values);
        self.synced = false;
    }

    /// Records that `params` was written directly (the model's tensors are then refreshed
    /// when next needed).
    pub fn params_changed(&mut self) {
        self.synced = false;
    }

    /// Replaces every parameter (a restored state, or a lead's broadcast).
    pub fn set_params(&mut self, params: &[f32]) {
        self.params.copy_from_slice(params);
        self.synced = false;
    }
}

/// FNV-1a over the parameters' bits, a 32-bit word at a time (four times fewer steps than
/// byte by byte; replicas compare it every few steps): equal checksums mean bit-identical
/// replicas, up to a 2^-32 chance.
pub fn checksum(params: &[f32]) -> u32 {
    params.iter().fold(0x811C_9DC5u32, |h, p| (h ^ p.to_bits()).wrapping_mul(0x0100_0193))
}

/// Whether every value is finite, by one vectorisable pass: a sum in independent lanes is
/// NaN or infinite as soon as one term is (a sum of finite gradients overflowing f32 would
/// be refused too, which is right: its update would be).
pub fn all_finite(v: &[f32]) -> bool {
    const LANES: usize = 16;
    let mut acc = [0.0f32; LANES];
    let mut chunks = v.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            acc[i] += c[i] * 0.0;
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|x| x * 0.0).sum();
    (acc.iter().sum::<f32>() + tail).is_finite()
}
