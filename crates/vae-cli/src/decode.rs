//! `vae decode`: the decoder's mean image for given codes z, as JSON numbers. The page's
//! tests decode the codes the page shows (an interpolation's ends, say) here, natively, and
//! compare the images.
use crate::args::Loaded;
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// A JSON file with the codes: one array of `latent` numbers, or an array of them
    #[arg(long, value_name = "FILE.json")]
    pub z: PathBuf,
    /// Print one JSON line (the only output form; the flag says so in scripts)
    #[arg(long)]
    pub json: bool,
}

/// Reads a JSON file holding one row of numbers or an array of rows, each `width` long;
/// returns them row after row.
pub fn read_rows(path: &Path, width: usize, what: &str) -> Result<Vec<f32>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let bad =
        || format!("{}: expected {what} as an array of {width} numbers, or an array of such arrays", path.display());
    let rows: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(a) if a.first().is_some_and(|v| v.is_array()) => a.iter().collect(),
        serde_json::Value::Array(_) => vec![&value],
        _ => return Err(bad()),
    };
    let mut out = Vec::with_capacity(rows.len() * width);
    for row in rows {
        let row = row.as_array().filter(|r| r.len() == width).ok_or_else(bad)?;
        for v in row {
            let v = v.as_f64().filter(|v| v.is_finite()).ok_or_else(bad)?;
            out.push(v as f32);
        }
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

pub fn run<D: Device<f32>>(args: &DecodeArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    let c = model.vae.config();
    let z = read_rows(&args.z, c.latent, "codes z")?;
    let images = model.vae.decode(&z);
    let dim = c.input_dim;
    let rows: Vec<&[f32]> = images.chunks(dim).collect();
    println!("{}", json!({ "model": args.model.display().to_string(), "latent": c.latent, "images": rows }));
    Ok(())
}
