//! `vae reconstruct`: test images above their reconstructions (the decoder's mean at the
//! posterior mean of z).
use crate::args::{DataArgs, Loaded};
use crate::images::grid;
use clap::Args;
use dfdx::prelude::Device;
use std::path::PathBuf;
use vae_core::data::intensity;
use vae_core::train::prepare_test;

/// Images per row; each row of inputs is followed by the row of their reconstructions.
pub const PER_ROW: usize = 10;

#[derive(Args, Debug)]
pub struct ReconstructArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// Output PNG
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    /// Number of test images
    #[arg(long, default_value_t = 10)]
    pub n: usize,
    /// Index of the first test image
    #[arg(long, default_value_t = 0)]
    pub first: usize,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run<D: Device<f32>>(args: &ReconstructArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    let shape = model.image_shape()?;
    let kind = args.data.kind(model.dataset()?);
    let test = args.data.load(kind)?.test;
    model.check_dim(test.dim())?;
    if args.n == 0 || args.first + args.n > test.len() {
        return Err(format!(
            "--first {} --n {} must pick 1 or more of the {} test images",
            args.first,
            args.n,
            test.len()
        ));
    }
    let dim = test.dim();
    // The model sees the test images as `vae eval` does (one fixed binarization for binary
    // models), so the top rows show exactly what was encoded.
    let shown = test.images[args.first * dim..(args.first + args.n) * dim].iter();
    let x = prepare_test(&shown.map(|&b| intensity(b)).collect::<Vec<_>>(), model.binarization()?);
    let recon = model.vae.reconstruct(&x);
    let cols = PER_ROW.min(args.n);
    let mut tiles = Vec::with_capacity(2 * args.n.div_ceil(cols) * cols * dim);
    for start in (0..args.n).step_by(cols) {
        for source in [&x, &recon] {
            let end = (start + cols).min(args.n);
            tiles.extend_from_slice(&source[start * dim..end * dim]);
            tiles.resize(tiles.len() + (start + cols - end) * dim, 0.0);
        }
    }
    let r = grid(&tiles, shape, cols);
    r.write_png(&args.out)?;
    eprintln!(
        "wrote {} ({}x{}: {} test images, each row of inputs above its reconstructions)",
        args.out.display(),
        r.width,
        r.height,
        args.n
    );
    Ok(())
}
