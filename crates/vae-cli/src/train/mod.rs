//! `vae train`: minibatch SGVB training (AEVB Algorithm 1) with a test-set ELBO after
//! every epoch, checkpoints and resumable training states, and an optional metrics file.
//! `flags` turns the command line into a run's setup; `state_file` saves and restores it.
mod flags;
mod state_file;

use flags::Kernel;
pub use flags::TrainArgs;

use crate::args::{write_atomic, Given, EVAL_SEED, OWN};
use dfdx::prelude::Device;
use flags::Setup;
use serde_json::json;
use state_file::History;
use std::time::Instant;
use vae_core::data::Dataset;
use vae_core::train::{prepare, prepare_test, Trainer};
use vae_core::{checkpoint, eval};

/// The data a run trains and evaluates on, as its setup says.
struct Data {
    train: Dataset,
    test_pixels: Vec<f32>,
    test_images: usize,
}

fn load(args: &TrainArgs, setup: &Setup) -> Result<Data, String> {
    let split = args.data.load(setup.dataset)?;
    let mut train = split.train;
    let mut test = split.test;
    if let Some(n) = setup.train_limit {
        train = train.subset(n);
    }
    if let Some(n) = setup.test_limit {
        test = test.subset(n);
    }
    let train = prepare(train, setup.binarization);
    let test_pixels = prepare_test(&test.pixels(), setup.binarization);
    Ok(Data { train, test_pixels, test_images: test.len() })
}

/// A new run: its setup from the flags, a fresh model and trainer.
fn start<D: Device<f32>>(
    args: &TrainArgs,
    given: &Given,
    dev: D,
) -> Result<(Setup, Data, Trainer<D>, History), String> {
    // The data set's image size is needed before the model: resolve against the data set
    // the flags name, then load it.
    let probe = args.fresh_setup(given, 784)?;
    let data = load(args, &probe)?;
    let setup = args.fresh_setup(given, data.train.dim())?;
    let trainer =
        Trainer::fresh(setup.model.clone(), setup.init, setup.train.clone(), setup.binarization, &data.train, dev)?;
    Ok((setup, data, trainer, History::default()))
}

/// A resumed run: the state's setup (flags may only repeat it), the same data.
fn resume<D: Device<f32>>(
    args: &TrainArgs,
    given: &Given,
    dev: D,
) -> Result<(Setup, Data, Trainer<D>, History), String> {
    let path = args.resume.as_ref().expect("resume() with --resume");
    let (trainer, saved, history, train_images) = state_file::open(path, dev)?;
    let setup = args.resumed_setup(given, saved)?;
    let data = load(args, &setup)?;
    if data.train.len() != train_images || data.train.dim() != setup.model.input_dim {
        return Err(format!(
            "{}: the state was trained on {train_images} images of {} pixels, but {} gives {} of {}",
            path.display(),
            setup.model.input_dim,
            args.data.dir(setup.dataset).display(),
            data.train.len(),
            data.train.dim()
        ));
    }
    Ok((setup, data, trainer, history))
}

pub fn run<D: Device<f32>>(args: &TrainArgs, given: &Given, dev: D) -> Result<(), String> {
    args.check(given)?;
    vae_core::use_portable_matmul(args.kernel == Kernel::Portable);
    let (setup, data, mut trainer, mut history) = match args.resume {
        Some(_) => resume(args, given, dev)?,
        None => start(args, given, dev)?,
    };
    let epochs = args.epochs(setup.train.schedule);
    let train = &data.train;
    let dataset = args.data.metadata_name(setup.dataset)?;
    if !args.quiet {
        let c = &setup.train;
        eprintln!(
            "training {} ({} parameters, {} init) on {}: {} train / {} test images, {} binarization, \
             {} lr {} ({} schedule) batch {}, estimator {} x{}{}, seed {}{}",
            checkpoint::describe(&setup.model),
            trainer.vae.num_params(),
            setup.init,
            if dataset == OWN { format!("{OWN} ({})", args.data.dir(setup.dataset).display()) } else { dataset.into() },
            train.len(),
            data.test_images,
            setup.binarization,
            c.optimizer,
            c.lr,
            c.schedule,
            c.batch_size,
            c.estimator,
            c.samples,
            if c.kl_warmup > 0.0 { format!(", KL warm-up {} epochs", c.kl_warmup) } else { String::new() },
            c.seed,
            if trainer.epoch > 0 {
                format!("; resuming at epoch {} of {epochs}", trainer.epoch)
            } else {
                String::new()
            },
        );
        match args.steps {
            Some(steps) if trainer.step >= steps => {
                eprintln!("the state has done {} steps already (--steps {steps}): nothing to train", trainer.step)
            }
            None if trainer.epoch >= epochs => {
                eprintln!("the state has done {} epochs already (--epochs {epochs}): nothing to train", trainer.epoch)
            }
            _ => {}
        }
    }
    if let Some(steps) = args.steps {
        let t = train_steps(&mut trainer, &data, steps)?;
        return write_outputs(args, &setup, &data, &trainer, &history, Some(t), true);
    }

    let n = train.len();
    while trainer.epoch < epochs {
        let t0 = Instant::now();
        let epoch = trainer.epoch + 1;
        let bar =
            crate::args::progress(n as u64, "epoch {prefix} [{bar:30}] {pos}/{len}  {msg}  ETA {eta}", args.quiet);
        bar.set_prefix(format!("{epoch}/{epochs}"));
        // A state saved mid-epoch (by the page) resumes at its position.
        let (mut pos, mut count, mut sum) = (trainer.cursor(), 0usize, 0.0f64);
        let batch = setup.train.batch_size;
        let lr = setup.train.lr_at(epoch - 1);
        let mean = trainer
            .train_epoch(train, |s| {
                let rows = batch.min(n - pos);
                pos += rows;
                count += rows;
                sum += s.bound as f64 * rows as f64;
                bar.set_position(pos as u64);
                bar.set_message(format!("lr {lr:.2e}  ELBO {:.2}", sum / count as f64));
            })
            .map_err(|e| e.to_string())?;
        let secs = t0.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let rate = n as f64 / secs.max(1e-9);
        let t = eval::elbo(&trainer.vae, &data.test_pixels, 1, EVAL_SEED);
        println!("epoch {epoch}/{epochs}  train ELBO {mean:.2}  test ELBO {t:.2}  {rate:.0} samples/s");
        history.train_elbo.push(mean);
        history.test_elbo.push(t);
        history.samples_per_sec.push(rate);
        history.seconds += t0.elapsed().as_secs_f64();
        if args.checkpoint_every.is_some_and(|k| epoch % k == 0) && epoch < epochs {
            write_outputs(args, &setup, &data, &trainer, &history, None, false)?;
        }
    }
    write_outputs(args, &setup, &data, &trainer, &history, None, true)
}

/// `--steps N`: steps until the run has made N updates, wherever that is in an epoch (the
/// curves stay per epoch: a partial one adds no point). Returns the test ELBO.
fn train_steps<D: Device<f32>>(trainer: &mut Trainer<D>, data: &Data, steps: u64) -> Result<f64, String> {
    let t0 = Instant::now();
    let mut last = None;
    while trainer.step < steps {
        last = Some(trainer.train_step(&data.train).map_err(|e| e.to_string())?.bound);
    }
    let t = eval::elbo(&trainer.vae, &data.test_pixels, 1, EVAL_SEED);
    let bound = last.map_or("-".to_string(), |b| format!("{b:.2}"));
    println!(
        "step {}  epoch {} + {} images  last minibatch ELBO {bound}  test ELBO {t:.2}  {:.1} s",
        trainer.step,
        trainer.epoch,
        trainer.cursor(),
        t0.elapsed().as_secs_f64()
    );
    Ok(t)
}

/// The state (--save-state), the model (--out) and, at the end, the metrics.
fn write_outputs<D: Device<f32>>(
    args: &TrainArgs,
    setup: &Setup,
    data: &Data,
    trainer: &Trainer<D>,
    history: &History,
    test_elbo: Option<f64>,
    end: bool,
) -> Result<(), String> {
    let note = |path: &std::path::Path| {
        if !args.quiet {
            eprintln!("wrote {} (epoch {})", path.display(), trainer.epoch);
        }
    };
    if let Some(path) = &args.save_state {
        state_file::save(path, trainer, setup, history, data.train.len())?;
        note(path);
    }
    // A state restored from a run that had trained nothing yet has no curve: evaluate.
    let last = match test_elbo.or(history.test_elbo.last().copied()) {
        Some(t) => t,
        None => eval::elbo(&trainer.vae, &data.test_pixels, 1, EVAL_SEED),
    };
    let train_cfg = &setup.train;
    if let Some(path) = &args.out {
        let mut meta = vec![
            ("epochs", trainer.epoch.to_string()),
            ("steps", trainer.step.to_string()),
            ("test_elbo", format!("{last}")),
            ("dataset", args.data.metadata_name(setup.dataset)?.to_string()),
            ("binarization", setup.binarization.name().to_string()),
            ("seed", train_cfg.seed.to_string()),
            ("init", setup.init.to_string()),
            ("train_config", serde_json::to_string(train_cfg).expect("serialises")),
        ];
        if let Some(p) = setup.preset {
            meta.push(("preset", p.to_string()));
        }
        write_atomic(path, &checkpoint::to_bytes(&trainer.vae.arch, &trainer.vae.params(), &meta))?;
        note(path);
    }
    if let (true, Some(path)) = (end, &args.metrics_json) {
        // f32 fields through their shortest decimal form: 0.001, not 0.0010000000474974513
        // (the rate is an f64 already).
        let mut tc = serde_json::to_value(train_cfg).expect("serialises");
        for (key, v) in [
            ("weight_decay", train_cfg.weight_decay),
            ("adam_epsilon", train_cfg.adam_epsilon),
            ("kl_warmup", train_cfg.kl_warmup),
        ] {
            tc[key] = json!(v.to_string().parse::<f64>().expect("a float's display parses"));
        }
        let rates = &history.samples_per_sec;
        let metrics = json!({
            "epochs": trainer.epoch,
            "steps": trainer.step,
            "train_elbo": history.train_elbo,
            "test_elbo": last,
            "test_elbo_per_epoch": history.test_elbo,
            "samples_per_sec": rates.iter().sum::<f64>() / rates.len().max(1) as f64,
            "config": setup.model,
            "train_config": tc,
            "dataset": args.data.metadata_name(setup.dataset)?,
            "binarization": setup.binarization.name(),
            "init": setup.init.to_string(),
            "preset": setup.preset.map(|p| p.to_string()),
            "train_images": data.train.len(),
            "test_images": data.test_images,
            "params": trainer.vae.num_params(),
            "seconds": history.seconds,
        });
        let text = serde_json::to_string_pretty(&metrics).expect("serialises") + "\n";
        write_atomic(path, text.as_bytes())?;
        if !args.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
