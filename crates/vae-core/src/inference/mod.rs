//! Seeing inference happen: the true posterior p(z|x) on a grid beside the encoder's
//! q(z|x) and the gap between them, the variance of the bound's gradient estimators, and
//! how much each latent dimension is used.
//!
//! - `density`: q's families and the prior on the host, in f64 (log densities, closed-form KL).
//! - `likelihood`: log p(x|z) of a trained decoder for many z at once (the `Likelihood` trait).
//! - `grid`: the axes of a grid and the adaptive choice of its range.
//! - `posterior`: log p(x, z) on the grid, log p(x) by integration, the ELBO and the gap
//!   KL(q(z|x) || p(z|x)) = log p(x) - ELBO (Cremer, Li & Duvenaud 2018).
//! - `estimators`: the gradient of the bound with respect to the encoder's parameters by
//!   SGVB B, SGVB A and the score-function estimator with and without a baseline.
//! - `variance`: those gradients' variance over repetitions as the number of samples L grows.
//! - `activity`: the ELBO's two terms, KL per latent dimension and the active units.
pub mod activity;
pub mod density;
pub mod estimators;
pub mod grid;
pub mod likelihood;
pub mod posterior;
pub mod variance;
