//! `vae posterior`: the true posterior of one test image on a grid (vae_core::inference::
//! posterior): log p(x), the encoder's ELBO and gap, and the gap left after refining q for
//! this image (the amortization gap is the difference; Cremer, Li & Duvenaud 2018).
use crate::args::{DataArgs, Loaded};
use clap::Args;
use dfdx::prelude::Device;
use std::path::PathBuf;
use vae_core::inference::posterior::{posterior_with_refined, PosteriorOptions};

#[derive(Args, Debug)]
pub struct PosteriorArgs {
    /// Checkpoint written by `vae train --out` (one stochastic layer, latent >= 2)
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// Index of the test image
    #[arg(long, default_value_t = 0)]
    pub image_index: usize,
    /// Cells per axis of the map
    #[arg(long, default_value_t = 64)]
    pub grid: usize,
    /// Adam steps of per-image refinement of q (0: none), as the page's Refine
    #[arg(long, default_value_t = 200)]
    pub refine_steps: usize,
    /// Print the whole result (the map included) as one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run<D: Device<f32>>(args: &PosteriorArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    let (x, label) = model.test_images(&args.data, args.image_index, 1)?;
    let opts = PosteriorOptions { grid: args.grid, ..Default::default() };
    // The page's Refine: lr 0.05, 10 samples a step.
    let r = (args.refine_steps > 0).then(|| vae_core::refine::refine(&model.vae, &x, args.refine_steps, 0.05, 10, 1));
    let map = posterior_with_refined(&model.vae, &x, r.as_ref().map(|r| (&r.mu[..], &r.lv[..])), &opts)?;
    if args.json {
        let mut v = serde_json::to_value(&map).map_err(|e| e.to_string())?;
        v["image_index"] = args.image_index.into();
        v["label"] = label[0].into();
        println!("{v}");
        return Ok(());
    }
    let what = if map.slice { format!("slice through z{} and z{}", map.dims[0], map.dims[1]) } else { "z".into() };
    println!("test image {} (label {}), {what}: {} x {} grid", args.image_index, label[0], args.grid, args.grid);
    let (xa, ya) = (&map.x_axis, &map.y_axis);
    println!(
        "  grid [{:.3}, {:.3}] x [{:.3}, {:.3}], argmax ({:.3}, {:.3})",
        xa[0],
        xa[xa.len() - 1],
        ya[0],
        ya[ya.len() - 1],
        map.argmax[0],
        map.argmax[1]
    );
    println!("  log p(x)        {:.3} nats ({})", map.log_px, map.log_px_method);
    let e = &map.encoder;
    println!("  encoder's q     ELBO {:.3}, gap KL(q || p(z|x)) {:.3}", e.elbo, e.gap);
    if let Some(r) = &map.refined {
        println!("  refined q       ELBO {:.3}, gap {:.3} (amortization gap {:.3})", r.elbo, r.gap, e.gap - r.gap);
    }
    Ok(())
}
