//! `Trainer`: a model and its optimizer, stepping through a `Data` in a worker.
use crate::data::Data;
use crate::model::Model;
use crate::{from_js, to_js, Dev};
use vae_core::checkpoint;
use vae_core::config::{Init, ModelConfig, TrainConfig};
use vae_core::data::{Binarization, Dataset};
use vae_core::parallel::{self, Accumulator};
use vae_core::train::{prepare, prepare_test, Batch, Trainer as CoreTrainer};
use vae_core::Vae;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Trainer {
    inner: CoreTrainer<Dev>,
    /// The training set after a fixed binarization (drawn once); None: use `Data` as is.
    fixed: Option<Dataset>,
    /// The data-parallel step in progress: its minibatch and the parts summed so far.
    pending: Option<(Batch, Accumulator)>,
    /// Backing store of `paramsView`.
    view: Vec<f32>,
}

#[derive(serde::Serialize)]
struct Progress {
    step: u64,
    epoch: usize,
    /// Mean training bound of the steps just run (nats per image).
    bound: f64,
    cursor: usize,
    epoch_size: usize,
}

fn parse_binarization(s: &str) -> Result<Binarization, JsError> {
    s.parse().map_err(|e: String| JsError::new(&e))
}

/// Under fixed binarization, the training set binarized once (seeded); else None.
fn fixed_copy(data: &Data, binarization: Binarization, seed: u64) -> Option<Dataset> {
    (binarization == Binarization::Fixed).then(|| {
        let t = &data.split.train;
        prepare(t.clone(), binarization, seed)
    })
}

impl Trainer {
    fn build(vae: Vae<Dev>, train_config: JsValue, binarization: &str, data: &Data) -> Result<Trainer, JsError> {
        let cfg: TrainConfig = from_js(train_config, "training config")?;
        let binarization = parse_binarization(binarization)?;
        if data.split.train.is_empty() {
            return Err(JsError::new("no training data loaded"));
        }
        let fixed = fixed_copy(data, binarization, cfg.seed);
        let inner = CoreTrainer::new(vae, cfg, binarization).map_err(|e| JsError::new(&e))?;
        Ok(Trainer { inner, fixed, pending: None, view: Vec::new() })
    }

    fn data<'a>(&'a self, data: &'a Data) -> &'a Dataset {
        self.fixed.as_ref().unwrap_or(&data.split.train)
    }

    fn progress(&self, data: &Data, bound: f64) -> JsValue {
        let i = &self.inner;
        to_js(&Progress { step: i.step, epoch: i.epoch, bound, cursor: i.cursor(), epoch_size: self.data(data).len() })
    }

    fn pending(&mut self) -> Result<&mut (Batch, Accumulator), JsError> {
        self.pending.as_mut().ok_or_else(|| JsError::new("no data-parallel step in progress (call beginStep)"))
    }
}

#[wasm_bindgen]
impl Trainer {
    /// A fresh model (paper initialisation, output biases from the data's mean image).
    pub fn fresh(model_config: JsValue, train_config: JsValue, binarization: &str, data: &Data) -> Result<Trainer, JsError> {
        let config: ModelConfig = from_js(model_config, "model config")?;
        let cfg: TrainConfig = from_js(train_config.clone(), "training config")?;
        let mut vae = Vae::new(config, Init::Paper, cfg.seed, vae_core::cpu()).map_err(|e| JsError::new(&e))?;
        vae.init_output_bias(&vae_core::train::mean_image(&data.split.train));
        Self::build(vae, train_config, binarization, data)
    }

    /// Continues training a saved model (a fresh optimizer state).
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(bytes: &[u8], train_config: JsValue, binarization: &str, data: &Data) -> Result<Trainer, JsError> {
        let ck = checkpoint::from_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Self::build(Vae::from_params(ck.arch, ck.params, vae_core::cpu()), train_config, binarization, data)
    }

    /// Runs `steps` minibatch updates. A non-finite loss throws and leaves the model as it was
    /// before that step.
    pub fn run(&mut self, data: &Data, steps: usize) -> Result<JsValue, JsError> {
        if data.split.train.dim() != self.inner.vae.config().input_dim {
            return Err(JsError::new("data and model disagree on the image size"));
        }
        let (mut sum, mut n) = (0.0f64, 0usize);
        for _ in 0..steps {
            let train = self.fixed.as_ref().unwrap_or(&data.split.train);
            let s = self.inner.train_step(train).map_err(|e| JsError::new(&e.to_string()))?;
            sum += s.bound as f64;
            n += 1;
        }
        Ok(self.progress(data, sum / n.max(1) as f64))
    }

    // --- Synchronous data-parallel steps (vae_core::parallel): beginStep, then every
    // --- slice through addLocal (here) or packSlice -> a replica's workerGradient ->
    // --- addPart, then finishStep applies the one update.

    /// Draws the next minibatch; returns its number of rows.
    #[wasm_bindgen(js_name = beginStep)]
    pub fn begin_step(&mut self, data: &Data) -> usize {
        let batch = self.inner.next_batch(self.fixed.as_ref().unwrap_or(&data.split.train));
        let rows = batch.rows;
        self.pending = Some((batch, Accumulator::new(self.inner.vae.num_params())));
        rows
    }

    /// Rows `from..to` of the pending minibatch with their noise, for a replica.
    #[wasm_bindgen(js_name = packSlice)]
    pub fn pack_slice(&mut self, from: usize, to: usize) -> Result<Vec<f32>, JsError> {
        let (batch, _) = self.pending()?;
        if from >= to || to > batch.rows {
            return Err(JsError::new(&format!("bad slice {from}..{to} of {} rows", batch.rows)));
        }
        Ok(parallel::pack(batch, from, to))
    }

    /// Computes the gradient of rows `from..to` here and adds it.
    #[wasm_bindgen(js_name = addLocal)]
    pub fn add_local(&mut self, from: usize, to: usize) -> Result<(), JsError> {
        let packed = self.pack_slice(from, to)?;
        let (samples, est) = (self.inner.cfg.samples, self.inner.cfg.estimator);
        let part = parallel::worker_gradient(&self.inner.vae, &packed, to - from, samples, est).map_err(|e| JsError::new(&e))?;
        self.pending()?.1.add(&part, to - from).map_err(|e| JsError::new(&e))
    }

    /// Adds a replica's part ([bound sum, gradient...]) covering `rows` rows.
    #[wasm_bindgen(js_name = addPart)]
    pub fn add_part(&mut self, part: &[f32], rows: usize) -> Result<(), JsError> {
        self.pending()?.1.add(part, rows).map_err(|e| JsError::new(&e))
    }

    /// Applies the summed gradient once every row has its part. A non-finite bound or
    /// gradient throws and the model stays as it was.
    #[wasm_bindgen(js_name = finishStep)]
    pub fn finish_step(&mut self, data: &Data) -> Result<JsValue, JsError> {
        let (batch, acc) = self.pending.take().ok_or_else(|| JsError::new("no data-parallel step in progress"))?;
        if acc.rows != batch.rows {
            return Err(JsError::new(&format!("step has parts for {} of {} rows", acc.rows, batch.rows)));
        }
        let s = parallel::apply(&mut self.inner, acc).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(self.progress(data, s.bound as f64))
    }

    /// The parameters as a Float32Array *view* of wasm memory, for the per-step broadcast:
    /// one copy fewer than `params()`. Valid only until the next call into this module, so
    /// copy it at once (the pool copies it into the shared buffer or a transfer).
    #[wasm_bindgen(js_name = paramsView)]
    pub fn params_view(&mut self) -> js_sys::Float32Array {
        self.view = self.inner.vae.params();
        // SAFETY: `view` is not touched again until the next call into the module, and
        // the caller copies the array before making one.
        unsafe { js_sys::Float32Array::view(&self.view) }
    }

    /// Updates applied so far.
    pub fn step(&self) -> f64 {
        self.inner.step as f64
    }

    /// FNV-1a of the parameters' bits: replicas compare theirs to it.
    pub fn checksum(&self) -> u32 {
        parallel::checksum(&self.inner.vae.params())
    }

    /// The whole training state (model, optimizer moments, position, config) with `meta`.
    #[wasm_bindgen(js_name = saveState)]
    pub fn save_state(&self, meta: JsValue) -> Result<Vec<u8>, JsError> {
        let pairs = crate::meta_pairs(meta)?;
        let refs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        Ok(vae_core::state::save(&self.inner, &refs))
    }

    /// Continues a saved training state exactly; returns the trainer, its metadata is
    /// available through `Trainer.stateMeta(bytes)`.
    #[wasm_bindgen(js_name = restoreState)]
    pub fn restore_state(bytes: &[u8], data: &Data) -> Result<Trainer, JsError> {
        let (inner, _) = vae_core::state::restore(bytes, vae_core::cpu()).map_err(|e| JsError::new(&e.to_string()))?;
        if data.split.train.dim() != inner.vae.config().input_dim || data.split.train.is_empty() {
            return Err(JsError::new("the saved state does not fit the loaded data"));
        }
        let fixed = fixed_copy(data, inner.binarization, inner.cfg.seed);
        Ok(Trainer { inner, fixed, pending: None, view: Vec::new() })
    }

    /// Test ELBO on the first `limit` test images (fixed binarization for binary models).
    #[wasm_bindgen(js_name = testElbo)]
    pub fn test_elbo(&self, data: &Data, limit: usize) -> f64 {
        let t = &data.split.test;
        let n = limit.clamp(1, t.len().max(1)).min(t.len());
        let x = prepare_test(&t.subset(n).pixels(), self.inner.binarization);
        vae_core::eval::elbo(&self.inner.vae, &x, 1, 1)
    }

    pub fn params(&self) -> Vec<f32> {
        self.inner.vae.params()
    }

    /// A copy of the current model for inference.
    pub fn model(&self) -> Model {
        let v = &self.inner.vae;
        Model { vae: Vae::from_params(v.arch.clone(), v.params(), vae_core::cpu()) }
    }

    #[wasm_bindgen(js_name = toCheckpoint)]
    pub fn to_checkpoint(&self, meta: JsValue) -> Result<Vec<u8>, JsError> {
        self.model().to_checkpoint(meta)
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<(), JsError> {
        let mut c = self.inner.cfg.clone();
        c.lr = lr;
        c.validate().map_err(|e| JsError::new(&e))?;
        self.inner.cfg.lr = lr;
        self.inner.opt.lr = lr;
        Ok(())
    }

    pub fn config(&self) -> JsValue {
        to_js(self.inner.vae.config())
    }

    #[wasm_bindgen(js_name = trainConfig)]
    pub fn train_config(&self) -> JsValue {
        to_js(&self.inner.cfg)
    }
}
