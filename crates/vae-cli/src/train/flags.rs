//! `vae train`'s flags and how they become a run's configuration. A flag given on the
//! command line wins; then the preset (the architecture) and the schedule (the training
//! protocol); then the core's defaults, which the help text shows (they live in
//! `ModelConfig::default`, `TrainConfig::default` and `Init::default`, nowhere else). With
//! `--resume` the saved state takes the place of presets and defaults, and a flag that
//! disagrees with it is an error: a resumed run keeps the configuration it started with.
use crate::args::{DataArgs, Given};
use clap::Args;
use std::fmt::Display;
use std::path::PathBuf;
use vae_core::config::{Preset, Schedule};
use vae_core::data::{Binarization, DatasetKind};
use vae_core::{Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, TrainConfig};

/// Epochs of a run without `--epochs` and without a schedule that has a length.
pub const DEFAULT_EPOCHS: usize = 10;

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Epochs the run reaches, counted from its start: with --resume it continues until it
    /// has done this many [default: 10, or the schedule's length: 3280 for iwae]
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Stop after exactly this many steps (updates), counted from the run's start, mid-epoch
    /// if so; then the test ELBO and the outputs (instead of --epochs)
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// The f32 matrix kernel: gemm (gemm 0.19's AVX2/FMA kernels) or portable (the wasm
    /// build's own kernel with portable lanes: the page's plain simd128 arithmetic, so the
    /// same seed gives the page's parameters bit for bit)
    #[arg(long, value_enum, default_value_t = Kernel::Gemm)]
    pub kernel: Kernel,
    /// A published architecture: iwae-1 (784-200-200-50 tanh) or iwae-2 (784-200-200-100,
    /// then 100-100-50 with q(z2|z1)), Burda et al. 2016, with their Glorot init; flags
    /// given beside it override its parts
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Size of the latent z (z1, next to x, with --latent2)
    #[arg(long, default_value_t = ModelConfig::default().latent)]
    pub latent: usize,
    /// Size of a second stochastic layer z2 (a two-layer deep latent Gaussian model)
    #[arg(long)]
    pub latent2: Option<usize>,
    /// Encoder hidden sizes, input side first, comma-separated (the decoder mirrors them)
    #[arg(long, value_delimiter = ',', default_values_t = ModelConfig::default().hidden, value_name = "N[,N...]")]
    pub hidden: Vec<usize>,
    /// Hidden sizes between z1 and z2, z1 side first: q(z2|z1) and p(z1|z2) through them
    /// (Burda et al.'s two-layer form); without it q(z2|x) reads the encoder's trunk
    #[arg(long, value_delimiter = ',', value_name = "N[,N...]")]
    pub hidden2: Option<Vec<usize>>,
    #[arg(long, value_enum, default_value_t = ModelConfig::default().activation)]
    pub activation: Activation,
    /// Family of q(z|x)
    #[arg(long, value_enum, default_value_t = ModelConfig::default().family)]
    pub family: Family,
    /// Minibatch size M [iwae schedule: 20]
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    pub batch: usize,
    /// Learning rate (the starting one, under a schedule)
    #[arg(long, default_value_t = TrainConfig::default().lr)]
    pub lr: f64,
    #[arg(long, value_enum, default_value_t = TrainConfig::default().optimizer)]
    pub optimizer: OptimizerKind,
    /// L2 penalty on the parameters (a Gaussian prior on them)
    #[arg(long, default_value_t = TrainConfig::default().weight_decay)]
    pub weight_decay: f32,
    /// Adam's epsilon [iwae schedule: 1e-4]
    #[arg(long, default_value_t = TrainConfig::default().adam_epsilon)]
    pub adam_epsilon: f32,
    /// SGVB estimator A (eq. 6), B (eq. 7, analytic KL) or the IWAE bound
    #[arg(long, value_enum, default_value_t = TrainConfig::default().estimator)]
    pub estimator: Estimator,
    /// Samples per datum: L in eq. 7, k for IWAE
    #[arg(long, default_value_t = TrainConfig::default().samples)]
    pub samples: usize,
    /// KL warm-up: the KL term's weight rises linearly from 0 to 1 over this many epochs
    /// (estimators a and b; the test ELBO is always the true bound)
    #[arg(long, value_name = "EPOCHS", default_value_t = TrainConfig::default().kl_warmup)]
    pub warmup: f32,
    /// Learning-rate schedule: constant, or iwae (Burda et al.: 3^i epochs at
    /// lr * 10^(-i/7), i = 0..7, 3280 in all, with batch 20 and Adam epsilon 1e-4 unless
    /// --batch or --adam-epsilon say otherwise)
    #[arg(long, value_enum, default_value_t = TrainConfig::default().schedule)]
    pub schedule: Schedule,
    /// Observation model p(x|z)
    #[arg(long, value_enum, default_value_t = ModelConfig::default().decoder)]
    pub decoder: DecoderKind,
    /// Training pixels: fresh Bernoulli draws per minibatch, one fixed draw, or greyscale
    /// [default: dynamic for bernoulli, greyscale for gaussian]
    #[arg(long, value_enum)]
    pub binarization: Option<Binarization>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Weight initialisation (see the README's "Model quality"): N(0, 0.01) as in AEVB
    /// section 5, Glorot uniform, He normal, or PyTorch's nn.Linear default
    #[arg(long, value_enum, default_value_t = Init::default())]
    pub init: Init,
    /// Seeds the weights, the data order, the dynamic binarization draws and the noise
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Write the trained model here (safetensors)
    #[arg(long, value_name = "FILE.safetensors")]
    pub out: Option<PathBuf>,
    /// Write per-epoch metrics here (JSON)
    #[arg(long, value_name = "FILE")]
    pub metrics_json: Option<PathBuf>,
    /// Write the whole training state here at the end (and at each checkpoint):
    /// model, Adam moments, position, configuration, curves; --resume continues from it
    #[arg(long, value_name = "FILE")]
    pub save_state: Option<PathBuf>,
    /// Also write the state (and --out's model) every N epochs
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<usize>,
    /// Continue the run saved in this state file exactly (same result as never stopping)
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Train on the first N training images only
    #[arg(long, value_name = "N")]
    pub train_limit: Option<usize>,
    /// Evaluate on the first N test images only
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// No progress bar or notes (the per-epoch lines are still printed)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Which code multiplies the f32 matrices (it changes rounding, not the method).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kernel {
    Gemm,
    Portable,
}

/// Everything that shapes a run, as saved in its state so a resumed run can continue it.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub model: ModelConfig,
    pub train: TrainConfig,
    pub init: Init,
    pub binarization: Binarization,
    pub dataset: DatasetKind,
    pub preset: Option<Preset>,
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
}

/// Applies the flags that were given to a base setup, collecting, when `strict`, each one
/// that would change it.
struct Apply<'a> {
    given: &'a Given,
    strict: bool,
    conflicts: Vec<String>,
}

impl Apply<'_> {
    /// `target = value` if flag `id` was given (`flag` as the user spells it).
    fn set<T: PartialEq + Clone>(
        &mut self,
        id: &str,
        flag: &str,
        target: &mut T,
        value: &T,
        show: impl Fn(&T) -> String,
    ) {
        if !self.given.contains(id) {
            return;
        }
        if self.strict && target != value {
            self.conflicts.push(format!("--{flag} {} (the state has {})", show(value), show(target)));
        }
        *target = value.clone();
    }
}

fn text<T: Display>(v: &T) -> String {
    v.to_string()
}

fn opt<T: Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("none".into(), |v| v.to_string())
}

fn sizes(v: &[usize]) -> String {
    v.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",")
}

fn opt_sizes(v: &Option<Vec<usize>>) -> String {
    v.as_deref().map_or("none".into(), sizes)
}

impl TrainArgs {
    /// The setup of a new run on images of `input_dim` pixels.
    pub fn fresh_setup(&self, given: &Given, input_dim: usize) -> Result<Setup, String> {
        let schedule = self.schedule;
        let train = match schedule {
            Schedule::Iwae => TrainConfig::iwae(),
            Schedule::Constant => TrainConfig::default(),
        };
        let base = Setup {
            model: self
                .preset
                .map_or_else(|| ModelConfig { input_dim, ..ModelConfig::default() }, |p| p.model(input_dim)),
            train,
            init: self.preset.map_or_else(Init::default, Preset::init),
            binarization: Binarization::Dynamic,
            dataset: DatasetKind::Mnist,
            preset: self.preset,
            train_limit: None,
            test_limit: None,
        };
        let mut setup = self.apply(given, base, false)?;
        if !given.contains("binarization") {
            setup.binarization = match setup.model.decoder {
                DecoderKind::Bernoulli => Binarization::Dynamic,
                DecoderKind::Gaussian => Binarization::Greyscale,
            };
        }
        Ok(setup)
    }

    /// The saved setup of a resumed run; any given flag must agree with it.
    pub fn resumed_setup(&self, given: &Given, saved: Setup) -> Result<Setup, String> {
        self.apply(given, saved, true)
    }

    fn apply(&self, given: &Given, base: Setup, strict: bool) -> Result<Setup, String> {
        let mut a = Apply { given, strict, conflicts: Vec::new() };
        let mut s = base;
        a.set("preset", "preset", &mut s.preset, &self.preset, opt);
        let m = &mut s.model;
        a.set("latent", "latent", &mut m.latent, &self.latent, text);
        a.set("latent2", "latent2", &mut m.latent2, &self.latent2, opt);
        a.set("hidden", "hidden", &mut m.hidden, &self.hidden, |v| sizes(v));
        a.set("hidden2", "hidden2", &mut m.hidden2, &self.hidden2, opt_sizes);
        a.set("activation", "activation", &mut m.activation, &self.activation, text);
        a.set("family", "family", &mut m.family, &self.family, text);
        a.set("decoder", "decoder", &mut m.decoder, &self.decoder, text);
        let t = &mut s.train;
        a.set("schedule", "schedule", &mut t.schedule, &self.schedule, text);
        a.set("batch", "batch", &mut t.batch_size, &self.batch, text);
        a.set("lr", "lr", &mut t.lr, &self.lr, text);
        a.set("optimizer", "optimizer", &mut t.optimizer, &self.optimizer, text);
        a.set("weight_decay", "weight-decay", &mut t.weight_decay, &self.weight_decay, text);
        a.set("adam_epsilon", "adam-epsilon", &mut t.adam_epsilon, &self.adam_epsilon, text);
        a.set("estimator", "estimator", &mut t.estimator, &self.estimator, text);
        a.set("samples", "samples", &mut t.samples, &self.samples, text);
        a.set("warmup", "warmup", &mut t.kl_warmup, &self.warmup, text);
        a.set("seed", "seed", &mut t.seed, &self.seed, text);
        a.set("init", "init", &mut s.init, &self.init, text);
        let (binarization, dataset) =
            (self.binarization.unwrap_or(s.binarization), self.data.named().unwrap_or(s.dataset));
        a.set("binarization", "binarization", &mut s.binarization, &binarization, text);
        a.set("dataset", "dataset", &mut s.dataset, &dataset, text);
        a.set("train_limit", "train-limit", &mut s.train_limit, &self.train_limit, opt);
        a.set("test_limit", "test-limit", &mut s.test_limit, &self.test_limit, opt);
        if !a.conflicts.is_empty() {
            return Err(format!(
                "--resume continues the saved run with its own configuration; these flags disagree with it: {}",
                a.conflicts.join(", ")
            ));
        }
        s.model.validate()?;
        s.train.validate()?;
        Ok(s)
    }

    /// The epoch count the run reaches.
    pub fn epochs(&self, schedule: Schedule) -> usize {
        self.epochs.unwrap_or_else(|| schedule.epochs().unwrap_or(DEFAULT_EPOCHS))
    }

    /// Everything that can be checked before any file is read.
    pub fn check(&self, given: &Given) -> Result<(), String> {
        if self.epochs == Some(0) {
            return Err("epochs must be at least 1".into());
        }
        if self.steps == Some(0) {
            return Err("--steps must be at least 1".into());
        }
        if self.steps.is_some() && (self.epochs.is_some() || self.checkpoint_every.is_some()) {
            return Err("--steps ends the run after N steps: give it without --epochs and --checkpoint-every".into());
        }
        for (name, v) in [
            ("train-limit", self.train_limit),
            ("test-limit", self.test_limit),
            ("checkpoint-every", self.checkpoint_every),
        ] {
            if v == Some(0) {
                return Err(format!("--{name} must be at least 1"));
            }
        }
        if self.checkpoint_every.is_some() && self.save_state.is_none() {
            return Err("--checkpoint-every needs --save-state FILE (where the checkpoints go)".into());
        }
        if self.resume.is_none() {
            self.fresh_setup(given, 784).map(|_| ())?;
        }
        Ok(())
    }
}
