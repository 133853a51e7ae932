//! Imputation of missing pixels (Rezende et al. 2014, section 6.3): a Markov chain that
//! encodes the current guess, samples z from q(z|x), decodes, and writes the decoder's
//! means into the missing pixels only; observed pixels are kept as they are.
use crate::family::reparameterize;
use crate::noise::Noise;
use crate::vae::Vae;
use dfdx::prelude::*;

/// `observed[i]` says whether pixel i of `x` is known. Missing pixels start at 0.5 (no
/// information) and are replaced `iterations` times. Returns the completed image.
pub fn impute<D: Device<f32>>(vae: &Vae<D>, x: &[f32], observed: &[bool], iterations: usize, seed: u64) -> Vec<f32> {
    let c = vae.config();
    let d = c.input_dim;
    let mut cur: Vec<f32> = x[..d].iter().zip(observed).map(|(&v, &o)| if o { v } else { 0.5 }).collect();
    let w = vae.weights();
    for it in 0..iterations {
        let post = vae.arch.encode(&w, vae.batch(&cur));
        let noise = Noise::draw(seed, it as u64, 0, 1, 1, c.family, c.latent, c.latent2);
        let z = reparameterize(post.q1.mu, post.q1.lv, vae.eps(&noise).eps1);
        let mean = vae.arch.decode_mean(&w, z).as_vec();
        for i in 0..d {
            if !observed[i] {
                cur[i] = mean[i];
            }
        }
    }
    cur
}
