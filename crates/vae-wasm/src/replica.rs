//! `Replica`: one of K training workers (vae_core::parallel). It computes the gradient of
//! its rows of each minibatch, owns one shard of the parameters' optimizer state, and
//! exchanges shards with the other workers through typed-array views of its memory (the
//! page's scheduler in www/src/ moves them: shared memory when isolated, messages else).
use crate::error::Failure;
use crate::model::Model;
use crate::Dev;
use vae_core::parallel::{self, Replica as CoreReplica, MAX_WORKERS};
use vae_core::state::TrainingState;
use vae_core::Vae;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Replica {
    inner: CoreReplica<Dev>,
    /// K slots of shard length: slot i receives worker i's gradient of this worker's shard.
    staging: Vec<f32>,
    /// Backing store of `moments`.
    moments: Vec<f32>,
}

impl Replica {
    pub(crate) fn params(&self) -> &[f32] {
        &self.inner.params
    }
}

#[wasm_bindgen]
impl Replica {
    /// Worker `s` of `k`, from a training state (`Lead.state`).
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(bytes: &[u8], k: usize, s: usize) -> Result<Replica, Failure> {
        if k == 0 || s >= k || k > MAX_WORKERS {
            return Err(Failure::argument(format!("worker {s} of {k}: need 0 <= s < k <= {MAX_WORKERS}")));
        }
        let state = TrainingState::from_bytes(bytes)?;
        let inner = CoreReplica::from_state(&state, vae_core::cpu(), k, s);
        // Alone, a worker needs no staging: its update reads its own gradient.
        let staging = if k > 1 { vec![0.0; k * inner.shard.len()] } else { Vec::new() };
        Ok(Replica { inner, staging, moments: Vec::new() })
    }

    /// The gradient of rows `first..` of minibatch `step` (their stored bytes): returns
    /// [bound summed over the rows, rows, 1 if everything was finite else 0].
    pub fn gradient(&mut self, step: f64, first: usize, bytes: &[u8]) -> Result<Vec<f64>, Failure> {
        let dim = self.inner.draws.dim;
        if !bytes.len().is_multiple_of(dim) {
            return Err(Failure::data(format!("a slice of whole images of {dim} pixels, got {} bytes", bytes.len())));
        }
        let p = self.inner.gradient(step as u64, first, bytes);
        Ok(vec![p.bound_sum as f64, p.rows as f64, if p.finite { 1.0 } else { 0.0 }])
    }

    /// This worker's gradient (all parameters) as a view of wasm memory: valid until the
    /// next call into the module, so copy from it at once.
    #[wasm_bindgen(js_name = gradView)]
    pub fn grad_view(&self) -> js_sys::Float32Array {
        // SAFETY: the caller copies out before calling into the module again.
        unsafe { js_sys::Float32Array::view(&self.inner.grad) }
    }

    /// The K receiving slots for this worker's shard (slot i for worker i), as a view
    /// (valid until the next call into the module). Its own slot is not read: its own part
    /// comes from its gradient.
    #[wasm_bindgen(js_name = stagingView)]
    pub fn staging_view(&mut self) -> js_sys::Float32Array {
        // SAFETY: as gradView.
        unsafe { js_sys::Float32Array::view_mut_raw(self.staging.as_mut_ptr(), self.staging.len()) }
    }

    /// Sums the staged gradients of this worker's shard (its own from `gradient`), for
    /// `applyUpdate`.
    #[wasm_bindgen(js_name = reduceShard)]
    pub fn reduce_shard(&mut self) {
        self.inner.reduce_staged(&self.staging);
    }

    /// One optimizer step on this worker's shard from the reduced gradient. `bound_sum` and
    /// `rows` cover the whole minibatch. A non-finite bound throws and nothing changes.
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update(&mut self, bound_sum: f64, rows: usize, step: f64) -> Result<f64, Failure> {
        Ok(self.inner.apply(bound_sum as f32, rows, step as u64)?.into())
    }

    /// All parameters as a view (valid until the next call into the module): read this
    /// worker's updated shard from it, write the others' into it, then `paramsChanged`.
    #[wasm_bindgen(js_name = paramsView)]
    pub fn params_view(&mut self) -> js_sys::Float32Array {
        // SAFETY: as gradView.
        unsafe { js_sys::Float32Array::view_mut_raw(self.inner.params.as_mut_ptr(), self.inner.params.len()) }
    }

    /// Tells the replica its parameters were written through `paramsView`.
    #[wasm_bindgen(js_name = paramsChanged)]
    pub fn params_changed(&mut self) {
        self.inner.params_changed();
    }

    /// [start, end) of this worker's shard.
    pub fn shard(&self) -> Vec<u32> {
        vec![self.inner.shard.start as u32, self.inner.shard.end as u32]
    }

    /// Shard `i` of `k` of `n` parameters (the same cut every worker uses).
    #[wasm_bindgen(js_name = shardOf)]
    pub fn shard_of(n: usize, k: usize, i: usize) -> Vec<u32> {
        let r = parallel::shard(n, k, i);
        vec![r.start as u32, r.end as u32]
    }

    #[wasm_bindgen(js_name = numParams)]
    pub fn num_params(&self) -> usize {
        self.inner.params.len()
    }

    /// FNV-1a of the parameters' bits: equal on every replica of a run.
    pub fn checksum(&self) -> u32 {
        parallel::checksum(&self.inner.params)
    }

    /// This shard's optimizer moments [m..., v...] as a view (valid until the next call).
    pub fn moments(&mut self) -> js_sys::Float32Array {
        let (_, m, v) = self.inner.opt.state();
        self.moments = [m, v].concat();
        // SAFETY: as gradView.
        unsafe { js_sys::Float32Array::view(&self.moments) }
    }

    /// Updates applied so far by this shard's optimizer.
    #[wasm_bindgen(js_name = optimT)]
    pub fn optim_t(&self) -> f64 {
        self.inner.opt.t as f64
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Failure> {
        self.inner.set_lr(lr).map_err(Failure::config)
    }

    /// Whether this worker takes the host fast path (else dfdx's tape).
    #[wasm_bindgen(js_name = usesHostPath)]
    pub fn uses_host_path(&self) -> bool {
        self.inner.uses_host_path()
    }

    /// A copy of the current model for inference.
    pub fn model(&mut self) -> Model {
        let v = self.inner.vae();
        Model { vae: Vae::from_params(v.arch.clone(), v.params(), vae_core::cpu()) }
    }
}
