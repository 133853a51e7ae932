//! `vae reconstruct`: test images above their reconstructions (the decoder's mean at the
//! posterior mean of z), as a PNG, or with `--json` as numbers: each image's input, the
//! posterior's mean and log-variance, and the reconstruction (what the NumPy example in
//! `examples/numpy_vae.py` is checked against).
use crate::args::{DataArgs, Loaded};
use crate::images::grid;
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
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
    /// Output PNG (required unless --json)
    #[arg(long, value_name = "FILE.png", required_unless_present = "json")]
    pub out: Option<PathBuf>,
    /// Number of test images
    #[arg(long, default_value_t = 10)]
    pub n: usize,
    /// Index of the first test image
    #[arg(long, default_value_t = 0)]
    pub first: usize,
    /// Just this one test image (the same as --first I --n 1)
    #[arg(long, value_name = "I", conflicts_with_all = ["n", "first"])]
    pub image_index: Option<usize>,
    /// Reconstruct these images instead of test images: a JSON file with one array of
    /// intensities in [0, 1] (784 for MNIST) or an array of them, fed as they are (the
    /// page's preprocessed drawing, say); with --json only
    #[arg(long, value_name = "FILE.json", conflicts_with_all = ["n", "first", "image_index", "greyscale"], requires = "json")]
    pub input: Option<PathBuf>,
    /// Feed the test images' intensities in [0, 1] as they are, as the page feeds a drawing,
    /// instead of the evaluation's one fixed binarization (binary models)
    #[arg(long)]
    pub greyscale: bool,
    /// Print one JSON line instead of writing a PNG: for each image its index, label, the
    /// input x, mu, logvar and sigma of q(z|x) (of z1 in a two-layer model), and the
    /// reconstruction
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run<D: Device<f32>>(args: &ReconstructArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    if let Some(path) = &args.input {
        let x = crate::decode::read_rows(path, model.vae.config().input_dim, "images")?;
        if x.iter().any(|v| !(0.0..=1.0).contains(v)) {
            return Err(format!("{}: intensities must lie in [0, 1]", path.display()));
        }
        println!(
            "{}",
            json!({ "model": args.model.display().to_string(), "input": "given", "images": numbers(&model, &x, None) })
        );
        return Ok(());
    }
    let kind = args.data.kind_or(|| model.dataset())?;
    let test = args.data.load(kind)?.test;
    model.check_dim(test.dim())?;
    let (first, n) = args.image_index.map_or((args.first, args.n), |i| (i, 1));
    if n == 0 || first + n > test.len() {
        return Err(format!("--first {first} --n {n} must pick 1 or more of the {} test images", test.len()));
    }
    let dim = test.dim();
    // By default the model sees the test images as `vae eval` does (one fixed binarization
    // for binary models), so the top rows show exactly what was encoded.
    let shown: Vec<f32> = test.images[first * dim..(first + n) * dim].iter().map(|&b| intensity(b)).collect();
    let binarization = model.binarization()?;
    let x = if args.greyscale { shown } else { prepare_test(&shown, binarization) };
    if args.json {
        let images = numbers(&model, &x, Some((first, &test.labels)));
        let input = if args.greyscale || !binarization.is_binary() { "greyscale" } else { "fixed binarization" };
        let line = json!({
            "model": args.model.display().to_string(),
            "dataset": kind.name(),
            "input": input,
            "images": images,
        });
        println!("{line}");
        return Ok(());
    }
    let recon = model.vae.reconstruct(&x);
    let out = args.out.as_ref().expect("clap requires --out without --json");
    let shape = model.image_shape()?;
    let cols = PER_ROW.min(n);
    let mut tiles = Vec::with_capacity(2 * n.div_ceil(cols) * cols * dim);
    for start in (0..n).step_by(cols) {
        for source in [&x, &recon] {
            let end = (start + cols).min(n);
            tiles.extend_from_slice(&source[start * dim..end * dim]);
            tiles.resize(tiles.len() + (start + cols - end) * dim, 0.0);
        }
    }
    let r = grid(&tiles, shape, cols);
    r.write_png(out)?;
    eprintln!(
        "wrote {} ({}x{}: {} test images, each row of inputs above its reconstructions)",
        out.display(),
        r.width,
        r.height,
        n
    );
    Ok(())
}

/// Each image's input x, mu, logvar and sigma of q(z|x) and its reconstruction, as JSON;
/// with the test set's index and label when the images are test images (`first`, labels).
fn numbers<D: Device<f32>>(model: &Loaded<D>, x: &[f32], test: Option<(usize, &[u8])>) -> Vec<serde_json::Value> {
    let (dim, k) = (model.vae.config().input_dim, model.vae.config().latent);
    let (mu, lv) = model.vae.encode(x);
    let recon = model.vae.reconstruct(x);
    (0..x.len() / dim)
        .map(|i| {
            let lv = &lv[i * k..(i + 1) * k];
            json!({
                "index": test.map(|(first, _)| first + i),
                "label": test.map(|(first, labels)| labels[first + i]),
                "x": &x[i * dim..(i + 1) * dim],
                "mu": &mu[i * k..(i + 1) * k],
                "logvar": lv,
                "sigma": lv.iter().map(|l| (0.5 * l).exp()).collect::<Vec<f32>>(),
                "reconstruction": &recon[i * dim..(i + 1) * dim],
            })
        })
        .collect()
}
