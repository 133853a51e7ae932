//! `vae estimators`: the variance of the encoder's gradient by SGVB B, SGVB A, the score
//! function and the score function with a baseline, for test images, as L grows
//! (vae_core::inference::variance; AEVB sections 2.2-2.4).
use crate::args::{DataArgs, Loaded};
use clap::Args;
use dfdx::prelude::Device;
use std::path::PathBuf;
use vae_core::inference::variance::variance_sweep;

#[derive(Args, Debug)]
pub struct EstimatorsArgs {
    /// Checkpoint written by `vae train --out` (one stochastic layer)
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// An image to measure instead of test images: an 8-bit PNG of the model's size, read as
    /// intensities v / 255 without binarization (the page's drawing, as the estimator lab
    /// measured it)
    #[arg(long, value_name = "FILE.png", conflicts_with_all = ["image_index", "images"])]
    pub image: Option<PathBuf>,
    /// Index of the first test image
    #[arg(long, default_value_t = 0)]
    pub image_index: usize,
    /// Test images in the batch the bound is summed over
    #[arg(long, default_value_t = 1)]
    pub images: usize,
    /// The values of L, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32,64")]
    pub samples: Vec<usize>,
    /// Repetitions (fresh noise) per L
    #[arg(long, default_value_t = 100)]
    pub repetitions: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run<D: Device<f32>>(args: &EstimatorsArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    let x = match &args.image {
        Some(path) => {
            let x = crate::images::read_png(path)?;
            model.check_dim(x.len())?;
            x
        }
        None => model.test_images(&args.data, args.image_index, args.images)?.0,
    };
    let stats = variance_sweep(&model.vae, &x, &args.samples, args.repetitions, args.seed)?;
    if args.json {
        let v = serde_json::json!({
            "image_index": args.image.is_none().then_some(args.image_index),
            "images": if args.image.is_some() { 1 } else { args.images },
            "repetitions": args.repetitions,
            "estimators": stats,
        });
        println!("{v}");
        return Ok(());
    }
    println!("{:>4}  {:<15} {:>14} {:>14} {:>14}", "L", "estimator", "mean var", "proj. mean", "proj. var");
    for s in &stats {
        println!(
            "{:>4}  {:<15} {:>14.4e} {:>14.4e} {:>14.4e}",
            s.samples,
            s.estimator.name(),
            s.mean_param_variance,
            s.projection_mean,
            s.projection_variance
        );
    }
    Ok(())
}
