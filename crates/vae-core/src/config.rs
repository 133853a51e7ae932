//! Run-time configuration of the model and of training. Everything a user can pick in the
//! CLI or the page lives here, so no choice needs a recompile (dfdx's const-generic layers
//! would force one).
use crate::optim::UpdateRule;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Nonlinearity between hidden layers. The AEVB paper uses tanh (Appendix C).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Tanh,
    Relu,
}

/// The reparameterizable family of q(z|x). All three are location-scale families, so
/// z = mu + scale * eps with eps drawn from the standard member (AEVB section 2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Gaussian,
    Laplace,
    Logistic,
}

/// The observation model p(x|z) (AEVB Appendix C.1 Bernoulli, C.2 Gaussian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DecoderKind {
    Bernoulli,
    Gaussian,
}

/// Weight initialisation of a fresh model (the decoder's output biases are then set to the
/// data's mean log-odds whatever the choice; see `Vae::init_output_bias`).
///
/// The default is Glorot's. Measured on MNIST with the standard configuration (README,
/// "Model quality"): the paper's fixed standard deviation of 0.1, 2.4 times Glorot's in
/// the two 784-by-400 layers, trains to a test ELBO 1.3 nats lower after 10 epochs (-103.1
/// against -101.8, the means over the seeds run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// Weights N(0, 0.01), i.e. standard deviation 0.1, biases 0 (AEVB section 5).
    Paper,
    /// Weights U(+-sqrt(6 / (fan_in + fan_out))), biases 0 (Glorot & Bengio 2010, eq. 16);
    /// the initialisation of Burda et al.'s IWAE code.
    #[default]
    Glorot,
    /// Weights N(0, 2 / fan_in), biases 0 (He et al. 2015, eq. 10: the ReLU gain).
    He,
    /// PyTorch's `nn.Linear` default, `kaiming_uniform_(a = sqrt 5)`: weights *and* biases
    /// U(+-1 / sqrt(fan_in)).
    Pytorch,
}

/// Which stochastic objective is differentiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// SGVB A (AEVB eq. 6): Monte Carlo of log p(x,z) - log q(z|x).
    A,
    /// SGVB B (AEVB eq. 7): analytic KL plus Monte Carlo reconstruction.
    B,
    /// The importance-weighted bound of Burda et al. (2016), eq. 8, with k = samples.
    Iwae,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Adam,
    Adagrad,
}

/// The architecture. It is stored in checkpoint metadata, so a file says what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub input_dim: usize,
    /// Encoder hidden sizes, input side first; the decoder mirrors them.
    pub hidden: Vec<usize>,
    /// Size of z (z1 in the two-layer model, the layer next to x).
    pub latent: usize,
    /// Size of z2 for the two-stochastic-layer deep latent Gaussian model; None for one layer.
    pub latent2: Option<usize>,
    /// Hidden sizes of the networks between z1 and z2, z1 side first: q(z2|z1) runs z1
    /// through them and p(z1|z2) runs z2 through them in reverse. This is the two-layer
    /// architecture of Burda et al. (2016), section 5 (100-100 units between z1 of 100 and
    /// z2 of 50), whose q conditions z2 on the sampled z1. None: q(z2|x) reads the
    /// encoder's trunk (q factorised over layers) and p(z1|z2) has one hidden layer as wide
    /// as the trunk's last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden2: Option<Vec<usize>>,
    pub activation: Activation,
    pub family: Family,
    pub decoder: DecoderKind,
}

impl Default for ModelConfig {
    /// The standard configuration: 784-400-20 as in AEVB's MNIST experiments, with ReLU
    /// (tanh, the paper's, is one flag away; ReLU reaches a better ELBO in the first epoch).
    fn default() -> Self {
        ModelConfig {
            input_dim: 784,
            hidden: vec![400],
            latent: 20,
            latent2: None,
            hidden2: None,
            activation: Activation::Relu,
            family: Family::Gaussian,
            decoder: DecoderKind::Bernoulli,
        }
    }
}

/// Upper limits that keep a typo from allocating gigabytes (and a hostile checkpoint
/// header from doing the same).
pub const MAX_WIDTH: usize = 4096;
pub const MAX_LATENT: usize = 512;
pub const MAX_LAYERS: usize = 8;
pub const MAX_INPUT_DIM: usize = 65_536;
pub const MAX_BATCH: usize = 10_000;
/// Most samples per datum (L, or k for the IWAE bound).
pub const MAX_SAMPLES: usize = 5_000;
/// The learning rate lies in (0, MAX_LR].
pub const MAX_LR: f64 = 1.0;

impl ModelConfig {
    /// Checks sizes before anything is allocated from them.
    pub fn validate(&self) -> Result<(), String> {
        if self.input_dim == 0 || self.input_dim > MAX_INPUT_DIM {
            return Err(format!("input_dim must be in 1..={MAX_INPUT_DIM}, got {}", self.input_dim));
        }
        if self.hidden.is_empty() || self.hidden.len() > MAX_LAYERS {
            return Err(format!("need 1..={MAX_LAYERS} hidden layers, got {}", self.hidden.len()));
        }
        if let Some(h) = self.hidden.iter().find(|&&h| h == 0 || h > MAX_WIDTH) {
            return Err(format!("hidden sizes must be in 1..={MAX_WIDTH}, got {h}"));
        }
        if let Some(h2) = &self.hidden2 {
            if self.latent2.is_none() {
                return Err("hidden2 (the networks between z1 and z2) needs latent2".into());
            }
            if h2.is_empty() || h2.len() > MAX_LAYERS {
                return Err(format!("need 1..={MAX_LAYERS} hidden2 layers, got {}", h2.len()));
            }
            if let Some(h) = h2.iter().find(|&&h| h == 0 || h > MAX_WIDTH) {
                return Err(format!("hidden2 sizes must be in 1..={MAX_WIDTH}, got {h}"));
            }
        }
        for (name, z) in [("latent", Some(self.latent)), ("latent2", self.latent2)] {
            if let Some(z) = z {
                if z == 0 || z > MAX_LATENT {
                    return Err(format!("{name} must be in 1..={MAX_LATENT}, got {z}"));
                }
            }
        }
        Ok(())
    }
}

/// The one check of a learning rate (a run's, a live change's, Refine's): (0, MAX_LR].
pub fn check_lr(lr: f64) -> Result<(), String> {
    if !(lr.is_finite() && lr > 0.0 && lr <= MAX_LR) {
        return Err(format!("learning rate must be in (0, {MAX_LR}], got {lr}"));
    }
    Ok(())
}

/// How parameters are updated and with what objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub optimizer: OptimizerKind,
    /// The learning rate (under a schedule, its starting value): the run's one copy of it.
    /// An f64 so that the decimal a person chose (0.0005) comes back as written from a saved
    /// state; updates use its f32 (`rule_at`).
    pub lr: f64,
    /// L2 penalty on all parameters: a Gaussian prior on them, MAP as in AEVB section 5.
    pub weight_decay: f32,
    pub batch_size: usize,
    pub estimator: Estimator,
    /// L in AEVB eq. 7 (k for the IWAE bound).
    pub samples: usize,
    pub seed: u64,
    /// Adam's epsilon (Kingma & Ba 2015, Algorithm 1); the IWAE paper trains with 1e-4.
    #[serde(default = "default_adam_epsilon")]
    pub adam_epsilon: f32,
    /// KL warm-up: epochs over which the weight of the KL term rises linearly from 0 to 1
    /// (Bowman et al. 2016; Sonderby et al. 2016); 0 trains on the bound from the start.
    /// See `TrainConfig::kl_weight`.
    #[serde(default)]
    pub kl_warmup: f32,
    /// How the learning rate changes over epochs; `lr` is its starting value.
    #[serde(default)]
    pub schedule: Schedule,
}

/// Adam's epsilon when a configuration does not name one: 1e-8, Kingma & Ba's (and
/// PyTorch's) default.
pub const ADAM_EPSILON: f32 = 1e-8;

fn default_adam_epsilon() -> f32 {
    ADAM_EPSILON
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            optimizer: OptimizerKind::Adam,
            lr: 1e-3,
            weight_decay: 0.0,
            batch_size: 100,
            estimator: Estimator::B,
            samples: 1,
            seed: 1,
            adam_epsilon: ADAM_EPSILON,
            kl_warmup: 0.0,
            schedule: Schedule::Constant,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), String> {
        check_lr(self.lr)?;
        if !(self.weight_decay.is_finite() && (0.0..1.0).contains(&self.weight_decay)) {
            return Err(format!("weight decay must be in [0, 1), got {}", self.weight_decay));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(format!("batch size must be in 1..={MAX_BATCH}, got {}", self.batch_size));
        }
        if self.samples == 0 || self.samples > MAX_SAMPLES {
            return Err(format!("samples must be in 1..={MAX_SAMPLES}, got {}", self.samples));
        }
        if !(self.adam_epsilon.is_finite() && self.adam_epsilon > 0.0 && self.adam_epsilon <= 1.0) {
            return Err(format!("Adam epsilon must be in (0, 1], got {}", self.adam_epsilon));
        }
        if !(self.kl_warmup.is_finite() && self.kl_warmup >= 0.0) {
            return Err(format!("KL warm-up must be a non-negative number of epochs, got {}", self.kl_warmup));
        }
        if self.kl_warmup > 0.0 && self.estimator == Estimator::Iwae {
            return Err(KL_WARMUP_IWAE.into());
        }
        Ok(())
    }

    /// Burda et al.'s training protocol (2016, section 5): Adam with beta1 0.9, beta2 0.999,
    /// epsilon 1e-4, minibatches of 20, and their schedule (`Schedule::Iwae`) from 1e-3.
    /// (Their code's Adam differs from the paper's text: beta1 0.99, second moments starting
    /// at 1; the paper's values are used here.)
    pub fn iwae() -> Self {
        TrainConfig { batch_size: 20, adam_epsilon: 1e-4, schedule: Schedule::Iwae, ..TrainConfig::default() }
    }

    /// The learning rate of epoch `epoch` (0-based) under the schedule (in f32, as the
    /// update uses it: the f32 rate times the f32 factor).
    pub fn lr_at(&self, epoch: usize) -> f32 {
        self.lr as f32 * self.schedule.factor(epoch)
    }

    /// The update of a step in epoch `epoch`: this configuration's optimizer and settings.
    pub fn rule_at(&self, epoch: usize) -> UpdateRule {
        UpdateRule {
            kind: self.optimizer,
            lr: self.lr_at(epoch),
            weight_decay: self.weight_decay,
            epsilon: self.adam_epsilon,
        }
    }

    /// Changes the learning rate of a run in progress (a person's choice, or a rollback's
    /// halving), checked once, here.
    pub fn set_lr(&mut self, lr: f64) -> Result<(), String> {
        check_lr(lr)?;
        self.lr = lr;
        Ok(())
    }

    /// The weight beta of the KL term for a step that starts `progress` epochs into the run
    /// (epochs done plus the fraction of the current one): min(1, progress / kl_warmup).
    /// Read from the position, so a resumed run continues the same ramp.
    pub fn kl_weight(&self, progress: f64) -> f32 {
        if self.kl_warmup <= 0.0 {
            return 1.0;
        }
        (progress / self.kl_warmup as f64).min(1.0) as f32
    }
}

/// A learning-rate schedule over epochs, as factors of the starting rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// The same rate throughout.
    #[default]
    Constant,
    /// Burda et al. (2016), section 5: stage i = 0..7 runs 3^i passes at 10^(-i/7) times
    /// the starting rate, 3280 passes in all; after them the last rate stays.
    Iwae,
}

/// Stages of `Schedule::Iwae`.
pub const IWAE_STAGES: usize = 8;

impl Schedule {
    /// Epochs the schedule spans (None: no end of its own).
    pub fn epochs(self) -> Option<usize> {
        match self {
            Schedule::Constant => None,
            Schedule::Iwae => Some(Self::iwae_stage_end(IWAE_STAGES - 1)),
        }
    }

    /// Epochs done when stage `i` of `Schedule::Iwae` ends: 3^0 + ... + 3^i = (3^(i+1) - 1) / 2.
    pub fn iwae_stage_end(i: usize) -> usize {
        (3usize.pow(i as u32 + 1) - 1) / 2
    }

    /// The stage that epoch `epoch` (0-based) belongs to.
    pub fn stage(self, epoch: usize) -> usize {
        match self {
            Schedule::Constant => 0,
            Schedule::Iwae => (0..IWAE_STAGES).find(|&i| epoch < Self::iwae_stage_end(i)).unwrap_or(IWAE_STAGES - 1),
        }
    }

    /// The factor on the starting learning rate in epoch `epoch` (0-based).
    pub fn factor(self, epoch: usize) -> f32 {
        match self {
            Schedule::Constant => 1.0,
            Schedule::Iwae => 10f64.powf(-(self.stage(epoch) as f64) / 7.0) as f32,
        }
    }
}

/// Architectures of published experiments, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Burda et al. (2016), one stochastic layer: 784-200-200-50, tanh.
    #[serde(rename = "iwae-1")]
    #[cfg_attr(feature = "clap", value(name = "iwae-1"))]
    Iwae1,
    /// Burda et al. (2016), two stochastic layers: 784-200-200-100 for z1, then 100-100-50
    /// for z2 given z1 (and the generative networks mirrored).
    #[serde(rename = "iwae-2")]
    #[cfg_attr(feature = "clap", value(name = "iwae-2"))]
    Iwae2,
}

impl Preset {
    /// The architecture for images of `input_dim` pixels.
    pub fn model(self, input_dim: usize) -> ModelConfig {
        let base =
            ModelConfig { input_dim, hidden: vec![200, 200], activation: Activation::Tanh, ..ModelConfig::default() };
        match self {
            Preset::Iwae1 => ModelConfig { latent: 50, ..base },
            Preset::Iwae2 => ModelConfig { latent: 100, latent2: Some(50), hidden2: Some(vec![100, 100]), ..base },
        }
    }

    /// Glorot's uniform initialisation, as in Burda et al.'s code.
    pub fn init(self) -> Init {
        Init::Glorot
    }
}

/// Why warm-up stops at SGVB A and B. For them beta weighs KL(q || p) (B) or its Monte Carlo
/// term log p(z) - log q(z|x) (A): both anneal the same objective, E[log p(x|z)] - beta KL.
/// Inside IWAE's log-mean-exp the same weighting gives log E[p(x|z) (p(z) / q(z|x))^beta],
/// a different family of objectives whose optimum moves with k; Burda et al. train without
/// warm-up, so the IWAE runs here do too.
pub const KL_WARMUP_IWAE: &str =
    "KL warm-up is defined for estimators a and b only: inside the IWAE bound it would change the objective, not just weigh the KL term";

/// Display and FromStr through serde's lowercase names, so the CLI, the page and the
/// checkpoint metadata all spell a choice the same way.
macro_rules! string_enum {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let s = serde_json::to_value(self).map_err(|_| fmt::Error)?;
                f.write_str(s.as_str().unwrap_or_default())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                serde_json::from_value(serde_json::Value::String(s.to_lowercase()))
                    .map_err(|_| format!("unknown {} '{s}'", stringify!($t)))
            }
        }
    )*};
}
string_enum!(Activation, Family, DecoderKind, Init, Estimator, OptimizerKind, Schedule, Preset);

/// Every value of a choice, in declaration order (the vocabulary lists their names). A new
/// variant fails to compile here until it is listed: each list ends in an exhaustive match.
pub trait Choices: Sized + 'static + fmt::Display {
    const ALL: &'static [Self];

    /// The names, as serde, `FromStr` and the CLI spell them.
    fn names() -> Vec<String> {
        Self::ALL.iter().map(|v| v.to_string()).collect()
    }
}

macro_rules! choices {
    ($t:ident: $($v:ident),*) => {
        impl Choices for $t {
            const ALL: &'static [Self] = &[$($t::$v),*];
        }
        const _: fn($t) = |v| match v { $($t::$v)|* => {} };
    };
}
choices!(Activation: Tanh, Relu);
choices!(Family: Gaussian, Laplace, Logistic);
choices!(DecoderKind: Bernoulli, Gaussian);
choices!(Init: Paper, Glorot, He, Pytorch);
choices!(Estimator: A, B, Iwae);
choices!(OptimizerKind: Adam, Adagrad);
choices!(Schedule: Constant, Iwae);
choices!(Preset: Iwae1, Iwae2);
