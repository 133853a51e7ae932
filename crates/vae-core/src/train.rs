//! Minibatch training (AEVB Algorithm 1): draw a minibatch and its noise, take the gradient
//! of the bound, update. Split into `next_batch` and `apply` so that a coordinator can
//! farm the gradient out to workers and sum their parts.
use crate::config::{Init, ModelConfig, TrainConfig};
use crate::data::binarize::{binarize_fixed, binarize_fixed_bytes, targets, Binarization};
use crate::data::dataset::Dataset;
use crate::gradient::GradientPath;
use crate::noise::{mix, Noise};
use crate::optim::{Optimizer, UpdateRule};
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

/// The seed of the training set's one draw under fixed binarization. A constant, not the
/// run's seed: a fixed binarization is a data set (as the test set's, `TEST_BINARIZATION_SEED`),
/// the same for every run, natively and in the page.
pub const FIXED_BINARIZATION_SEED: u64 = 0xF1ED;

/// The seed of the test set's one binarization (binary models are evaluated on it).
pub const TEST_BINARIZATION_SEED: u64 = 0x7E57;

/// Readies a training set for a binarization: Fixed draws once (bytes 0 or 255, from
/// `FIXED_BINARIZATION_SEED`), the others keep greyscale (Dynamic draws per minibatch, in
/// `RowDraws`).
pub fn prepare(data: Dataset, binarization: Binarization) -> Dataset {
    match binarization {
        Binarization::Fixed => Dataset { images: binarize_fixed_bytes(&data.images, FIXED_BINARIZATION_SEED), ..data },
        Binarization::Dynamic | Binarization::Greyscale => data,
    }
}

/// The held-out data as evaluated: binary models see one fixed binarization of the test
/// set (the convention of the IWAE paper's stochastically binarized MNIST).
pub fn prepare_test(pixels: &[f32], binarization: Binarization) -> Vec<f32> {
    match binarization {
        Binarization::Greyscale => pixels.to_vec(),
        _ => binarize_fixed(pixels, TEST_BINARIZATION_SEED),
    }
}

/// The mean of all images of `data`, pixel by pixel, as intensities.
pub fn mean_image(data: &Dataset) -> Vec<f32> {
    let d = data.dim();
    let mut sum = vec![0u64; d];
    for i in 0..data.len() {
        for (s, &p) in sum.iter_mut().zip(data.image(i)) {
            *s += u64::from(p);
        }
    }
    sum.iter().map(|&s| (s as f64 / 255.0 / data.len().max(1) as f64) as f32).collect()
}

/// A fresh model for training on `data`: initialised by `init` from `seed`, its output
/// biases at the data's mean (`Vae::init_output_bias`).
pub fn fresh_model<D: Device<f32>>(
    model: ModelConfig,
    init: Init,
    seed: u64,
    data: &Dataset,
    dev: D,
) -> Result<Vae<D>, String> {
    let mut vae = Vae::new(model, init, seed, dev)?;
    vae.init_output_bias(&mean_image(data));
    Ok(vae)
}

/// Where a run is in its data: the next step, the epochs completed, and the place in the
/// current epoch's permutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    pub step: u64,
    pub epoch: usize,
    pub cursor: usize,
}

impl Position {
    /// The next minibatch of `data` (a fresh seeded permutation each epoch, `order` caching
    /// the current one; clear it when the position jumps), advancing epoch and cursor. The
    /// step advances only when an update is applied.
    pub fn next(&mut self, seed: u64, batch_size: usize, order: &mut Vec<usize>, data: &Dataset) -> Minibatch {
        let n = data.len();
        if self.cursor >= n {
            // A restored position past this data set's end (another data set, or a
            // hand-edited state) starts the epoch over rather than reading out of bounds.
            self.cursor = 0;
        }
        if order.len() != n {
            *order = (0..n).collect();
            let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ mix(self.epoch as u64)));
            order.shuffle(&mut rng);
        }
        let rows = batch_size.min(n - self.cursor);
        let mut bytes = Vec::with_capacity(rows * data.dim());
        for &i in &order[self.cursor..self.cursor + rows] {
            bytes.extend_from_slice(data.image(i));
        }
        self.cursor += rows;
        if self.cursor >= n {
            self.cursor = 0;
            self.epoch += 1;
            order.clear();
        }
        Minibatch { step: self.step, rows, bytes }
    }
}

/// One minibatch as drawn from the data: its step and its images' stored bytes.
#[derive(Clone, Debug)]
pub struct Minibatch {
    pub step: u64,
    pub rows: usize,
    pub bytes: Vec<u8>,
}

/// Turns stored rows of a minibatch into decoder targets (a fresh binarization under
/// Dynamic) and the noise eps. Every draw is keyed by (seed, step, row of the batch), so
/// any split of a minibatch across workers draws exactly what one worker would draw.
#[derive(Clone, Debug, PartialEq)]
pub struct RowDraws {
    pub seed: u64,
    pub binarization: Binarization,
    pub samples: usize,
    pub family: crate::config::Family,
    pub latent: usize,
    pub latent2: Option<usize>,
    pub dim: usize,
}

impl RowDraws {
    pub fn new(model: &ModelConfig, cfg: &TrainConfig, binarization: Binarization) -> Self {
        RowDraws {
            seed: cfg.seed,
            binarization,
            samples: cfg.samples,
            family: model.family,
            latent: model.latent,
            latent2: model.latent2,
            dim: model.input_dim,
        }
    }

    /// Targets and noise for rows `first .. first + n` of minibatch `step`, given those
    /// rows' bytes (`n * dim` of them).
    pub fn draw(&self, step: u64, first: usize, bytes: &[u8]) -> (Vec<f32>, Noise) {
        let n = bytes.len() / self.dim.max(1);
        let dynamic = self.binarization == Binarization::Dynamic;
        let mut x = Vec::with_capacity(bytes.len());
        for (b, row) in bytes.chunks_exact(self.dim).enumerate() {
            let key = mix(mix(mix(self.seed ^ 0xB1A5) ^ step) ^ (first + b) as u64);
            targets(row, dynamic, &mut ChaCha8Rng::seed_from_u64(key), &mut x);
        }
        let noise = Noise::draw(self.seed, step, first, n, self.samples, self.family, self.latent, self.latent2);
        (x, noise)
    }
}

/// Scales a summed gradient of `rows` data to the mean, refuses it when it or the bound is
/// not finite (it would poison every parameter), else applies one optimizer step to
/// `params`. Returns the mean bound. Shared by the single trainer and the sharded workers.
pub fn update(
    opt: &mut Optimizer,
    rule: &UpdateRule,
    params: &mut [f32],
    grad: &mut [f32],
    bound_sum: f32,
    rows: usize,
    step: u64,
) -> Result<f32, StepError> {
    let bound = bound_sum / rows as f32;
    let inv = 1.0 / rows as f32;
    let mut finite = bound.is_finite();
    for g in grad.iter_mut() {
        *g *= inv;
        finite &= g.is_finite();
    }
    if !finite {
        return Err(StepError::NonFinite { step, bound });
    }
    opt.update_host(rule, params, grad);
    Ok(bound)
}

pub struct Trainer<D: Device<f32>> {
    /// The model; its tensors follow `params` after every update.
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
    /// The parameters on the host: what the optimizer updates and the host path reads.
    params: Vec<f32>,
    /// The gradient buffer, reused every step.
    grad: Vec<f32>,
    path: GradientPath,
}

impl<D: Device<f32>> Trainer<D> {
    pub fn new(vae: Vae<D>, cfg: TrainConfig, binarization: Binarization) -> Result<Self, String> {
        cfg.validate()?;
        let n = vae.num_params();
        let path = GradientPath::new::<D>(&vae.arch, cfg.estimator);
        let params = vae.params();
        Ok(Trainer {
            vae,
            opt: Optimizer::new(n),
            cfg,
            binarization,
            step: 0,
            epoch: 0,
            cursor: 0,
            order: Vec::new(),
            params,
            grad: vec![0.0; n],
            path,
        })
    }

    /// Whether steps take the host fast path (`host`) rather than dfdx's tape.
    pub fn uses_host_path(&self) -> bool {
        self.path.is_host()
    }

    /// Replaces the parameters (host copy and model alike).
    pub fn set_params(&mut self, params: &[f32]) {
        self.params.copy_from_slice(params);
        self.vae.set_params(params);
    }

    /// A fresh model and trainer from configs (the model seeded from `cfg.seed`), its
    /// output biases set from the training data's mean image.
    pub fn fresh(
        model: ModelConfig,
        init: Init,
        cfg: TrainConfig,
        binarization: Binarization,
        data: &Dataset,
        dev: D,
    ) -> Result<Self, String> {
        Self::new(fresh_model(model, init, cfg.seed, data, dev)?, cfg, binarization)
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

    /// The next minibatch's images: a fresh permutation each epoch (seeded, so a run
    /// repeats), `batch_size` images at a time; the last minibatch of an epoch may be short.
    pub fn next_minibatch(&mut self, data: &Dataset) -> Minibatch {
        let mut pos = Position { step: self.step, epoch: self.epoch, cursor: self.cursor };
        let mb = pos.next(self.cfg.seed, self.cfg.batch_size, &mut self.order, data);
        (self.epoch, self.cursor) = (pos.epoch, pos.cursor);
        mb
    }

    /// How this trainer turns a minibatch's bytes into targets and noise.
    pub fn row_draws(&self) -> RowDraws {
        RowDraws::new(self.vae.config(), &self.cfg, self.binarization)
    }

    /// The next minibatch with its targets and noise, ready for any number of workers.
    pub fn next_batch(&mut self, data: &Dataset) -> Batch {
        let mb = self.next_minibatch(data);
        let (x, noise) = self.row_draws().draw(mb.step, 0, &mb.bytes);
        Batch { step: mb.step, x, rows: mb.rows, noise }
    }

    /// Applies the summed gradient of `rows` data (possibly from several workers), laid out
    /// as the flat parameter vector, with the current epoch's rule.
    pub fn apply(&mut self, bound_sum: f32, rows: usize, mut grad: Vec<f32>) -> Result<StepStats, StepError> {
        let rule = self.cfg.rule_at(self.epoch);
        self.apply_slice(&rule, bound_sum, rows, &mut grad)
    }

    fn apply_slice(
        &mut self,
        rule: &UpdateRule,
        bound_sum: f32,
        rows: usize,
        grad: &mut [f32],
    ) -> Result<StepStats, StepError> {
        let bound = update(&mut self.opt, rule, &mut self.params, grad, bound_sum, rows, self.step)?;
        self.vae.set_params(&self.params);
        self.step += 1;
        Ok(StepStats { step: self.step, epoch: self.epoch, bound })
    }

    /// One whole step on one device, at the learning rate the schedule gives this epoch;
    /// under KL warm-up (`TrainConfig::kl_warmup`) its gradient is that of the annealed
    /// objective.
    pub fn train_step(&mut self, data: &Dataset) -> Result<StepStats, StepError> {
        let beta = self.kl_weight(data.len());
        // The epoch the step starts in (drawing the epoch's last minibatch moves it on).
        let rule = self.cfg.rule_at(self.epoch);
        let batch = self.next_batch(data);
        let mut grad = std::mem::take(&mut self.grad);
        let bound_sum = self.path.gradient(&self.vae, &self.params, &batch.x, &batch.noise, beta, &mut grad);
        let result = self.apply_slice(&rule, bound_sum, batch.rows, &mut grad);
        self.grad = grad;
        result
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
