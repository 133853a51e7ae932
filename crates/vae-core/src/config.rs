//! Run-time configuration of the model and of training. Everything a user can pick in the
//! CLI or the page lives here, so no choice needs a recompile (dfdx's const-generic layers
//! would force one).
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Nonlinearity between hidden layers. The AEVB paper uses tanh (Appendix C).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Tanh,
    Relu,
}

/// The reparameterizable family of q(z|x). All three are location-scale families, so
/// z = mu + scale * eps with eps drawn from the standard member (AEVB section 2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Gaussian,
    Laplace,
    Logistic,
}

/// The observation model p(x|z) (AEVB Appendix C.1 Bernoulli, C.2 Gaussian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecoderKind {
    Bernoulli,
    Gaussian,
}

/// Weight initialisation. `Paper` is N(0, 0.01^2) as in AEVB section 5; `Glorot` scales
/// with fan-in and fan-out, which ReLU networks tend to prefer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    Paper,
    Glorot,
}

/// Which stochastic objective is differentiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

impl ModelConfig {
    /// Checks sizes before anything is allocated from them.
    pub fn validate(&self) -> Result<(), String> {
        if self.input_dim == 0 || self.input_dim > 65_536 {
            return Err(format!("input_dim must be in 1..=65536, got {}", self.input_dim));
        }
        if self.hidden.is_empty() || self.hidden.len() > MAX_LAYERS {
            return Err(format!("need 1..={MAX_LAYERS} hidden layers, got {}", self.hidden.len()));
        }
        if let Some(h) = self.hidden.iter().find(|&&h| h == 0 || h > MAX_WIDTH) {
            return Err(format!("hidden sizes must be in 1..={MAX_WIDTH}, got {h}"));
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

/// How parameters are updated and with what objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub optimizer: OptimizerKind,
    pub lr: f32,
    /// L2 penalty on all parameters: a Gaussian prior on them, MAP as in AEVB section 5.
    pub weight_decay: f32,
    pub batch_size: usize,
    pub estimator: Estimator,
    /// L in AEVB eq. 7 (k for the IWAE bound).
    pub samples: usize,
    pub seed: u64,
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
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 1.0) {
            return Err(format!("learning rate must be in (0, 1], got {}", self.lr));
        }
        if !(self.weight_decay.is_finite() && (0.0..1.0).contains(&self.weight_decay)) {
            return Err(format!("weight decay must be in [0, 1), got {}", self.weight_decay));
        }
        if self.batch_size == 0 || self.batch_size > 10_000 {
            return Err(format!("batch size must be in 1..=10000, got {}", self.batch_size));
        }
        if self.samples == 0 || self.samples > 5_000 {
            return Err(format!("samples must be in 1..=5000, got {}", self.samples));
        }
        Ok(())
    }
}

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
string_enum!(Activation, Family, DecoderKind, Init, Estimator, OptimizerKind);
