//! `Trainer`: a model and its optimizer, stepping through a `Data` in a worker.
use crate::data::Data;
use crate::model::Model;
use crate::{from_js, to_js, Dev};
use vae_core::checkpoint;
use vae_core::config::{Init, ModelConfig, TrainConfig};
use vae_core::data::{Binarization, Dataset};
use vae_core::train::{prepare, prepare_test, Trainer as CoreTrainer};
use vae_core::Vae;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Trainer {
    inner: CoreTrainer<Dev>,
    /// The training set after a fixed binarization (drawn once); None: use `Data` as is.
    fixed: Option<Dataset>,
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

impl Trainer {
    fn build(vae: Vae<Dev>, train_config: JsValue, binarization: &str, data: &Data) -> Result<Trainer, JsError> {
        let cfg: TrainConfig = from_js(train_config, "training config")?;
        let binarization = parse_binarization(binarization)?;
        if data.split.train.is_empty() {
            return Err(JsError::new("no training data loaded"));
        }
        let fixed = (binarization == Binarization::Fixed).then(|| {
            let t = &data.split.train;
            Dataset { images: prepare(&t.images, binarization, cfg.seed), labels: t.labels.clone(), rows: t.rows, cols: t.cols }
        });
        let inner = CoreTrainer::new(vae, cfg, binarization).map_err(|e| JsError::new(&e))?;
        Ok(Trainer { inner, fixed })
    }

    fn data<'a>(&'a self, data: &'a Data) -> &'a Dataset {
        self.fixed.as_ref().unwrap_or(&data.split.train)
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
        let i = &self.inner;
        Ok(to_js(&Progress { step: i.step, epoch: i.epoch, bound: sum / n.max(1) as f64, cursor: i.cursor(), epoch_size: self.data(data).len() }))
    }

    /// Test ELBO on the first `limit` test images (fixed binarization for binary models).
    #[wasm_bindgen(js_name = testElbo)]
    pub fn test_elbo(&self, data: &Data, limit: usize) -> f64 {
        let t = &data.split.test;
        let n = limit.clamp(1, t.len().max(1)).min(t.len());
        let x = prepare_test(&t.images[..n * t.dim()], self.inner.binarization);
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
