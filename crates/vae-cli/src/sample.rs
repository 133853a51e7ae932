//! `vae sample`: images decoded from z ~ p(z), or, for a two-dimensional latent space, the
//! learned data manifold of AEVB's Figure 4.
use crate::args::Loaded;
use crate::images::grid;
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Images per row of the sample grid.
pub const PER_ROW: usize = 10;
/// The manifold is MANIFOLD x MANIFOLD decoded points.
pub const MANIFOLD: usize = 20;
pub const MAX_SAMPLES: usize = 10_000;

#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// Output PNG (required unless --json)
    #[arg(long, value_name = "FILE.png", required_unless_present = "json")]
    pub out: Option<PathBuf>,
    /// Number of samples (10 to a row)
    #[arg(long, default_value_t = 100)]
    pub n: usize,
    /// Seed of the prior draws
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Draw the 20x20 latent manifold (AEVB Figure 4) instead of samples; needs a model with
    /// a 2-D latent and one stochastic layer. Without this flag such a model gets its
    /// manifold written beside --out as <name>-manifold.png
    #[arg(long)]
    pub manifold: bool,
    /// Tiles per side of the manifold
    #[arg(long, default_value_t = MANIFOLD, value_name = "N")]
    pub grid: usize,
    /// Print one JSON line instead of writing a PNG: the images (decoder means, 784 numbers
    /// each, row by row of the grid) and, for --manifold, each tile's z
    #[arg(long)]
    pub json: bool,
}

pub fn run<D: Device<f32>>(args: &SampleArgs, dev: D) -> Result<(), String> {
    let model = Loaded::read(&args.model, dev)?;
    let shape = model.image_shape()?;
    let c = model.vae.config();
    let two_d = c.latent == 2 && c.latent2.is_none();
    if args.manifold {
        if !two_d {
            return Err(format!(
                "--manifold needs a model with --latent 2 and no --latent2; this one is {}",
                vae_core::checkpoint::describe(c)
            ));
        }
        let n = args.grid;
        if n == 0 || n > 100 {
            return Err(format!("--grid must be in 1..=100, got {n}"));
        }
        let z = manifold_codes(n);
        let images = model.vae.decode(&z);
        if args.json {
            let line = json!({ "grid": n, "z": z.chunks(2).collect::<Vec<_>>(), "images": images.chunks(c.input_dim).collect::<Vec<_>>() });
            println!("{line}");
            return Ok(());
        }
        let out = args.out.as_ref().expect("clap requires --out without --json");
        let r = grid(&images, shape, n);
        r.write_png(out)?;
        eprintln!("wrote {} ({}x{}: {n}x{n} manifold)", out.display(), r.width, r.height);
        return Ok(());
    }
    if args.n == 0 || args.n > MAX_SAMPLES {
        return Err(format!("--n must be in 1..={MAX_SAMPLES}, got {}", args.n));
    }
    let samples = model.vae.sample_prior(args.n, args.seed);
    if args.json {
        println!("{}", json!({ "seed": args.seed, "images": samples.chunks(c.input_dim).collect::<Vec<_>>() }));
        return Ok(());
    }
    let out = args.out.as_ref().expect("clap requires --out without --json");
    let r = grid(&samples, shape, PER_ROW);
    r.write_png(out)?;
    eprintln!("wrote {} ({}x{}: {} samples)", out.display(), r.width, r.height, args.n);
    if two_d {
        let path = beside(out, "-manifold");
        let m = grid(&model.vae.decode(&manifold_codes(MANIFOLD)), shape, MANIFOLD);
        m.write_png(&path)?;
        eprintln!(
            "note: the latent space is 2-D, so its {MANIFOLD}x{MANIFOLD} manifold (AEVB Figure 4) went to {}",
            path.display()
        );
    }
    Ok(())
}

/// `dir/name.png` -> `dir/name<suffix>.png`.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    path.with_file_name(format!("{stem}{suffix}{ext}"))
}

/// AEVB Figure 4: linearly spaced quantiles (i + 1/2) / n of the unit square mapped through
/// the standard normal's inverse CDF to z, row after row of an n x n grid (each tile is
/// decoded to its mean image). z1 grows to the right, z2 upwards.
fn manifold_codes(n: usize) -> Vec<f32> {
    let q: Vec<f32> = (0..n).map(|i| inverse_normal_cdf((i as f64 + 0.5) / n as f64) as f32).collect();
    let mut z = Vec::with_capacity(n * n * 2);
    for row in 0..n {
        for col in 0..n {
            z.extend([q[col], q[n - 1 - row]]);
        }
    }
    z
}

/// The standard normal's quantile function, by Peter J. Acklam's rational approximation
/// ("An algorithm for computing the inverse normal cumulative distribution function",
/// 2003; relative error below 1.15e-9 on (0, 1)). Infinite at 0 and 1, NaN outside.
pub fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    const P_LOW: f64 = 0.02425;
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_cdf_known_values() {
        assert_eq!(inverse_normal_cdf(0.5), 0.0);
        for (p, z) in [
            (0.975, 1.959963984540054),
            (0.841344746068543, 1.0),
            (0.001, -3.090232306167814),
            (1e-10, -6.361340902404056),
        ] {
            assert!(
                (inverse_normal_cdf(p) - z).abs() < 1e-8 * z.abs().max(1.0),
                "p={p}: {} vs {z}",
                inverse_normal_cdf(p)
            );
            assert!((inverse_normal_cdf(1.0 - p) + z).abs() < 1e-7 * z.abs().max(1.0));
        }
        assert!(inverse_normal_cdf(0.0).is_infinite() && inverse_normal_cdf(1.0).is_infinite());
        assert!(inverse_normal_cdf(1.5).is_nan());
    }

    #[test]
    fn beside_inserts_suffix() {
        assert_eq!(beside(Path::new("/tmp/grid.png"), "-manifold"), PathBuf::from("/tmp/grid-manifold.png"));
    }
}
