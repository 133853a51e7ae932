//! Minibatch training (AEVB Algorithm 1): draw a minibatch and its noise, take the gradient
//! of the bound, update. Split into `next_batch` and `apply` so that a coordinator can
//! farm the gradient out to workers and sum their parts.
use crate::config::{Init, ModelConfig, Schedule, TrainConfig};
use crate::data::binarize::{binarize_dynamic, binarize_fixed, Binarization};
use crate::data::dataset::Dataset;
use crate::noise::{mix, Noise};
use crate::optim::Optimizer;
use crate::vae::Vae;
use dfdx::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One minibatch, ready for any number of workers.
#[derive(Clone, Debug)]
pub struct Batch {
    pub step: u64,
    pub x: Vec<f32>,
    pub rows: usize,
    pub noise: Noise,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    pub step: u64,
    pub epoch: usize,
    /// Mean bound per datum of this minibatch (nats; higher is better).
    pub bound: f32,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    #[error("the bound or its gradient is not finite at step {step} (bound {bound}); the update was not applied")]
    NonFinite { step: u64, bound: f32 },
}

/// Readies pixels in [0, 1] for a binarization: Fixed draws once with `seed`, the others
/// keep greyscale (Dynamic draws per minibatch, in `Trainer::next_batch`).
pub fn prepare(pixels: &[f32], binarization: Binarization, seed: u64) -> Vec<f32> {
    match binarization {
        Binarization::Fixed => binarize_fixed(pixels, seed),
        Binarization::Dynamic | Binarization::Greyscale => pixels.to_vec(),
    }
}

/// The held-out data as evaluated: binary models see one fixed binarization of the test
/// set (the convention of the IWAE paper's stochastically binarized MNIST).
pub fn prepare_test(pixels: &[f32], binarization: Binarization) -> Vec<f32> {
    match binarization {
        Binarization::Greyscale => pixels.to_vec(),
        _ => binarize_fixed(pixels, 0x7E57),
    }
}

/// The mean of all images of `data`, pixel by pixel.
pub fn mean_image(data: &Dataset) -> Vec<f32> {
    let d = data.dim();
    let mut sum = vec![0.0f64; d];
    for i in 0..data.len() {
        for (s, &p) in sum.iter_mut().zip(data.image(i)) {
            *s += p as f64;
        }
    }
    sum.iter().map(|s| (s / data.len().max(1) as f64) as f32).collect()
}

pub struct Trainer<D: Device<f32>> {
    pub vae: Vae<D>,
    pub opt: Optimizer,
    pub cfg: TrainConfig,
    pub binarization: Binarization,
    /// Updates applied so far.
    pub step: u64,
    /// Epochs completed so far.
    pub epoch: usize,
    cursor: usize,
    order: Vec<usize>,
}

impl<D: Device<f32>> Trainer<D> {
    pub fn new(vae: Vae<D>, cfg: TrainConfig, binarization: Binarization) -> Result<Self, String> {
        cfg.validate()?;
        let mut opt = Optimizer::new(cfg.optimizer, cfg.lr, cfg.weight_decay, vae.num_params());
        opt.epsilon = cfg.adam_epsilon;
        Ok(Trainer { vae, opt, cfg, binarization, step: 0, epoch: 0, cursor: 0, order: Vec::new() })
    }

    /// A fresh model and trainer from configs (the model seeded from `cfg.seed`), its
    /// output biases set from the training data's mean image.
    pub fn fresh(model: ModelConfig, init: Init, cfg: TrainConfig, binarization: Binarization, data: &Dataset, dev: D) -> Result<Self, String> {
        let mut vae = Vae::new(model, init, cfg.seed, dev)?;
        vae.init_output_bias(&mean_image(data));
        Self::new(vae, cfg, binarization)
    }

    /// Position within the current epoch, in data.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Restores the position (for resuming); the epoch's order is recomputed from the seed.
    pub fn set_position(&mut self, step: u64, epoch: usize, cursor: usize) {
        self.step = step;
        self.epoch = epoch;
        self.cursor = cursor;
        self.order.clear();
    }

    /// The next minibatch: a fresh permutation each epoch, fresh Bernoulli pixels under
    /// dynamic binarization, and the noise for this step. All seeded, so a run repeats.
    pub fn next_batch(&mut self, data: &Dataset) -> Batch {
        let n = data.len();
        if self.cursor >= n {
            // A restored position past this data set's end (another data set, or a
            // hand-edited state) starts the epoch over rather than reading out of bounds.
            self.cursor = 0;
        }
        if self.order.len() != n {
            self.order = (0..n).collect();
            let mut rng = ChaCha8Rng::seed_from_u64(mix(self.cfg.seed ^ mix(self.epoch as u64)));
            self.order.shuffle(&mut rng);
        }
        let rows = self.cfg.batch_size.min(n - self.cursor);
        let dim = data.dim();
        let mut x = Vec::with_capacity(rows * dim);
        for &i in &self.order[self.cursor..self.cursor + rows] {
            x.extend_from_slice(data.image(i));
        }
        if self.binarization == Binarization::Dynamic {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(self.cfg.seed ^ 0xB1A5 ^ mix(self.step)));
            let mut out = Vec::with_capacity(x.len());
            binarize_dynamic(&x, &mut rng, &mut out);
            x = out;
        }
        let c = self.vae.config();
        let noise = Noise::draw(self.cfg.seed, self.step, 0, rows, self.cfg.samples, c.family, c.latent, c.latent2);
        self.cursor += rows;
        if self.cursor >= n {
            self.cursor = 0;
            self.epoch += 1;
            self.order.clear();
        }
        Batch { step: self.step, x, rows, noise }
    }

    /// Applies the summed gradient of `rows` data (possibly from several workers), laid out
    /// as the flat parameter vector.
    pub fn apply(&mut self, bound_sum: f32, rows: usize, mut grad: Vec<f32>) -> Result<StepStats, StepError> {
        let bound = bound_sum / rows as f32;
        let inv = 1.0 / rows as f32;
        // A non-finite bound or gradient would poison every parameter: refuse it.
        let mut finite = bound.is_finite();
        for g in &mut grad {
            *g *= inv;
            finite &= g.is_finite();
        }
        if !finite {
            return Err(StepError::NonFinite { step: self.step, bound });
        }
        let mut params = self.vae.params();
        self.opt.update_host(&mut params, &grad);
        self.vae.set_params(&params);
        self.step += 1;
        Ok(StepStats { step: self.step, epoch: self.epoch, bound })
    }

    /// One whole step on one device, at the learning rate the schedule gives this epoch;
    /// under KL warm-up (`TrainConfig::kl_warmup`) its gradient is that of the annealed
    /// objective.
    pub fn train_step(&mut self, data: &Dataset) -> Result<StepStats, StepError> {
        let beta = self.kl_weight(data.len());
        if self.cfg.schedule != Schedule::Constant {
            self.opt.lr = self.cfg.lr_at(self.epoch);
        }
        let batch = self.next_batch(data);
        let g = if beta < 1.0 {
            self.vae.gradient_annealed(&batch.x, &batch.noise, self.cfg.estimator, beta)
        } else {
            self.vae.gradient(&batch.x, &batch.noise, self.cfg.estimator)
        };
        self.apply(g.bound_sum, g.rows, g.grad)
    }

    /// The KL weight of the next step on a data set of `n` images: the warm-up ramp read
    /// at the position the step starts from.
    pub fn kl_weight(&self, n: usize) -> f32 {
        let within = if self.cursor < n { self.cursor as f64 / n.max(1) as f64 } else { 0.0 };
        self.cfg.kl_weight(self.epoch as f64 + within)
    }

    /// Trains until the current epoch ends; returns the mean minibatch bound over it.
    pub fn train_epoch(&mut self, data: &Dataset, mut on_step: impl FnMut(&StepStats)) -> Result<f64, StepError> {
        let start = self.epoch;
        let (mut sum, mut count) = (0.0f64, 0usize);
        while self.epoch == start {
            let rows = self.cfg.batch_size.min(data.len() - self.cursor);
            let s = self.train_step(data)?;
            sum += s.bound as f64 * rows as f64;
            count += rows;
            on_step(&s);
        }
        Ok(sum / count.max(1) as f64)
    }
}
