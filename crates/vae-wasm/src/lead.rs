//! `Lead`: what the first training worker keeps besides its replica: the run's
//! configuration, its position in the data (it draws every minibatch), a fixed
//! binarization of the training set when asked for, and the held-out evaluation.
use crate::data::Data;
use crate::error::Failure;
use crate::replica::Replica;
use crate::{from_js, meta_pairs, to_js, Dev};
use vae_core::checkpoint;
use vae_core::config::{Init, ModelConfig, TrainConfig};
use vae_core::data::{Binarization, Dataset};
use vae_core::model::Architecture;
use vae_core::state::TrainingState;
use vae_core::train::{fresh_model, prepare, prepare_test};
use vae_core::ErrorKind;
use vae_core::Vae;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Lead {
    state: TrainingState,
    order: Vec<usize>,
    /// The training set binarized once (fixed binarization); None: use `Data` as is.
    fixed: Option<Dataset>,
    /// The first test images as evaluated, cached for the periodic test ELBO.
    test: Option<(usize, Vec<f32>)>,
    /// Rows of the minibatch drawn last.
    rows: usize,
    epoch_size: usize,
}

#[derive(serde::Serialize)]
struct Progress {
    step: u64,
    epoch: usize,
    cursor: usize,
    epoch_size: usize,
}

impl Lead {
    /// The training set binarized once under fixed binarization (the core's `prepare`, as the
    /// CLI's), else None.
    fn fixed_set(binarization: Binarization, data: &Data) -> Option<Dataset> {
        (binarization == Binarization::Fixed).then(|| prepare(data.split.train.clone(), binarization))
    }

    fn build(state: TrainingState, data: &Data, fixed: Option<Dataset>) -> Result<Lead, Failure> {
        let train = &data.split.train;
        if train.is_empty() {
            return Err(Failure::data("no training data loaded"));
        }
        if train.dim() != state.arch.config.input_dim {
            return Err(Failure::data("the model and the data disagree on the image size"));
        }
        Ok(Lead { state, order: Vec::new(), fixed, test: None, rows: 0, epoch_size: train.len() })
    }

    /// A run starting at step 0 from `vae`; `fixed` is `fixed_set`'s for `binarization`.
    fn start(
        vae: Vae<Dev>,
        cfg: TrainConfig,
        binarization: Binarization,
        data: &Data,
        fixed: Option<Dataset>,
    ) -> Result<Lead, Failure> {
        Self::build(TrainingState::fresh(&vae, cfg, binarization).map_err(Failure::config)?, data, fixed)
    }
}

#[wasm_bindgen]
impl Lead {
    /// A fresh run: a new model seeded from the config (initialisation `init`, the core's
    /// default when absent), output biases at the data's mean log-odds.
    pub fn fresh(
        model_config: JsValue,
        train_config: JsValue,
        binarization: &str,
        init: Option<String>,
        data: &Data,
    ) -> Result<Lead, Failure> {
        let config: ModelConfig = from_js(model_config, "model config")?;
        let cfg: TrainConfig = from_js(train_config, "training config")?;
        let init: Init = init.map_or(Ok(Init::default()), |s| s.parse()).map_err(Failure::config)?;
        let binarization: Binarization = binarization.parse().map_err(Failure::config)?;
        // The output biases start at the mean of the images trained on: under fixed
        // binarization the binary set's, as the CLI's (`Trainer::fresh` on prepared data).
        let fixed = Self::fixed_set(binarization, data);
        let train = fixed.as_ref().unwrap_or(&data.split.train);
        let vae = fresh_model(config, init, cfg.seed, train, vae_core::cpu()).map_err(Failure::config)?;
        Self::start(vae, cfg, binarization, data, fixed)
    }

    /// Continues training a saved model with a fresh optimizer.
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(
        bytes: &[u8],
        train_config: JsValue,
        binarization: &str,
        data: &Data,
    ) -> Result<Lead, Failure> {
        let ck = checkpoint::from_bytes(bytes)?;
        let cfg: TrainConfig = from_js(train_config, "training config")?;
        let binarization: Binarization = binarization.parse().map_err(Failure::config)?;
        let vae = Vae::from_params(ck.arch, ck.params, vae_core::cpu());
        Self::start(vae, cfg, binarization, data, Self::fixed_set(binarization, data))
    }

    /// Continues a saved training state exactly where it stopped.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(bytes: &[u8], data: &Data) -> Result<Lead, Failure> {
        let state = TrainingState::from_bytes(bytes)?;
        let fixed = Self::fixed_set(state.binarization, data);
        Self::build(state, data, fixed)
    }

    /// The state the workers start from (`Replica.fromState`), as last assembled.
    pub fn state(&self, meta: JsValue) -> Result<Vec<u8>, Failure> {
        let pairs = meta_pairs(meta)?;
        let refs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        Ok(self.state.to_bytes(&refs))
    }

    /// Takes the workers' current parameters (from the lead's `replica`) and optimizer
    /// state (`m` and `v`: every shard's, concatenated in worker order) into the state.
    #[wasm_bindgen(js_name = setParts)]
    pub fn set_parts(&mut self, replica: &Replica, optim_t: f64, m: &[f32], v: &[f32]) -> Result<(), Failure> {
        let n = self.state.params.len();
        let params = replica.params();
        if params.len() != n || m.len() != n || v.len() != n {
            return Err(Failure::new(
                ErrorKind::ArchitectureMismatch,
                format!(
                    "a training state of {n} parameters needs {n} values each, got {}, {} and {}",
                    params.len(),
                    m.len(),
                    v.len()
                ),
            ));
        }
        self.state.params.copy_from_slice(params);
        self.state.m.copy_from_slice(m);
        self.state.v.copy_from_slice(v);
        self.state.optim_t = optim_t as u64;
        Ok(())
    }

    /// The next minibatch's stored bytes (rows x pixels); the position advances, the step
    /// only with `commit`.
    #[wasm_bindgen(js_name = nextMinibatch)]
    pub fn next_minibatch(&mut self, data: &Data) -> Vec<u8> {
        let train = self.fixed.as_ref().unwrap_or(&data.split.train);
        let (seed, batch) = (self.state.cfg.seed, self.state.cfg.batch_size);
        let mb = self.state.position.next(seed, batch, &mut self.order, train);
        self.rows = mb.rows;
        mb.bytes
    }

    /// Rows of the minibatch drawn last.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The step the next update is (updates applied so far).
    pub fn step(&self) -> f64 {
        self.state.position.step as f64
    }

    /// The drawn minibatch's update was applied by every worker.
    pub fn commit(&mut self) {
        self.state.position.step += 1;
    }

    pub fn progress(&self) -> JsValue {
        let p = self.state.position;
        to_js(&Progress { step: p.step, epoch: p.epoch, cursor: p.cursor, epoch_size: self.epoch_size })
    }

    /// Test ELBO (nats per image) of `replica`'s parameters on the first `limit` test
    /// images, as the CLI evaluates it (one fixed binarization for binary models).
    #[wasm_bindgen(js_name = testElbo)]
    pub fn test_elbo(&mut self, replica: &Replica, data: &Data, limit: usize) -> Result<f64, Failure> {
        let (vae, x) = self.test_model(replica, data, limit)?;
        Ok(vae_core::eval::elbo(&vae, x, 1, 1))
    }

    /// `testElbo` split into its two terms in one pass, on the same images and noise:
    /// {reconstruction, kl, elbo} (vae_core::inference::activity::ElboTerms).
    #[wasm_bindgen(js_name = testTerms)]
    pub fn test_terms(&mut self, replica: &Replica, data: &Data, limit: usize) -> Result<JsValue, Failure> {
        let (vae, x) = self.test_model(replica, data, limit)?;
        Ok(to_js(&vae_core::inference::activity::elbo_terms(&vae, x, 1, 1)))
    }

    /// `replica`'s model and the first `limit` test images as evaluated (cached).
    fn test_model(&mut self, replica: &Replica, data: &Data, limit: usize) -> Result<(Vae<Dev>, &[f32]), Failure> {
        let params = replica.params();
        if params.len() != self.state.params.len() {
            return Err(Failure::new(ErrorKind::ArchitectureMismatch, "parameters do not fit the model"));
        }
        let t = &data.split.test;
        let n = limit.clamp(1, t.len().max(1)).min(t.len());
        if self.test.as_ref().map(|(k, _)| *k) != Some(n) {
            self.test = Some((n, prepare_test(&t.subset(n).pixels(), self.state.binarization)));
        }
        let vae = Vae::from_params(self.state.arch.clone(), params.to_vec(), vae_core::cpu());
        Ok((vae, &self.test.as_ref().expect("set above").1))
    }

    /// A model checkpoint of `replica`'s parameters with `meta`.
    #[wasm_bindgen(js_name = toCheckpoint)]
    pub fn to_checkpoint(&self, replica: &Replica, meta: JsValue) -> Result<Vec<u8>, Failure> {
        let params = replica.params();
        let pairs = meta_pairs(meta)?;
        let refs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let arch: &Architecture = &self.state.arch;
        if params.len() != arch.layout.len {
            return Err(Failure::new(ErrorKind::ArchitectureMismatch, "parameters do not fit the model"));
        }
        Ok(checkpoint::to_bytes(arch, params, &refs))
    }

    /// Sets the learning rate the state records (the workers set theirs).
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Failure> {
        self.state.cfg.set_lr(lr).map_err(Failure::config)
    }

    pub fn config(&self) -> JsValue {
        to_js(&self.state.arch.config)
    }

    #[wasm_bindgen(js_name = trainConfig)]
    pub fn train_config(&self) -> JsValue {
        to_js(&self.state.cfg)
    }

    #[wasm_bindgen(js_name = numParams)]
    pub fn num_params(&self) -> usize {
        self.state.params.len()
    }
}
