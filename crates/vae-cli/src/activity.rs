//! `vae activity`: how the test ELBO splits into its two terms, KL(q(z_d|x) || p(z_d)) per
//! latent dimension and the active units (Burda et al. 2016: Cov_x(E_q[z_d]) > 0.01), on
//! the first test images as `vae eval` sees them (vae_core::inference::activity). The page's
//! training chart and its KL bars compute the same figures.
use crate::args::{DataArgs, Loaded};
use clap::Args;
use dfdx::prelude::Device;
use std::path::PathBuf;
use vae_core::inference::activity::{elbo_terms, latent_activity, ACTIVE_THRESHOLD};

#[derive(Args, Debug)]
pub struct ActivityArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// The first N test images (the page uses 1000)
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub test_limit: usize,
    /// Samples per image of the reconstruction term
    #[arg(long, default_value_t = 1)]
    pub samples: usize,
    /// Noise seed of the reconstruction term (the page's training worker uses 1)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run<D: Device<f32>>(args: &ActivityArgs, dev: D) -> Result<(), String> {
    if args.samples == 0 {
        return Err("--samples must be at least 1".into());
    }
    let model = Loaded::read(&args.model, dev)?;
    let (x, _) = model.test_images(&args.data, 0, args.test_limit)?;
    let terms = elbo_terms(&model.vae, &x, args.samples, args.seed);
    let a = latent_activity(&model.vae, &x);
    if args.json {
        let v = serde_json::json!({
            "images": args.test_limit,
            "terms": terms,
            "kl_per_dim": a.kl_per_dim,
            "activity": a.activity,
            "active_units": a.active_units,
            "threshold": ACTIVE_THRESHOLD,
        });
        println!("{v}");
        return Ok(());
    }
    println!("first {} test images", args.test_limit);
    println!("  E_q[log p(x|z)] {:>10.3} nats", terms.reconstruction);
    println!("  KL(q || p(z))   {:>10.3} nats", terms.kl);
    println!("  ELBO            {:>10.3} nats", terms.elbo);
    println!("  active units    {} of {} (Cov_x(E_q[z_d]) > {ACTIVE_THRESHOLD})", a.active_units, a.activity.len());
    println!("{:>5} {:>12} {:>12}", "dim", "KL", "activity");
    for (d, act) in a.activity.iter().enumerate() {
        let kl = a.kl_per_dim.as_ref().map_or("—".to_string(), |k| format!("{:.4}", k[d]));
        println!("{:>5} {kl:>12} {act:>12.4}", d + 1);
    }
    Ok(())
}
