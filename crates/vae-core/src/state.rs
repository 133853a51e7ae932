//! A whole training state in one safetensors blob: the model, the optimizer's moments and
//! step count, the position in the data, the training config, and whatever the caller
//! adds (the page stores its ELBO curves). Restoring it continues the run exactly where it
//! stopped: the next minibatch, noise and update are the ones the run would have made.
//!
//! `TrainingState` is the blob's content as plain parts, so that K sharded workers (each
//! holding a shard of the moments) can be assembled into one state and restored from it.
use crate::checkpoint::{from_bytes_with, to_bytes_with, Checkpoint, CheckpointError};
use crate::config::TrainConfig;
use crate::data::binarize::Binarization;
use crate::model::Architecture;
use crate::train::{Position, Trainer};
use crate::vae::Vae;
use dfdx::prelude::*;
use std::collections::HashMap;

const MOMENTS: [&str; 2] = ["optim.m", "optim.v"];

/// Everything a training state holds.
#[derive(Clone, Debug)]
pub struct TrainingState {
    pub arch: Architecture,
    pub params: Vec<f32>,
    pub cfg: TrainConfig,
    pub binarization: Binarization,
    pub position: Position,
    /// Adam's t (updates applied), first and second moments; Adagrad's sum of squares in `v`.
    pub optim_t: u64,
    pub m: Vec<f32>,
    pub v: Vec<f32>,
    pub metadata: HashMap<String, String>,
}

impl TrainingState {
    /// The state a run starts from: `vae`'s parameters, no updates yet, zero moments, at the
    /// start of the data. `cfg` is validated here.
    pub fn fresh<D: Device<f32>>(vae: &Vae<D>, cfg: TrainConfig, binarization: Binarization) -> Result<Self, String> {
        cfg.validate()?;
        let n = vae.num_params();
        Ok(TrainingState {
            params: vae.params(),
            arch: vae.arch.clone(),
            cfg,
            binarization,
            position: Position::default(),
            optim_t: 0,
            m: vec![0.0; n],
            v: vec![0.0; n],
            metadata: HashMap::new(),
        })
    }

    /// The blob, with `extra` metadata (keys must not start with "state.").
    pub fn to_bytes(&self, extra: &[(&str, String)]) -> Vec<u8> {
        let p = self.position;
        let mut meta: Vec<(&str, String)> = vec![
            ("state.train_config", serde_json::to_string(&self.cfg).expect("config serialises")),
            ("state.binarization", self.binarization.to_string()),
            ("state.step", p.step.to_string()),
            ("state.epoch", p.epoch.to_string()),
            ("state.cursor", p.cursor.to_string()),
            ("state.optim_t", self.optim_t.to_string()),
        ];
        meta.extend(extra.iter().cloned());
        to_bytes_with(&self.arch, &self.params, &[(MOMENTS[0], &self.m), (MOMENTS[1], &self.v)], &meta)
    }

    /// Parses a blob. Every check of a checkpoint applies, and the optimizer state and
    /// position must be present and sane.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let (Checkpoint { arch, params, metadata }, mut moments) = from_bytes_with(bytes, &MOMENTS)?;
        let get =
            |k: &str| metadata.get(k).ok_or_else(|| CheckpointError::BadConfig(format!("training state lacks '{k}'")));
        let num = |k: &str| -> Result<u64, CheckpointError> {
            get(k)?.parse::<u64>().map_err(|e| CheckpointError::BadConfig(format!("'{k}': {e}")))
        };
        let cfg: TrainConfig =
            serde_json::from_str(get("state.train_config")?).map_err(|e| CheckpointError::BadConfig(e.to_string()))?;
        cfg.validate().map_err(CheckpointError::BadConfig)?;
        let binarization: Binarization = get("state.binarization")?.parse().map_err(CheckpointError::BadConfig)?;
        let (step, epoch, cursor, optim_t) =
            (num("state.step")?, num("state.epoch")?, num("state.cursor")?, num("state.optim_t")?);
        let position = Position { step, epoch: epoch as usize, cursor: cursor as usize };
        let v = moments.pop().expect("two moments");
        let m = moments.pop().expect("two moments");
        Ok(TrainingState { arch, params, cfg, binarization, position, optim_t, m, v, metadata })
    }
}

/// Serialises `trainer` with `extra` metadata (keys must not start with "state.").
pub fn save<D: Device<f32>>(trainer: &Trainer<D>, extra: &[(&str, String)]) -> Vec<u8> {
    let (optim_t, m, v) = trainer.opt.state();
    let state = TrainingState {
        arch: trainer.vae.arch.clone(),
        params: trainer.vae.params(),
        cfg: trainer.cfg.clone(),
        binarization: trainer.binarization,
        position: Position { step: trainer.step, epoch: trainer.epoch, cursor: trainer.cursor() },
        optim_t,
        m,
        v,
        metadata: HashMap::new(),
    };
    state.to_bytes(extra)
}

/// A restored trainer and the state's metadata.
pub fn restore<D: Device<f32>>(bytes: &[u8], dev: D) -> Result<(Trainer<D>, HashMap<String, String>), CheckpointError> {
    let s = TrainingState::from_bytes(bytes)?;
    let vae = Vae::from_params(s.arch, s.params, dev);
    let mut trainer = Trainer::new(vae, s.cfg, s.binarization).map_err(CheckpointError::BadConfig)?;
    trainer.opt.set_state(s.optim_t, &s.m, &s.v);
    trainer.set_position(s.position.step, s.position.epoch, s.position.cursor);
    Ok((trainer, s.metadata))
}
