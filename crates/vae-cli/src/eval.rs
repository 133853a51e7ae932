//! `vae eval`: a checkpoint's test ELBO and its importance-sampled log-likelihood
//! (AEVB Appendix D; Burda et al. 2016), whose difference is the bound's gap, each with
//! its standard error over the test images. The importance sampling runs on all cores:
//! one thread per core, each with its own device and copy of the model.
use crate::args::{progress, DataArgs, DeviceKind, Given, Loaded, EVAL_SEED};
use clap::{Args, ValueEnum};
use dfdx::prelude::Device;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use vae_core::eval;
use vae_core::train::prepare_test;

pub const MAX_IW: usize = 100_000;

/// Evaluation protocols of the literature, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// Burda et al. (2016), section 5: K = 5000 importance samples, the whole test set.
    Iwae,
}

impl Protocol {
    pub const IWAE_K: usize = 5000;
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Checkpoint written by `vae train --out`
    #[arg(long, value_name = "FILE.safetensors")]
    pub model: PathBuf,
    /// Importance samples K per test image
    #[arg(long, default_value_t = 1000, value_name = "K")]
    pub iw: usize,
    /// A published protocol: iwae = K 5000 on the whole test set (Burda et al. 2016)
    #[arg(long, value_enum)]
    pub protocol: Option<Protocol>,
    /// Threads for the importance sampling [default: all cores; 1 with --device cuda]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
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

impl EvalArgs {
    /// K and the test-set limit, from the protocol or the flags (which may not contradict it).
    fn plan(&self, given: &Given) -> Result<(usize, Option<usize>), String> {
        match self.protocol {
            None => Ok((self.iw, self.test_limit)),
            Some(Protocol::Iwae) => {
                if given.contains("iw") && self.iw != Protocol::IWAE_K {
                    return Err(format!(
                        "--protocol iwae evaluates with K = {}; drop --iw {}",
                        Protocol::IWAE_K,
                        self.iw
                    ));
                }
                if self.test_limit.is_some() {
                    return Err("--protocol iwae evaluates the whole test set; drop --test-limit".into());
                }
                Ok((Protocol::IWAE_K, None))
            }
        }
    }
}

pub fn run<D: Device<f32> + Default>(args: &EvalArgs, given: &Given, device: DeviceKind, dev: D) -> Result<(), String> {
    let (k, limit) = args.plan(given)?;
    if k == 0 || k > MAX_IW {
        return Err(format!("--iw must be in 1..={MAX_IW}, got {k}"));
    }
    if limit == Some(0) || args.threads == Some(0) {
        return Err("--test-limit and --threads must be at least 1".into());
    }
    let model = Loaded::read(&args.model, dev)?;
    let binarization = model.binarization()?;
    let kind = args.data.kind_or(|| model.dataset())?;
    let mut test = args.data.load(kind)?.test;
    if let Some(n) = limit {
        test = test.subset(n);
    }
    model.check_dim(test.dim())?;
    let pixels = prepare_test(&test.pixels(), binarization);
    let n = test.len();
    // One CUDA device gains nothing from more host threads; CPU threads each get a core.
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads = args.threads.unwrap_or(if device == DeviceKind::Cpu { cores } else { 1 });
    let start = Instant::now();

    let elbo = eval::elbo_per_datum(&model.vae, &pixels, 1, args.seed);
    let bar =
        progress(n as u64, "log p(x), K={prefix} [{bar:30}] {pos}/{len} images  {per_sec}  ETA {eta}", args.quiet);
    bar.set_prefix(k.to_string());
    let vae = &model.vae;
    let estimates =
        eval::log_likelihood_parallel(&vae.arch, &vae.params(), &pixels, k, args.seed, threads, D::default, |done| {
            bar.inc(done as u64)
        });
    bar.finish_and_clear();
    let ll: Vec<f64> = estimates.iter().map(|e| e.log_px).collect();
    // The importance sampling's own error (other draws of the K samples, same images).
    let l_mc = eval::mean_mc_se(estimates.iter().map(|e| e.mc_se));
    let gap: Vec<f64> = ll.iter().zip(&elbo).map(|(l, e)| l - e).collect();
    let ((e, e_se), (l, l_se), (g, g_se)) = (eval::mean_and_se(&elbo), eval::mean_and_se(&ll), eval::mean_and_se(&gap));
    let seconds = start.elapsed().as_secs_f64();

    if args.json {
        let line = json!({
            "model": args.model.display().to_string(),
            "dataset": kind.name(),
            "binarization": binarization.name(),
            "images": n,
            "iw": k,
            "protocol": args.protocol.map(|_| "iwae"),
            "elbo": e,
            "elbo_se": e_se,
            "log_likelihood": l,
            "log_likelihood_se": l_se,
            "log_likelihood_mc_se": l_mc,
            "gap": g,
            "gap_se": g_se,
            "threads": threads,
            "seconds": seconds,
        });
        println!("{line}");
    } else {
        println!("{kind} test set, {n} images, {binarization} binarization");
        println!("test ELBO  {e:>9.2} ± {e_se:.2} nats  (1 sample)");
        println!("log p(x)   {l:>9.2} ± {l_se:.2} nats  (importance sampled, K={k}; Monte Carlo error {l_mc:.4})");
        println!("gap        {g:>9.2} ± {g_se:.2} nats  (log p(x) - ELBO, image by image)");
        println!(
            "± is the standard error of the mean over the {n} images (their spread / sqrt({n})): how far the \
             average would move on another test set of this size; it leaves out the finite-K estimate's \
             bias, which is downward. The Monte Carlo error is the importance sampling's own: how far the \
             average would move with other draws of the K samples on these images. {threads} threads, \
             {seconds:.1} s."
        );
    }
    Ok(())
}
