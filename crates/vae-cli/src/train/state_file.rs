//! Training states on disk: what `--save-state` writes and `--resume` reads. The core's
//! `state` module stores the trainer (parameters, Adam moments, step, epoch, position in
//! the data, training configuration); this adds the run's setup and its curves, so a
//! resumed run reports the same metrics as one that never stopped.
use super::flags::Setup;
use crate::args::write_atomic;
use dfdx::prelude::Device;
use serde::{Deserialize, Serialize};
use std::path::Path;
use vae_core::config::Preset;
use vae_core::data::DatasetKind;
use vae_core::state;
use vae_core::train::Trainer;
use vae_core::Init;

const SETUP: &str = "cli.setup";
const HISTORY: &str = "cli.history";

/// The parts of a run's setup the core's state does not hold.
#[derive(Serialize, Deserialize)]
struct SavedSetup {
    init: Init,
    dataset: DatasetKind,
    preset: Option<Preset>,
    train_limit: Option<usize>,
    test_limit: Option<usize>,
    /// Training images the run uses, to refuse a resume on other data.
    train_images: usize,
}

/// Per-epoch curves of a run so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub train_elbo: Vec<f64>,
    pub test_elbo: Vec<f64>,
    pub samples_per_sec: Vec<f64>,
    /// Wall-clock seconds of training and evaluation, over all invocations.
    pub seconds: f64,
}

/// Writes the state of `trainer` with the run's setup and curves (atomically: a crash
/// mid-write leaves the previous state in place).
pub fn save<D: Device<f32>>(
    path: &Path,
    trainer: &Trainer<D>,
    setup: &Setup,
    history: &History,
    train_images: usize,
) -> Result<(), String> {
    let saved = SavedSetup {
        init: setup.init,
        dataset: setup.dataset,
        preset: setup.preset,
        train_limit: setup.train_limit,
        test_limit: setup.test_limit,
        train_images,
    };
    let extra = [
        (SETUP, serde_json::to_string(&saved).expect("serialises")),
        (HISTORY, serde_json::to_string(history).expect("serialises")),
    ];
    write_atomic(path, &state::save(trainer, &extra))
}

/// A restored trainer, its setup and curves, and the number of training images it used.
pub fn open<D: Device<f32>>(path: &Path, dev: D) -> Result<(Trainer<D>, Setup, History, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let (trainer, meta) = state::restore(&bytes, dev)
        .map_err(|e| format!("{} is not a training state written by `vae train --save-state`: {e}", path.display()))?;
    let field = |key: &str| {
        meta.get(key).ok_or_else(|| {
            format!("{}: training state lacks '{key}' (was it written by `vae train --save-state`?)", path.display())
        })
    };
    let saved: SavedSetup =
        serde_json::from_str(field(SETUP)?).map_err(|e| format!("{}: '{SETUP}': {e}", path.display()))?;
    let history: History =
        serde_json::from_str(field(HISTORY)?).map_err(|e| format!("{}: '{HISTORY}': {e}", path.display()))?;
    let setup = Setup {
        model: trainer.vae.config().clone(),
        train: trainer.cfg.clone(),
        init: saved.init,
        binarization: trainer.binarization,
        dataset: saved.dataset,
        preset: saved.preset,
        train_limit: saved.train_limit,
        test_limit: saved.test_limit,
    };
    Ok((trainer, setup, history, saved.train_images))
}
