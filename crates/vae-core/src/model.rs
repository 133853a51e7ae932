//! The networks: encoder q(z|x), decoder p(x|z), and for the two-layer deep latent
//! Gaussian model (Rezende et al. 2014) the conditional prior p(z1|z2).
//!
//! One layer:  x -> MLP -> (mu, lv) of q(z|x);  z -> MLP -> p(x|z).
//! Two layers: the same trunk also gives q(z2|x) (q factorised over layers, Rezende et
//! al. eq. 13); generative path z2 ~ N(0, I), z1 ~ N(m(z2), exp(lv(z2))), x ~ p(x|z1).
//! Two layers with `hidden2` (Burda et al. 2016, section 5): q(z1|x) q(z2|z1), each
//! conditional an MLP, and p(z1|z2) an MLP through the same sizes reversed.
use crate::config::{Activation, DecoderKind, ModelConfig};
use crate::family::{log_gaussian, softplus, T1, T2};
use crate::params::{Layout, Weights};
use dfdx::prelude::*;

/// Floor on the Gaussian decoder's log-variance, ln(1e-3): MNIST's border pixels are
/// constant, and an unbounded variance would shrink to 0 and the likelihood grow without
/// bound on them.
pub const DECODER_LV_MIN: f32 = -6.907_755;

/// Indices of the dense layers in the flat parameter layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Architecture {
    pub config: ModelConfig,
    pub layout: Layout,
    pub(crate) encoder: Vec<usize>,
    pub(crate) q1: (usize, usize),
    pub(crate) q2: Option<(usize, usize)>,
    /// Hidden layers of q(z2|z1) when z2 is conditioned on z1 (`hidden2`).
    pub(crate) encoder2: Option<Vec<usize>>,
    /// p(z1|z2): hidden layers, mean head, log-variance head.
    pub(crate) prior: Option<(Vec<usize>, usize, usize)>,
    pub(crate) decoder: Vec<usize>,
    pub(crate) out_mean: usize,
    pub(crate) out_lv: Option<usize>,
}

/// Parameters of a location-scale q (or a Gaussian prior conditional): mu and log(scale^2).
pub struct Gauss<D: Device<f32>, T> {
    pub mu: T2<D, T>,
    pub lv: T2<D, T>,
}

impl<D: Device<f32>, T: Tape<f32, D>> Gauss<D, T> {
    pub fn with_empty_tape(&self) -> Self {
        Gauss { mu: self.mu.with_empty_tape(), lv: self.lv.with_empty_tape() }
    }
    /// Each row repeated `l` times, sample-major: row s*B + b is datum b.
    pub fn repeat(self, l: usize) -> Self {
        Gauss { mu: repeat_rows(self.mu, l), lv: repeat_rows(self.lv, l) }
    }
}

/// The posterior of one forward pass of the encoder.
pub struct Posterior<D: Device<f32>, T> {
    pub q1: Gauss<D, T>,
    pub q2: Option<Gauss<D, T>>,
}

impl Architecture {
    pub fn new(config: ModelConfig) -> Result<Self, String> {
        config.validate()?;
        let mut layout = Layout::default();
        let mut encoder = Vec::new();
        let mut prev = config.input_dim;
        for (i, &h) in config.hidden.iter().enumerate() {
            encoder.push(layout.dense(&format!("encoder.{i}"), prev, h));
            prev = h;
        }
        let top = prev;
        let q1 = (layout.dense("encoder.mu", top, config.latent), layout.dense("encoder.logvar", top, config.latent));
        let (mut encoder2, mut q2, mut prior) = (None, None, None);
        if let Some(z2) = config.latent2 {
            // The sizes between z1 and z2, z1 side first; the trunk's last width without hidden2.
            let between = config.hidden2.clone().unwrap_or_else(|| vec![top]);
            let q2_input = match &config.hidden2 {
                Some(h2) => {
                    let mut layers = Vec::new();
                    let mut prev = config.latent;
                    for (i, &h) in h2.iter().enumerate() {
                        layers.push(layout.dense(&format!("encoder2.{i}"), prev, h));
                        prev = h;
                    }
                    encoder2 = Some(layers);
                    prev
                }
                None => top,
            };
            q2 = Some((layout.dense("encoder.mu2", q2_input, z2), layout.dense("encoder.logvar2", q2_input, z2)));
            let mut hidden = Vec::new();
            let mut prev = z2;
            for (i, &h) in between.iter().rev().enumerate() {
                hidden.push(layout.dense(&format!("prior.{i}"), prev, h));
                prev = h;
            }
            prior = Some((
                hidden,
                layout.dense("prior.mu", prev, config.latent),
                layout.dense("prior.logvar", prev, config.latent),
            ));
        }
        let mut decoder = Vec::new();
        prev = config.latent;
        for (i, &h) in config.hidden.iter().rev().enumerate() {
            decoder.push(layout.dense(&format!("decoder.{i}"), prev, h));
            prev = h;
        }
        let out_mean = layout.dense("decoder.out", prev, config.input_dim);
        let out_lv = match config.decoder {
            DecoderKind::Gaussian => Some(layout.dense("decoder.out_logvar", prev, config.input_dim)),
            DecoderKind::Bernoulli => None,
        };
        Ok(Architecture { config, layout, encoder, q1, q2, encoder2, prior, decoder, out_mean, out_lv })
    }

    /// True when q conditions z2 on the sampled z1 (`hidden2`), so the encoder's posterior
    /// covers z1 only and `encode2` gives q(z2|z1).
    pub fn z2_given_z1(&self) -> bool {
        self.encoder2.is_some()
    }

    /// Layout index of the decoder's (mean) output layer.
    pub fn output_slot(&self) -> usize {
        self.out_mean
    }

    fn act<D: Device<f32>, T: Tape<f32, D>>(&self, h: T2<D, T>) -> T2<D, T> {
        match self.config.activation {
            Activation::Tanh => h.tanh(),
            Activation::Relu => h.relu(),
        }
    }

    /// q(z|x) (and q(z2|x)): an MLP trunk with two linear heads.
    pub fn encode<D: Device<f32>, W: Tape<f32, D>, T: Tape<f32, D> + Merge<W>>(
        &self,
        w: &Weights<D, W>,
        x: T2<D, T>,
    ) -> Posterior<D, T> {
        let mut h = x;
        for &i in &self.encoder {
            h = self.act(w.dense(i, h));
        }
        // Every head but the last reads a copy of `h` on an empty tape; the last takes `h`
        // itself, whose tape holds the trunk's ops, so they run once in backward.
        let mut heads = vec![self.q1.0, self.q1.1];
        if !self.z2_given_z1() {
            heads.extend(self.q2.iter().flat_map(|&(m, l)| [m, l]));
        }
        let last = heads.len() - 1;
        let mut h = Some(h);
        let mut outs: Vec<T2<D, T>> = heads
            .iter()
            .enumerate()
            .map(|(j, &i)| {
                let input = if j == last { h.take().unwrap() } else { h.as_ref().unwrap().with_empty_tape() };
                w.dense(i, input)
            })
            .collect();
        let q2 = if outs.len() == 4 {
            let lv = outs.pop().unwrap();
            Some(Gauss { mu: outs.pop().unwrap(), lv })
        } else {
            None
        };
        let lv = outs.pop().unwrap();
        let q1 = Gauss { mu: outs.pop().unwrap(), lv };
        Posterior { q1, q2 }
    }

    /// q(z2|z1) of the two-layer model with `hidden2`, one row per row of `z1`.
    pub fn encode2<D: Device<f32>, W: Tape<f32, D>, T: Tape<f32, D> + Merge<W>>(
        &self,
        w: &Weights<D, W>,
        z1: T2<D, T>,
    ) -> Gauss<D, T> {
        let layers = self.encoder2.as_ref().expect("encode2() called on a model without hidden2");
        let (m, l) = self.q2.expect("a model with hidden2 has z2");
        let mut h = z1;
        for &i in layers {
            h = self.act(w.dense(i, h));
        }
        Gauss { mu: w.dense(m, h.with_empty_tape()), lv: w.dense(l, h) }
    }

    /// p(z1|z2) of the two-layer model: mean and log-variance from an MLP.
    pub fn prior<D: Device<f32>, W: Tape<f32, D>, T: Tape<f32, D> + Merge<W>>(
        &self,
        w: &Weights<D, W>,
        z2: T2<D, T>,
    ) -> Gauss<D, T> {
        let (hidden, m, l) = self.prior.as_ref().expect("prior() called on a one-layer model");
        let mut h = z2;
        for &i in hidden {
            h = self.act(w.dense(i, h));
        }
        Gauss { mu: w.dense(*m, h.with_empty_tape()), lv: w.dense(*l, h) }
    }

    /// The decoder's output layer: Bernoulli logits, or the Gaussian's (mean logits, lv).
    pub fn decode<D: Device<f32>, W: Tape<f32, D>, T: Tape<f32, D> + Merge<W>>(
        &self,
        w: &Weights<D, W>,
        z: T2<D, T>,
    ) -> (T2<D, T>, Option<T2<D, T>>) {
        let mut h = z;
        for &i in &self.decoder {
            h = self.act(w.dense(i, h));
        }
        match self.out_lv {
            None => (w.dense(self.out_mean, h), None),
            Some(l) => {
                let raw = w.dense(l, h.with_empty_tape());
                let lv = softplus(raw - DECODER_LV_MIN) + DECODER_LV_MIN;
                (w.dense(self.out_mean, h), Some(lv))
            }
        }
    }

    /// log p(x|z) summed over pixels (AEVB Appendix C.1 and C.2), one value per row.
    pub fn log_likelihood<D: Device<f32>, W: Tape<f32, D>, T: Tape<f32, D> + Merge<W>>(
        &self,
        w: &Weights<D, W>,
        z: T2<D, T>,
        x: T2<D, NoneTape>,
    ) -> T1<D, T> {
        match self.decode(w, z) {
            // log Bernoulli(x; sigmoid(l)) = -BCE(l, x)
            (logits, None) => logits.bce_with_logits(x).negate().sum::<(usize,), Axis<1>>(),
            (mean_logits, Some(lv)) => log_gaussian(x.retaped::<T>(), mean_logits.sigmoid(), lv),
        }
    }

    /// The mean of p(x|z): pixel probabilities (Bernoulli) or means (Gaussian), in [0, 1].
    pub fn decode_mean<D: Device<f32>>(&self, w: &Weights<D, NoneTape>, z: T2<D, NoneTape>) -> T2<D, NoneTape> {
        self.decode(w, z).0.sigmoid()
    }
}

/// (B, K) -> (l * B, K), copy s of the batch in rows s*B .. (s+1)*B.
///
/// A gather of row indices 0..B, l times, rather than broadcast-then-reshape: reshaping a
/// broadcast (non-contiguous) tensor is the one op here that dfdx's CUDA backend compiles
/// with NVRTC at run time, which needs the CUDA headers and dfdx's build directory at the
/// paths baked in at build time. Gather is a precompiled kernel, so a CUDA build runs on a
/// machine that has only the driver and the cuBLAS/NVRTC libraries. Same values and the
/// same gradient (the l copies' gradients summed) on every device.
pub fn repeat_rows<D: Device<f32>, T: Tape<f32, D>>(t: T2<D, T>, l: usize) -> T2<D, T> {
    if l == 1 {
        return t;
    }
    let b = t.shape().0;
    let idx: Vec<usize> = (0..l).flat_map(|_| 0..b).collect();
    let idx = t.device().tensor_from_vec(idx, (l * b,));
    t.gather(idx)
}
