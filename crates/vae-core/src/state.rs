//! A whole training state in one safetensors blob: the model, the optimizer's moments and
//! step count, the position in the data, the training config, and whatever the caller
//! adds (the page stores its ELBO curves). Restoring it continues the run exactly where it
//! stopped: the next minibatch, noise and update are the ones the run would have made.
use crate::checkpoint::{from_bytes_with, to_bytes_with, Checkpoint, CheckpointError};
use crate::config::TrainConfig;
use crate::data::binarize::Binarization;
use crate::train::Trainer;
use crate::vae::Vae;
use dfdx::prelude::*;
use std::collections::HashMap;

const MOMENTS: [&str; 2] = ["optim.m", "optim.v"];

/// Serialises `trainer` with `extra` metadata (keys must not start with "state.").
pub fn save<D: Device<f32>>(trainer: &Trainer<D>, extra: &[(&str, String)]) -> Vec<u8> {
    let (t, m, v) = trainer.opt.state();
    let mut meta: Vec<(&str, String)> = vec![
        ("state.train_config", serde_json::to_string(&trainer.cfg).expect("config serialises")),
        ("state.binarization", trainer.binarization.to_string()),
        ("state.step", trainer.step.to_string()),
        ("state.epoch", trainer.epoch.to_string()),
        ("state.cursor", trainer.cursor().to_string()),
        ("state.optim_t", t.to_string()),
    ];
    meta.extend(extra.iter().cloned());
    to_bytes_with(&trainer.vae.arch, &trainer.vae.params(), &[(MOMENTS[0], &m), (MOMENTS[1], &v)], &meta)
}

/// A restored trainer and the state's metadata. Every check of a checkpoint applies, and
/// the optimizer state and position must be present and sane.
pub fn restore<D: Device<f32>>(bytes: &[u8], dev: D) -> Result<(Trainer<D>, HashMap<String, String>), CheckpointError> {
    let (Checkpoint { arch, params, metadata }, moments) = from_bytes_with(bytes, &MOMENTS)?;
    let get = |k: &str| metadata.get(k).ok_or_else(|| CheckpointError::BadConfig(format!("training state lacks '{k}'")));
    let num = |k: &str| -> Result<u64, CheckpointError> {
        get(k)?.parse::<u64>().map_err(|e| CheckpointError::BadConfig(format!("'{k}': {e}")))
    };
    let cfg: TrainConfig = serde_json::from_str(get("state.train_config")?).map_err(|e| CheckpointError::BadConfig(e.to_string()))?;
    let binarization: Binarization = get("state.binarization")?.parse().map_err(CheckpointError::BadConfig)?;
    let (step, epoch, cursor, t) = (num("state.step")?, num("state.epoch")?, num("state.cursor")?, num("state.optim_t")?);
    let vae = Vae::from_params(arch, params, dev);
    let mut trainer = Trainer::new(vae, cfg, binarization).map_err(CheckpointError::BadConfig)?;
    trainer.opt.set_state(t, &moments[0], &moments[1]);
    trainer.set_position(step, epoch as usize, cursor as usize);
    Ok((trainer, metadata))
}
