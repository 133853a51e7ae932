//! The core's vocabulary in one value: the defaults, the name of every choice and the valid
//! ranges. The page builds its defaults, its form's options and its parser from it
//! (www/src/pure/vocabulary.json, which `tests/vocabulary.rs` keeps equal to this), the
//! binding returns it (`vocabulary()`, checked against the JSON at start-up), and the CLI
//! takes the same enums and defaults (clap `ValueEnum`, the `clap` feature).
use crate::config::{
    Activation, Choices, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind, Preset, Schedule,
    TrainConfig, MAX_BATCH, MAX_INPUT_DIM, MAX_LATENT, MAX_LAYERS, MAX_LR, MAX_SAMPLES, MAX_WIDTH,
};
use crate::data::{Binarization, DatasetKind};
use crate::error::ErrorKind;
use crate::parallel::MAX_WORKERS;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vocabulary {
    pub defaults: Defaults,
    pub names: Names,
    pub limits: Limits,
}

/// What a run uses when nobody chooses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Defaults {
    pub model: ModelConfig,
    pub train: TrainConfig,
    pub init: Init,
    pub binarization: Binarization,
    pub dataset: DatasetKind,
}

/// The spelling of every value of every choice, in declaration order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Names {
    pub activation: Vec<String>,
    pub family: Vec<String>,
    pub decoder: Vec<String>,
    pub init: Vec<String>,
    pub estimator: Vec<String>,
    pub optimizer: Vec<String>,
    pub schedule: Vec<String>,
    pub preset: Vec<String>,
    pub binarization: Vec<String>,
    pub dataset: Vec<String>,
    /// The kinds of error a caller can act on (`ErrorKind::name`).
    pub error: Vec<String>,
}

/// Inclusive ranges [lo, hi], except the learning rate's (0, hi].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Limits {
    pub input_dim: [usize; 2],
    pub latent: [usize; 2],
    pub hidden: [usize; 2],
    pub layers: [usize; 2],
    pub lr_max: f64,
    pub batch: [usize; 2],
    pub samples: [usize; 2],
    pub workers: [usize; 2],
}

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        defaults: Defaults {
            model: ModelConfig::default(),
            train: TrainConfig::default(),
            init: Init::default(),
            binarization: Binarization::default(),
            dataset: DatasetKind::default(),
        },
        names: Names {
            activation: Activation::names(),
            family: Family::names(),
            decoder: DecoderKind::names(),
            init: Init::names(),
            estimator: Estimator::names(),
            optimizer: OptimizerKind::names(),
            schedule: Schedule::names(),
            preset: Preset::names(),
            binarization: Binarization::names(),
            dataset: DatasetKind::names(),
            error: ErrorKind::ALL.iter().map(|k| k.name().to_string()).collect(),
        },
        limits: Limits {
            input_dim: [1, MAX_INPUT_DIM],
            latent: [1, MAX_LATENT],
            hidden: [1, MAX_WIDTH],
            layers: [1, MAX_LAYERS],
            lr_max: MAX_LR,
            batch: [1, MAX_BATCH],
            samples: [1, MAX_SAMPLES],
            workers: [1, MAX_WORKERS],
        },
    }
}

/// The vocabulary as the page's JSON file holds it (two-space indents, a final newline).
pub fn to_json() -> String {
    serde_json::to_string_pretty(&vocabulary()).expect("the vocabulary serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn round_trip<T: Choices + FromStr + PartialEq + std::fmt::Debug>() {
        for v in T::ALL {
            assert_eq!(T::from_str(&v.to_string()).ok().as_ref(), Some(v), "{v}");
        }
    }

    #[test]
    fn every_name_parses_back_to_its_value() {
        round_trip::<Activation>();
        round_trip::<Family>();
        round_trip::<DecoderKind>();
        round_trip::<Init>();
        round_trip::<Estimator>();
        round_trip::<OptimizerKind>();
        round_trip::<Schedule>();
        round_trip::<Preset>();
        round_trip::<Binarization>();
        round_trip::<DatasetKind>();
    }

    #[test]
    fn the_limits_are_the_ones_validation_applies() {
        let ok = TrainConfig::default();
        let l = vocabulary().limits;
        assert!(TrainConfig { lr: l.lr_max, ..ok.clone() }.validate().is_ok());
        assert!(TrainConfig { lr: l.lr_max * 1.01, ..ok.clone() }.validate().is_err());
        assert!(TrainConfig { batch_size: l.batch[1], ..ok.clone() }.validate().is_ok());
        assert!(TrainConfig { batch_size: l.batch[1] + 1, ..ok.clone() }.validate().is_err());
        assert!(TrainConfig { samples: l.samples[1], ..ok.clone() }.validate().is_ok());
        assert!(TrainConfig { samples: l.samples[1] + 1, ..ok }.validate().is_err());
        let m = ModelConfig::default();
        assert!(ModelConfig { latent: l.latent[1], ..m.clone() }.validate().is_ok());
        assert!(ModelConfig { latent: l.latent[1] + 1, ..m.clone() }.validate().is_err());
        assert!(ModelConfig { hidden: vec![l.hidden[1]], ..m.clone() }.validate().is_ok());
        assert!(ModelConfig { hidden: vec![l.hidden[1] + 1], ..m }.validate().is_err());
    }
}
