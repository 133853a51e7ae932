//! `vae eval`: a checkpoint's test ELBO and its importance-sampled log-likelihood
//! (AEVB Appendix D; Burda et al. 2016), whose difference is the bound's gap.
use crate::args::{progress, DataArgs, Loaded, EVAL_SEED};
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use vae_core::eval;
use vae_core::train::prepare_test;

/// Images per progress-bar step of the importance-sampled estimate.
const CHUNK: usize = 500;
pub const MAX_IW: usize = 100_000;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// Importance samples K per test image
    #[arg(long, default_value_t = 1000, value_name = "K")]
    pub iw: usize,
    #[command(flatten)]
    pub data: DataArgs,
    /// Evaluate on the first N test images only
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// Seed of the evaluation noise (the default matches the test ELBO `vae train` prints)
    #[arg(long, default_value_t = EVAL_SEED)]
    pub seed: u64,
    /// Print one JSON line instead of text
    #[arg(long)]
    pub json: bool,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run<D: Device<f32>>(args: &EvalArgs, dev: D) -> Result<(), String> {
    if args.iw == 0 || args.iw > MAX_IW {
        return Err(format!("--iw must be in 1..={MAX_IW}, got {}", args.iw));
    }
    if args.test_limit == Some(0) {
        return Err("--test-limit must be at least 1".into());
    }
    let model = Loaded::read(&args.model, dev)?;
    let binarization = model.binarization()?;
    let kind = args.data.kind(model.dataset()?);
    let mut test = args.data.load(kind)?.test;
    if let Some(n) = args.test_limit {
        test = test.subset(n);
    }
    model.check_dim(test.dim())?;
    let pixels = prepare_test(&test.pixels(), binarization);
    let (n, dim) = (test.len(), test.dim());
    let start = Instant::now();

    let elbo = eval::elbo(&model.vae, &pixels, 1, args.seed);
    let bar = progress(
        n as u64,
        "log p(x), K={prefix} [{bar:30}] {pos}/{len} images  ETA {eta}",
        args.quiet,
    );
    bar.set_prefix(args.iw.to_string());
    let mut sum = 0.0f64;
    for (i, chunk) in pixels.chunks(CHUNK * dim).enumerate() {
        // Noise is keyed by each image's index in the whole test set, so chunking does not
        // change the result.
        sum += eval::log_likelihood_per_datum(&model.vae, chunk, i * CHUNK, args.iw, args.seed)
            .iter()
            .sum::<f64>();
        bar.inc((chunk.len() / dim) as u64);
    }
    bar.finish_and_clear();
    let ll = sum / n as f64;
    let seconds = start.elapsed().as_secs_f64();

    if args.json {
        let line = json!({
            "model": args.model.display().to_string(),
            "dataset": kind.name(),
            "binarization": binarization.name(),
            "images": n,
            "iw": args.iw,
            "elbo": elbo,
            "log_likelihood": ll,
            "gap": ll - elbo,
            "seconds": seconds,
        });
        println!("{line}");
    } else {
        println!("{kind} test set, {n} images, {binarization} binarization");
        println!("test ELBO  {elbo:>9.2} nats  (1 sample)");
        println!(
            "log p(x)   {ll:>9.2} nats  (importance sampled, K={})",
            args.iw
        );
        println!("gap        {:>9.2} nats  (log p(x) - ELBO)", ll - elbo);
    }
    Ok(())
}
