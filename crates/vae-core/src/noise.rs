//! The auxiliary noise eps of the reparameterization trick, drawn on the host.
//!
//! Each datum's noise comes from its own generator, seeded by (seed, step, datum index).
//! So a run is reproducible on every device, and a minibatch split across K workers draws
//! exactly the noise one worker would have drawn for the whole batch.
use crate::config::Family;
use dfdx::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A rows x columns matrix of noise on device `D`.
type Matrix<D> = Tensor<(usize, usize), f32, D>;

/// Noise for `samples` x `batch` rows, sample-major (row s*batch + b is datum b).
#[derive(Clone, Debug, PartialEq)]
pub struct Noise {
    pub samples: usize,
    pub batch: usize,
    pub eps1: Vec<f32>,
    pub eps2: Option<Vec<f32>>,
    pub latent: usize,
    pub latent2: Option<usize>,
}

/// SplitMix64's finaliser: spreads (seed, step, index) over the whole seed space.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn standard<R: Rng>(rng: &mut R, family: Family) -> f32 {
    match family {
        Family::Gaussian => rng.sample(StandardNormal),
        // Open interval (0, 1): the inverse CDFs are infinite at the ends.
        _ => family.standard_from_uniform(rng.gen_range(f32::EPSILON..1.0 - f32::EPSILON), 0.0),
    }
}

impl Noise {
    /// Draws the noise for data `first .. first + batch` of optimisation step `step`.
    #[allow(clippy::too_many_arguments)] // the draw's whole key (seed, step, rows) and the model's shape
    pub fn draw(
        seed: u64,
        step: u64,
        first: usize,
        batch: usize,
        samples: usize,
        family: Family,
        latent: usize,
        latent2: Option<usize>,
    ) -> Noise {
        let z2 = latent2.unwrap_or(0);
        let mut eps1 = vec![0.0; samples * batch * latent];
        let mut eps2 = vec![0.0; samples * batch * z2];
        for b in 0..batch {
            let key = mix(mix(mix(seed) ^ step) ^ (first + b) as u64);
            let mut rng = ChaCha8Rng::seed_from_u64(key);
            for s in 0..samples {
                let row = s * batch + b;
                for e in &mut eps1[row * latent..(row + 1) * latent] {
                    *e = standard(&mut rng, family);
                }
                for e in &mut eps2[row * z2..(row + 1) * z2] {
                    *e = standard(&mut rng, family);
                }
            }
        }
        Noise { samples, batch, eps1, eps2: latent2.map(|_| eps2), latent, latent2 }
    }

    /// The rows of data `from .. to` of this batch, for one worker's slice.
    pub fn slice(&self, from: usize, to: usize) -> Noise {
        let take = |v: &[f32], k: usize| -> Vec<f32> {
            (0..self.samples).flat_map(|s| v[(s * self.batch + from) * k..(s * self.batch + to) * k].to_vec()).collect()
        };
        Noise {
            samples: self.samples,
            batch: to - from,
            eps1: take(&self.eps1, self.latent),
            eps2: self.eps2.as_ref().map(|e| take(e, self.latent2.unwrap_or(0))),
            latent: self.latent,
            latent2: self.latent2,
        }
    }

    /// Copies the noise onto the device as (samples * batch, latent) tensors.
    pub fn to_device<D: Device<f32>>(&self, dev: &D) -> (Matrix<D>, Option<Matrix<D>>) {
        let rows = self.samples * self.batch;
        let e1 = dev.tensor_from_vec(self.eps1.clone(), (rows, self.latent));
        let e2 = self.eps2.as_ref().map(|e| dev.tensor_from_vec(e.clone(), (rows, self.latent2.unwrap_or(0))));
        (e1, e2)
    }
}
