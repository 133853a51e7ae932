//! Synchronous data-parallel SGD: one minibatch split across K workers.
//!
//! The coordinator draws the minibatch and its noise (`Trainer::next_batch`), hands each
//! worker a slice (`pack`), each worker returns the gradient of the *sum* of the bound over
//! its rows (`Vae::gradient`), the coordinator adds the parts in slice order
//! (`Accumulator`) and applies one update (`Trainer::apply`), then broadcasts the new
//! parameters. One optimizer, one copy of its state, and replicas that hold exactly the
//! coordinator's parameters by construction; `checksum` lets them prove it.
//!
//! Because the noise of a datum depends only on (seed, step, datum index) and the gradient
//! of a sum is the sum of the gradients, a K-worker step equals the one-worker step up to
//! the order of floating-point additions.
use crate::config::Estimator;
use crate::noise::Noise;
use crate::train::Batch;
use crate::vae::Vae;
use dfdx::prelude::*;

/// Rows `from..to` of `batch` as one flat buffer: the pixels, then eps1, then eps2.
pub fn pack(batch: &Batch, from: usize, to: usize) -> Vec<f32> {
    let dim = batch.x.len() / batch.rows.max(1);
    let noise = batch.noise.slice(from, to);
    let mut out = Vec::with_capacity((to - from) * dim + noise.eps1.len() + noise.eps2.as_ref().map_or(0, Vec::len));
    out.extend_from_slice(&batch.x[from * dim..to * dim]);
    out.extend_from_slice(&noise.eps1);
    if let Some(e2) = &noise.eps2 {
        out.extend_from_slice(e2);
    }
    out
}

/// The inverse of `pack` for a model with these sizes; checks the length first.
pub fn unpack(packed: &[f32], rows: usize, dim: usize, samples: usize, latent: usize, latent2: Option<usize>) -> Result<(Vec<f32>, Noise), String> {
    let n1 = rows * samples * latent;
    let n2 = rows * samples * latent2.unwrap_or(0);
    let want = rows * dim + n1 + n2;
    if packed.len() != want || rows == 0 {
        return Err(format!("slice of {rows} rows needs {want} values, got {}", packed.len()));
    }
    let (x, rest) = packed.split_at(rows * dim);
    let (e1, e2) = rest.split_at(n1);
    let noise = Noise { samples, batch: rows, eps1: e1.to_vec(), eps2: latent2.map(|_| e2.to_vec()), latent, latent2 };
    Ok((x.to_vec(), noise))
}

/// One worker's part: [sum of the bound over its rows, gradient...].
pub fn worker_gradient<D: Device<f32>>(vae: &Vae<D>, packed: &[f32], rows: usize, samples: usize, estimator: Estimator) -> Result<Vec<f32>, String> {
    let c = vae.config();
    let (x, noise) = unpack(packed, rows, c.input_dim, samples, c.latent, c.latent2)?;
    let g = vae.gradient(&x, &noise, estimator);
    let mut out = Vec::with_capacity(1 + g.grad.len());
    out.push(g.bound_sum);
    out.extend_from_slice(&g.grad);
    Ok(out)
}

/// Sums the parts of one step, in the order they are added.
#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    pub bound_sum: f32,
    pub rows: usize,
    pub grad: Vec<f32>,
    pub parts: usize,
}

impl Accumulator {
    pub fn new(num_params: usize) -> Self {
        Accumulator { bound_sum: 0.0, rows: 0, grad: vec![0.0; num_params], parts: 0 }
    }

    /// Adds a part in `worker_gradient`'s format covering `rows` data.
    pub fn add(&mut self, part: &[f32], rows: usize) -> Result<(), String> {
        if part.len() != self.grad.len() + 1 {
            return Err(format!("gradient part has {} values, expected {}", part.len(), self.grad.len() + 1));
        }
        self.bound_sum += part[0];
        self.rows += rows;
        self.parts += 1;
        self.grad.iter_mut().zip(&part[1..]).for_each(|(g, p)| *g += p);
        Ok(())
    }
}

/// FNV-1a over the parameters' bits: equal checksums mean bit-identical replicas.
pub fn checksum(params: &[f32]) -> u32 {
    params.iter().fold(0x811C_9DC5u32, |h, p| p.to_bits().to_le_bytes().iter().fold(h, |h, &b| (h ^ b as u32).wrapping_mul(0x0100_0193)))
}

/// Applies a whole step's accumulated gradient with the coordinator's optimizer.
pub fn apply<D: Device<f32>>(trainer: &mut crate::train::Trainer<D>, acc: Accumulator) -> Result<crate::train::StepStats, crate::train::StepError> {
    trainer.apply(acc.bound_sum, acc.rows, acc.grad)
}
