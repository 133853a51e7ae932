//! `vae train`: minibatch SGVB training (AEVB Algorithm 1) with a test-set ELBO after
//! every epoch, an optional checkpoint and an optional metrics file.
use crate::args::{choice, write, DataArgs, EVAL_SEED, FIXED_BINARIZATION_SEED};
use clap::Args;
use dfdx::prelude::Device;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use vae_core::data::{Binarization, DatasetKind};
use vae_core::train::{prepare, prepare_test, Trainer};
use vae_core::{
    checkpoint, eval, Activation, DecoderKind, Estimator, Family, Init, ModelConfig, OptimizerKind,
    TrainConfig,
};

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Passes over the training set
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Size of the latent z (z1, next to x, with --latent2)
    #[arg(long, default_value_t = 20)]
    pub latent: usize,
    /// Size of a second stochastic layer z2 (a two-layer deep latent Gaussian model)
    #[arg(long)]
    pub latent2: Option<usize>,
    /// Encoder hidden sizes, input side first, comma-separated (the decoder mirrors them)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "400",
        value_name = "N[,N...]"
    )]
    pub hidden: Vec<usize>,
    #[arg(long, value_parser = choice::<Activation>(&["relu", "tanh"]), default_value = "relu")]
    pub activation: Activation,
    /// Family of q(z|x)
    #[arg(long, value_parser = choice::<Family>(&["gaussian", "laplace", "logistic"]), default_value = "gaussian")]
    pub family: Family,
    /// Minibatch size M
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Learning rate
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f32,
    #[arg(long, value_parser = choice::<OptimizerKind>(&["adam", "adagrad"]), default_value = "adam")]
    pub optimizer: OptimizerKind,
    /// L2 penalty on the parameters (a Gaussian prior on them)
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f32,
    /// SGVB estimator A (eq. 6), B (eq. 7, analytic KL) or the IWAE bound
    #[arg(long, value_parser = choice::<Estimator>(&["a", "b", "iwae"]), default_value = "b")]
    pub estimator: Estimator,
    /// Samples per datum: L in eq. 7, k for IWAE
    #[arg(long, default_value_t = 1)]
    pub samples: usize,
    /// Observation model p(x|z)
    #[arg(long, value_parser = choice::<DecoderKind>(&["bernoulli", "gaussian"]), default_value = "bernoulli")]
    pub decoder: DecoderKind,
    /// Training pixels: fresh Bernoulli draws per minibatch, one fixed draw, or greyscale
    /// [default: dynamic for bernoulli, greyscale for gaussian]
    #[arg(long, value_parser = choice::<Binarization>(&["dynamic", "fixed", "greyscale"]))]
    pub binarization: Option<Binarization>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Weight initialisation: N(0, 0.01) as in AEVB section 5, or Glorot uniform
    /// [default: paper]
    #[arg(long, value_parser = choice::<Init>(&["paper", "glorot", "he", "pytorch"]))]
    pub init: Option<Init>,
    /// Adam's epsilon
    #[arg(long, default_value_t = vae_core::config::ADAM_EPSILON)]
    pub adam_epsilon: f32,
    /// Seeds the weights, the data order, the dynamic binarization draws and the noise
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the trained model here (safetensors)
    #[arg(long, value_name = "FILE.safetensors")]
    pub out: Option<PathBuf>,
    /// Write per-epoch metrics here (JSON)
    #[arg(long, value_name = "FILE")]
    pub metrics_json: Option<PathBuf>,
    /// Train on the first N training images only
    #[arg(long, value_name = "N")]
    pub train_limit: Option<usize>,
    /// Evaluate on the first N test images only
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// No progress bar or notes (the per-epoch lines are still printed)
    #[arg(long, short)]
    pub quiet: bool,
}

impl TrainArgs {
    fn configs(&self, input_dim: usize) -> Result<(ModelConfig, TrainConfig), String> {
        let model = ModelConfig {
            input_dim,
            hidden: self.hidden.clone(),
            latent: self.latent,
            latent2: self.latent2,
            hidden2: None,
            activation: self.activation,
            family: self.family,
            decoder: self.decoder,
        };
        let train = TrainConfig {
            optimizer: self.optimizer,
            lr: self.lr,
            weight_decay: self.weight_decay,
            batch_size: self.batch,
            estimator: self.estimator,
            samples: self.samples,
            seed: self.seed,
            adam_epsilon: self.adam_epsilon,
            ..TrainConfig::default()
        };
        model.validate()?;
        train.validate()?;
        Ok((model, train))
    }

    fn binarization(&self) -> Binarization {
        self.binarization.unwrap_or(match self.decoder {
            DecoderKind::Bernoulli => Binarization::Dynamic,
            DecoderKind::Gaussian => Binarization::Greyscale,
        })
    }

    /// The paper's N(0, 0.01) by default; Glorot's scaling is ~3 nats better after one
    /// ReLU epoch on MNIST and is one flag away.
    fn init(&self) -> Init {
        self.init.unwrap_or(Init::Paper)
    }

    /// Everything that can be checked before the data are read.
    fn check(&self) -> Result<(), String> {
        if self.epochs == 0 {
            return Err("epochs must be at least 1".into());
        }
        for (name, v) in [
            ("train-limit", self.train_limit),
            ("test-limit", self.test_limit),
        ] {
            if v == Some(0) {
                return Err(format!("--{name} must be at least 1"));
            }
        }
        self.configs(784).map(|_| ())
    }
}

pub fn run<D: Device<f32>>(args: &TrainArgs, dev: D) -> Result<(), String> {
    args.check()?;
    let kind = args.data.kind(DatasetKind::Mnist);
    let split = args.data.load(kind)?;
    let binarization = args.binarization();
    let mut train = split.train;
    let mut test = split.test;
    if let Some(n) = args.train_limit {
        train = train.subset(n);
    }
    if let Some(n) = args.test_limit {
        test = test.subset(n);
    }
    train.images = prepare(&train.images, binarization, FIXED_BINARIZATION_SEED);
    let test_pixels = prepare_test(&test.images, binarization);
    let (model_cfg, train_cfg) = args.configs(train.dim())?;

    let init = args.init();
    let mut trainer = Trainer::fresh(
        model_cfg.clone(),
        init,
        train_cfg.clone(),
        binarization,
        &train,
        dev,
    )?;
    if !args.quiet {
        eprintln!(
            "training {} ({} parameters, {init} init) on {kind}: {} train / {} test images, \
             {binarization} binarization, {} lr {} batch {}, estimator {} x{}, seed {}",
            checkpoint::describe(&model_cfg),
            trainer.vae.num_params(),
            train.len(),
            test.len(),
            train_cfg.optimizer,
            train_cfg.lr,
            train_cfg.batch_size,
            train_cfg.estimator,
            train_cfg.samples,
            train_cfg.seed,
        );
    }

    let start = Instant::now();
    let (mut train_elbo, mut test_elbo, mut rates) = (Vec::new(), Vec::new(), Vec::new());
    let n = train.len();
    for epoch in 1..=args.epochs {
        let bar = crate::args::progress(
            n as u64,
            "epoch {prefix} [{bar:30}] {pos}/{len}  {msg}  ETA {eta}",
            args.quiet,
        );
        bar.set_prefix(format!("{epoch}/{}", args.epochs));
        let t0 = Instant::now();
        let (mut seen, mut sum) = (0usize, 0.0f64);
        let mean = trainer
            .train_epoch(&train, |s| {
                let rows = args.batch.min(n - seen);
                seen += rows;
                sum += s.bound as f64 * rows as f64;
                let rate = seen as f64 / t0.elapsed().as_secs_f64().max(1e-9);
                bar.set_position(seen as u64);
                bar.set_message(format!(
                    "{rate:.0} samples/s  ELBO {:.2}",
                    sum / seen as f64
                ));
            })
            .map_err(|e| e.to_string())?;
        let secs = t0.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let rate = n as f64 / secs.max(1e-9);
        let t = eval::elbo(&trainer.vae, &test_pixels, 1, EVAL_SEED);
        println!(
            "epoch {epoch}/{}  train ELBO {mean:.2}  test ELBO {t:.2}  {rate:.0} samples/s",
            args.epochs
        );
        train_elbo.push(mean);
        test_elbo.push(t);
        rates.push(rate);
    }
    let seconds = start.elapsed().as_secs_f64();
    let last = *test_elbo.last().expect("at least one epoch");

    if let Some(path) = &args.out {
        let meta = [
            ("epochs", args.epochs.to_string()),
            ("test_elbo", format!("{last}")),
            ("dataset", kind.name().to_string()),
            ("binarization", binarization.name().to_string()),
            ("seed", args.seed.to_string()),
            ("init", init.to_string()),
            (
                "train_config",
                serde_json::to_string(&train_cfg).expect("serialises"),
            ),
        ];
        write(
            path,
            &checkpoint::to_bytes(&trainer.vae.arch, &trainer.vae.params(), &meta),
        )?;
        if !args.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    if let Some(path) = &args.metrics_json {
        // f32 fields through their shortest decimal form: 0.001, not 0.0010000000474974513.
        let mut tc = serde_json::to_value(&train_cfg).expect("serialises");
        for (key, v) in [
            ("lr", train_cfg.lr),
            ("weight_decay", train_cfg.weight_decay),
        ] {
            tc[key] = json!(v
                .to_string()
                .parse::<f64>()
                .expect("a float's display parses"));
        }
        let metrics = json!({
            "epochs": args.epochs,
            "train_elbo": train_elbo,
            "test_elbo": last,
            "test_elbo_per_epoch": test_elbo,
            "samples_per_sec": rates.iter().sum::<f64>() / rates.len() as f64,
            "config": model_cfg,
            "train_config": tc,
            "dataset": kind.name(),
            "binarization": binarization.name(),
            "init": init.to_string(),
            "train_images": train.len(),
            "test_images": test.len(),
            "params": trainer.vae.num_params(),
            "seconds": seconds,
        });
        let text = serde_json::to_string_pretty(&metrics).expect("serialises") + "\n";
        write(path, text.as_bytes())?;
        if !args.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
