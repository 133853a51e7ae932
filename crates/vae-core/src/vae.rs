//! A variational autoencoder: the architecture plus its flat parameter vector on a device.
use crate::config::{Estimator, Init, ModelConfig};
use crate::estimator::{bound, Eps};
use crate::family::T2;
use crate::model::Architecture;
use crate::noise::Noise;
use crate::params::{Dense, Weights};
use dfdx::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

pub struct Vae<D: Device<f32>> {
    pub arch: Architecture,
    /// One weight and bias per slot of `arch.layout`.
    pub layers: Vec<Dense<D>>,
    pub dev: D,
}

/// The sum of the bound over a batch and its gradient with respect to all parameters, laid
/// out as the flat parameter vector.
pub struct Gradient {
    pub bound_sum: f32,
    pub rows: usize,
    pub grad: Vec<f32>,
}

impl<D: Device<f32>> Vae<D> {
    /// A fresh model, its weights drawn as `init` says (see `Init`), layer by layer from one
    /// stream seeded by `seed`; biases are zero except under `Init::Pytorch`.
    pub fn new(config: ModelConfig, init: Init, seed: u64, dev: D) -> Result<Self, String> {
        let arch = Architecture::new(config)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = vec![0.0f32; arch.layout.len];
        for s in &arch.layout.slots {
            let fan_in = s.inputs as f32;
            let glorot = (6.0 / (s.inputs + s.outputs) as f32).sqrt();
            for p in &mut params[s.weight_range()] {
                *p = match init {
                    Init::Paper => 0.1 * rng.sample::<f32, _>(StandardNormal),
                    Init::Glorot => rng.gen_range(-glorot..glorot),
                    Init::He => (2.0 / fan_in).sqrt() * rng.sample::<f32, _>(StandardNormal),
                    Init::Pytorch => rng.gen_range(-1.0f32..1.0) / fan_in.sqrt(),
                };
            }
            if init == Init::Pytorch {
                for p in &mut params[s.bias_range()] {
                    *p = rng.gen_range(-1.0f32..1.0) / fan_in.sqrt();
                }
            }
        }
        Ok(Self::from_params(arch, params, dev))
    }

    /// Wraps parameters already checked against `arch` (length `arch.layout.len`).
    pub fn from_params(arch: Architecture, params: Vec<f32>, dev: D) -> Self {
        assert_eq!(params.len(), arch.layout.len, "parameter vector does not fit the layout");
        let layers = arch
            .layout
            .slots
            .iter()
            .map(|s| Dense {
                w: dev.tensor_from_vec(params[s.weight_range()].to_vec(), (s.inputs, s.outputs)),
                b: dev.tensor_from_vec(params[s.bias_range()].to_vec(), (s.outputs,)),
            })
            .collect();
        Vae { arch, layers, dev }
    }

    /// Sets the decoder's output biases to the log-odds of the mean training image, so the
    /// untrained decoder already predicts the marginal pixel intensities (the initialisation
    /// of Burda et al.'s IWAE code); early training then shapes digits instead of first
    /// learning the background.
    pub fn init_output_bias(&mut self, mean_image: &[f32]) {
        let slot = &self.arch.layout.slots[self.arch.output_slot()];
        let mut params = self.params();
        for (p, &m) in params[slot.bias_range()].iter_mut().zip(mean_image) {
            let m = m.clamp(1e-3, 1.0 - 1e-3);
            // The log in f64, rounded once to f32: f32 `ln` is the platform's libm, and glibc's
            // logf and wasm's (the libm crate's, FreeBSD's) differ in the last bit for 31 of
            // MNIST's 784 mean log-odds, so the page's and native runs would start apart.
            *p = ((m / (1.0 - m)) as f64).ln() as f32;
        }
        self.set_params(&params);
    }

    pub fn config(&self) -> &ModelConfig {
        &self.arch.config
    }

    pub fn num_params(&self) -> usize {
        self.arch.layout.len
    }

    /// The flat parameter vector (block copies, layer by layer).
    pub fn params(&self) -> Vec<f32> {
        let mut p = vec![0.0; self.arch.layout.len];
        for (s, l) in self.arch.layout.slots.iter().zip(&self.layers) {
            l.w.copy_into(&mut p[s.weight_range()]);
            l.b.copy_into(&mut p[s.bias_range()]);
        }
        p
    }

    /// Replaces every parameter from a flat vector laid out by `arch.layout`.
    pub fn set_params(&mut self, params: &[f32]) {
        assert_eq!(params.len(), self.arch.layout.len, "parameter vector does not fit the layout");
        for (s, l) in self.arch.layout.slots.iter().zip(&mut self.layers) {
            l.w.copy_from(&params[s.weight_range()]);
            l.b.copy_from(&params[s.bias_range()]);
        }
    }

    pub fn weights(&self) -> Weights<D, NoneTape> {
        Weights { layers: self.layers.iter().map(|l| Dense { w: l.w.clone(), b: l.b.clone() }).collect() }
    }

    /// Host rows (row-major, `rows x input_dim`) onto the device.
    pub fn batch(&self, x: &[f32]) -> T2<D, NoneTape> {
        let d = self.arch.config.input_dim;
        self.dev.tensor_from_vec(x.to_vec(), (x.len() / d, d))
    }

    pub fn eps(&self, noise: &Noise) -> Eps<D> {
        let (eps1, eps2) = noise.to_device(&self.dev);
        Eps { samples: noise.samples, eps1, eps2 }
    }

    /// The bound for each row of `x`, without gradients.
    pub fn bound(&self, x: &[f32], noise: &Noise, estimator: Estimator) -> Vec<f32> {
        crate::params::to_host(&bound(&self.arch, &self.weights(), &self.batch(x), &self.eps(noise), estimator))
    }

    /// Gradient of the *sum* of the bound over the rows of `x` (sums add up across workers;
    /// the trainer divides by the whole batch size).
    pub fn gradient(&self, x: &[f32], noise: &Noise, estimator: Estimator) -> Gradient {
        // beta = 1 is the bound itself, by the same operations bit for bit (the estimators
        // skip the factor 1, and the KL part is then absent).
        self.gradient_annealed(x, noise, estimator, 1.0)
    }

    /// As `gradient`, of the bound with its KL part weighted by `beta` (KL warm-up; see
    /// `TrainConfig::kl_weight`). `bound_sum` is still the sum of the bound itself
    /// (beta = 1), so the training curve shows the ELBO, not the annealed objective.
    pub fn gradient_annealed(&self, x: &[f32], noise: &Noise, estimator: Estimator, beta: f32) -> Gradient {
        let xb = self.batch(x);
        let rows = xb.shape().0;
        let w = Weights {
            layers: self
                .layers
                .iter()
                .map(|l| Dense { w: l.w.clone().leaky_traced(), b: l.b.clone().leaky_traced() })
                .collect(),
        };
        let (objective, kl) = crate::estimator::annealed_bound(&self.arch, &w, &xb, &self.eps(noise), estimator, beta);
        let total = objective.sum::<Rank0, _>();
        let kl_sum = kl.map_or(0.0, |k| k.sum::<Rank0, _>().as_vec()[0]);
        let bound_sum = total.as_vec()[0] - (1.0 - beta) * kl_sum;
        // Ascend the objective: differentiate its negation.
        let grads = total.negate().backward();
        let mut grad = vec![0.0; self.arch.layout.len];
        for (s, l) in self.arch.layout.slots.iter().zip(&self.layers) {
            grads.get(&l.w).copy_into(&mut grad[s.weight_range()]);
            grads.get(&l.b).copy_into(&mut grad[s.bias_range()]);
        }
        Gradient { bound_sum, rows, grad }
    }

    /// Posterior mean and log-variance of z (z1) for each row of `x`.
    pub fn encode(&self, x: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let post = self.arch.encode(&self.weights(), self.batch(x));
        (post.q1.mu.as_vec(), post.q1.lv.as_vec())
    }

    /// The decoder's mean image for each row of `z` (`rows x latent`).
    pub fn decode(&self, z: &[f32]) -> Vec<f32> {
        let k = self.arch.config.latent;
        let zt = self.dev.tensor_from_vec(z.to_vec(), (z.len() / k, k));
        crate::params::to_host(&self.arch.decode_mean(&self.weights(), zt))
    }

    /// Decodes the posterior mean: the usual "reconstruction" shown to a person.
    pub fn reconstruct(&self, x: &[f32]) -> Vec<f32> {
        let (mu, _) = self.encode(x);
        self.decode(&mu)
    }

    /// Samples from the model: z ~ p(z) (through p(z1|z2) for two layers), then the
    /// decoder's mean image.
    pub fn sample_prior(&self, n: usize, seed: u64) -> Vec<f32> {
        let c = &self.arch.config;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut normal = |len: usize| -> Vec<f32> { (0..len).map(|_| rng.sample(StandardNormal)).collect() };
        let w = self.weights();
        let z1 = match c.latent2 {
            None => self.dev.tensor_from_vec(normal(n * c.latent), (n, c.latent)),
            Some(k2) => {
                let z2 = self.dev.tensor_from_vec(normal(n * k2), (n, k2));
                let p = self.arch.prior(&w, z2);
                let e = self.dev.tensor_from_vec(normal(n * c.latent), (n, c.latent));
                crate::family::reparameterize(p.mu, p.lv, e)
            }
        };
        crate::params::to_host(&self.arch.decode_mean(&w, z1))
    }
}
