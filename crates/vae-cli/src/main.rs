//! `vae`: train, evaluate and draw from variational autoencoders (Kingma & Welling,
//! Auto-Encoding Variational Bayes, 2014) on the command line. One subcommand per module;
//! this file only parses arguments and picks the device.
mod activity;
mod args;
mod bench;
mod data_dir;
mod decode;
mod estimators;
mod eval;
mod images;
mod posterior;
mod reconstruct;
mod sample;
mod train;

use args::DeviceKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vae", version, about = "Auto-Encoding Variational Bayes on MNIST: train, evaluate, sample")]
struct Cli {
    /// Device to run the model on
    #[arg(long, value_enum, default_value_t = DeviceKind::Cpu, global = true)]
    device: DeviceKind,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a VAE (AEVB Algorithm 1), evaluating the test ELBO after every epoch
    Train(Box<train::TrainArgs>),
    /// Test ELBO and importance-sampled log-likelihood of a checkpoint
    Eval(eval::EvalArgs),
    /// Draw samples from a checkpoint's prior (or its 2-D latent manifold) into a PNG
    Sample(sample::SampleArgs),
    /// The decoder's mean image for given codes z, as JSON
    Decode(decode::DecodeArgs),
    /// Test images beside their reconstructions, as a PNG
    Reconstruct(reconstruct::ReconstructArgs),
    /// The true posterior of a test image on a grid: log p(x), the ELBO and the gap, before and after refining q
    Posterior(posterior::PosteriorArgs),
    /// Variance of the encoder's gradient by SGVB B, SGVB A and the score function, as L grows
    Estimators(estimators::EstimatorsArgs),
    /// The test ELBO's two terms, KL per latent dimension and the active units of a checkpoint
    Activity(activity::ActivityArgs),
    /// Time training steps of the standard 784-400-20 model; prints one JSON line
    Bench(bench::BenchArgs),
}

/// Runs `$body` with `$dev` bound to the chosen device (a macro, since a closure cannot be
/// generic over the device type).
macro_rules! on_device {
    ($kind:expr, |$dev:ident| $body:expr) => {
        match $kind {
            DeviceKind::Cpu => {
                let $dev = vae_core::cpu();
                $body
            }
            #[cfg(feature = "cuda")]
            DeviceKind::Cuda => match vae_core::cuda(0) {
                Ok($dev) => $body,
                Err(e) => Err(format!("cannot open the CUDA device: {e}")),
            },
            #[cfg(not(feature = "cuda"))]
            DeviceKind::Cuda => Err(args::NO_CUDA.to_string()),
        }
    };
}

fn main() {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Which flags of the subcommand were given, not defaulted.
    let given = matches.subcommand().map(|(_, m)| args::given(m)).unwrap_or_default();
    let kind = cli.device;
    let result = match cli.command {
        Command::Train(a) => on_device!(kind, |dev| train::run(&a, &given, dev)),
        Command::Eval(a) => on_device!(kind, |dev| eval::run(&a, &given, kind, dev)),
        Command::Sample(a) => on_device!(kind, |dev| sample::run(&a, dev)),
        Command::Decode(a) => on_device!(kind, |dev| decode::run(&a, dev)),
        Command::Reconstruct(a) => on_device!(kind, |dev| reconstruct::run(&a, dev)),
        Command::Posterior(a) => on_device!(kind, |dev| posterior::run(&a, dev)),
        Command::Estimators(a) => on_device!(kind, |dev| estimators::run(&a, dev)),
        Command::Activity(a) => on_device!(kind, |dev| activity::run(&a, dev)),
        Command::Bench(a) => on_device!(kind, |dev| bench::run(&a, kind, dev)),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
