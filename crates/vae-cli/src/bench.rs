//! `vae bench`: training throughput of the standard configuration (784-400-20, batch 100,
//! Adam 1e-3) as one JSON line.
use crate::args::{default_dir, DeviceKind};
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
use std::time::Instant;
use vae_core::data::{binarize_fixed_bytes, load_dir, Binarization, Dataset, DatasetKind};
use vae_core::train::Trainer;
use vae_core::{Init, ModelConfig, TrainConfig};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Timed training steps
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Untimed steps first
    #[arg(long, default_value_t = 20)]
    pub warmup: usize,
    /// Minibatch size
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Use random binary images even when MNIST is present
    #[arg(long)]
    pub random: bool,
}

/// MNIST's training images when they can be found, else 10,000 random binary images.
fn data(random: bool) -> (Dataset, &'static str) {
    if !random {
        if let Ok(split) = load_dir(&default_dir(DatasetKind::Mnist), DatasetKind::Mnist) {
            return (split.train, "mnist");
        }
    }
    let n = 10_000;
    let images = binarize_fixed_bytes(&vec![128; n * 784], 0xBE7C);
    (Dataset { images, labels: vec![0; n], rows: 28, cols: 28 }, "random")
}

pub fn run<D: Device<f32>>(args: &BenchArgs, kind: DeviceKind, dev: D) -> Result<(), String> {
    if args.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    let (train, source) = data(args.random);
    let cfg = TrainConfig { batch_size: args.batch, ..TrainConfig::default() };
    cfg.validate()?;
    let mut trainer = Trainer::fresh(ModelConfig::default(), Init::default(), cfg, Binarization::Dynamic, &train, dev)?;
    for _ in 0..args.warmup {
        trainer.train_step(&train).map_err(|e| e.to_string())?;
    }
    let t0 = Instant::now();
    for _ in 0..args.steps {
        trainer.train_step(&train).map_err(|e| e.to_string())?;
    }
    let secs = t0.elapsed().as_secs_f64();
    let line = json!({
        "device": kind.name(),
        "samples_per_sec": (args.steps * args.batch) as f64 / secs.max(1e-9),
        "steps": args.steps,
        "batch": args.batch,
        "params": trainer.vae.num_params(),
        "threads": rayon::current_num_threads(),
        // The host fast path (vae_core::host) or dfdx's tape.
        "path": if trainer.uses_host_path() { "host" } else { "tape" },
        "data": source,
        "seconds": secs,
    });
    println!("{line}");
    Ok(())
}
