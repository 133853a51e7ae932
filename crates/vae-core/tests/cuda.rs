//! CPU vs CUDA parity, and training and checkpoints on CUDA.
//!
//! Built only with `--features cuda` (scripts/cuda-tests.sh builds and bundles it without a
//! GPU; the default `cargo test` compiles this file to nothing). Each test first opens the
//! CUDA device and, if that fails, prints "skipping: no CUDA device (...)" and passes.
//!
//! Both devices get the same weights and the same noise: noise is drawn on the host
//! (`vae_core::noise`) and copied to the device, so any difference is arithmetic.
//!
//! Tolerances. Neither side is exact and both are f32. dfdx's CUDA matmul is cuBLAS with
//! `CUBLAS_COMPUTE_32F` in the default math mode, so no TF32 (run.sh also sets
//! NVIDIA_TF32_OVERRIDE=0); the CPU's is gemm. What differs is the order of summation
//! (gemm's blocking vs cuBLAS's tiles and split-K, sequential sums vs tree reductions),
//! FMA contraction (nvcc fuses a*b+c by default) and CUDA's expf/logf/tanhf, within 2 ulp
//! of the host's. The scale of such differences, measured on the CPU for the models below
//! (batch 100) and printed again by each run beside the CUDA figures:
//!   - f32 vs the f64 reference of tests/common: reconstructions 7e-8 - 1.1e-7 absolute;
//!     bounds (A, IWAE) 4e-7 - 8e-7 relative (2e-4 - 5e-4 nats on 540-820);
//!   - a batch gradient vs the sum of its per-row gradients (another summation order):
//!     norm-relative 1e-7 - 3e-7, largest component error 6e-7 of the largest component;
//!   - 60 Adam steps from weights perturbed by 1e-6 (relative): final test ELBO 8e-6 apart.
//!
//! The limits are 30-300x those, well above reordering noise, and well below what a real
//! fault gives: a wrong index or kernel errs by O(1), TF32 (10-bit mantissa) by ~1e-4 -
//! 1e-3 in reconstructions and bounds.
//!   - reconstructions, decoded means (probabilities in [0, 1]): 2e-5 absolute;
//!   - bounds per datum, test ELBO, log p(x): 2e-5 relative;
//!   - gradients (A, B): 1e-4 of their norm, no component off by 1e-4 of the largest.
//!     IWAE: 2e-3. Its gradient weights each sample by softmax(log w), so log-weight errors
//!     (absolute: ~5e-4 nats on bounds of ~540) enter the gradient as relative errors;
//!   - Adam and Adagrad steps from the same gradients: exact (the update runs on the host);
//!   - training: the CUDA run's final test ELBO within 1e-3 (relative) of the CPU run's.
//!
//! Each run prints the measured errors (cuda-tests.log) and appends them to
//! $VAE_CUDA_OUT/cuda-parity.txt.
#![cfg(feature = "cuda")]
mod common;

use common::eps_of;
use common::reference::Reference;
use dfdx::prelude::*;
use dfdx::tensor::Cuda;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use vae_core::checkpoint;
use vae_core::config::*;
use vae_core::data::{Binarization, Dataset};
use vae_core::eval;
use vae_core::noise::Noise;
use vae_core::optim::{Optimizer, UpdateRule};
use vae_core::train::Trainer;
use vae_core::Vae;

const FORWARD_ABS: f64 = 2e-5;
const BOUND_REL: f64 = 2e-5;
const GRAD_REL: f64 = 1e-4;
const GRAD_REL_IWAE: f64 = 2e-3;
const TRAIN_ELBO_REL: f64 = 1e-3;

/// The CUDA device, or None after printing why the test skips. The first probe's answer is
/// kept, so a machine without a device is probed once.
fn gpu() -> Option<Cuda> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    let probe = PROBE.get_or_init(|| vae_core::cuda(0).map(|_| ()));
    let opened = match probe {
        Ok(()) => vae_core::cuda(0),
        Err(e) => Err(e.clone()),
    };
    match opened {
        Ok(dev) => Some(dev),
        Err(e) => {
            // Straight to stderr: libtest captures println!, and a skip should be seen.
            let _ = writeln!(std::io::stderr(), "skipping: no CUDA device ({})", e.trim());
            None
        }
    }
}

/// Where outputs go: $VAE_CUDA_OUT (run.sh sets it), else a temporary directory.
fn out_dir() -> PathBuf {
    let dir = std::env::var_os("VAE_CUDA_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("vae-cuda-out"));
    std::fs::create_dir_all(&dir).expect("create the output directory");
    dir
}

/// Prints a measurement and appends it to cuda-parity.txt.
fn report(line: String) {
    println!("{line}");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(out_dir().join("cuda-parity.txt")) {
        let _ = writeln!(f, "{line}");
    }
}

/// Differences between a CPU result and another evaluation of it.
#[derive(Clone, Copy, Debug)]
struct Diff {
    /// max |other - cpu|
    max_abs: f64,
    /// max |other - cpu| / |cpu| over components at least 1e-3 of the largest
    max_rel: f64,
    /// max |other - cpu| / max |cpu|
    max_rel_to_largest: f64,
    /// ||other - cpu|| / ||cpu||
    norm_rel: f64,
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "max_abs {:.2e} max_rel {:.2e} max_rel_to_largest {:.2e} norm_rel {:.2e}",
            self.max_abs, self.max_rel, self.max_rel_to_largest, self.norm_rel
        )
    }
}

fn diff(cpu: &[f32], other: &[f32], what: &str) -> Diff {
    diff64(&wide(cpu), other, what)
}

fn wide(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// As `diff`, against an f64 baseline (the independent reference of tests/common).
fn diff64(cpu: &[f64], other: &[f32], what: &str) -> Diff {
    assert_eq!(cpu.len(), other.len(), "{what}: lengths differ");
    assert!(other.iter().all(|v| v.is_finite()), "{what}: non-finite values");
    let largest = cpu.iter().fold(0.0f64, |m, &c| m.max(c.abs()));
    let (mut max_abs, mut max_rel, mut sq_d, mut sq_c) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (&c, &o) in cpu.iter().zip(other) {
        let o = o as f64;
        let d = (o - c).abs();
        max_abs = max_abs.max(d);
        if c.abs() >= 1e-3 * largest && c != 0.0 {
            max_rel = max_rel.max(d / c.abs());
        }
        sq_d += d * d;
        sq_c += c * c;
    }
    let norm_rel = if sq_c > 0.0 { (sq_d / sq_c).sqrt() } else { sq_d.sqrt() };
    let max_rel_to_largest = if largest > 0.0 { max_abs / largest } else { max_abs };
    Diff { max_abs, max_rel, max_rel_to_largest, norm_rel }
}

/// `n` synthetic 28x28 images: a filled rectangle and a full-length bar at random places
/// and sizes. A few latent factors, so training has something to find; deterministic in
/// `seed`, so every machine sees the same data. Binary pixels, or 0.05 / 0.95 for the
/// Gaussian decoder.
fn shapes(n: usize, seed: u64, binary: bool) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = vec![0.0f32; n * 784];
    for img in out.chunks_mut(784) {
        let (x0, y0) = (rng.gen_range(0..22usize), rng.gen_range(0..22usize));
        let (w, h) = (rng.gen_range(3..10usize), rng.gen_range(3..10usize));
        for y in y0..(y0 + h).min(28) {
            for x in x0..(x0 + w).min(28) {
                img[y * 28 + x] = 1.0;
            }
        }
        let at = rng.gen_range(2..26usize);
        for i in 0..28 {
            let p = if rng.gen_bool(0.5) { at * 28 + i } else { i * 28 + at };
            img[p] = 1.0;
        }
        if !binary {
            for p in img.iter_mut() {
                *p = 0.05 + 0.9 * *p;
            }
        }
    }
    out
}

fn dataset(images: Vec<f32>) -> Dataset {
    let n = images.len() / 784;
    let images = images.iter().map(|&p| (p * 255.0).round() as u8).collect();
    Dataset { images, labels: vec![0; n], rows: 28, cols: 28 }
}

/// The architectures compared: the standard 784-400-20 (ReLU, Gaussian q, Bernoulli
/// decoder), a two-stochastic-layer model (tanh, Laplace q, Gaussian decoder: the prior
/// path, |.|, softplus, the Gaussian likelihood) and a logistic q.
fn configs() -> Vec<(&'static str, ModelConfig, bool)> {
    vec![
        ("784-400-20 relu gaussian-q bernoulli", ModelConfig::default(), true),
        (
            "784-256-128-16-8 tanh laplace-q gaussian",
            ModelConfig {
                input_dim: 784,
                hidden: vec![256, 128],
                latent: 16,
                latent2: Some(8),
                hidden2: None,
                activation: Activation::Tanh,
                family: Family::Laplace,
                decoder: DecoderKind::Gaussian,
            },
            false,
        ),
        (
            "784-300-10 relu logistic-q bernoulli",
            ModelConfig {
                input_dim: 784,
                hidden: vec![300],
                latent: 10,
                latent2: None,
                hidden2: None,
                activation: Activation::Relu,
                family: Family::Logistic,
                decoder: DecoderKind::Bernoulli,
            },
            true,
        ),
        // z2 conditioned on z1 (Burda et al.'s two-layer model).
        ("iwae-2 784-200-200-100-100-100-50 tanh", vae_core::config::Preset::Iwae2.model(784), true),
    ]
}

/// The same weights on the CPU and on CUDA (Glorot: larger than the paper's N(0, 0.01),
/// so every layer matters to the output).
fn pair(cfg: &ModelConfig, seed: u64, dev: &Cuda) -> (Vae<Cpu>, Vae<Cuda>) {
    let cpu = Vae::new(cfg.clone(), Init::Glorot, seed, vae_core::cpu()).unwrap();
    let gpu = Vae::from_params(cpu.arch.clone(), cpu.params(), dev.clone());
    assert_eq!(cpu.params(), gpu.params(), "parameters copied to the device unchanged");
    (cpu, gpu)
}

fn noise(vae: &Vae<Cpu>, rows: usize, samples: usize, step: u64) -> Noise {
    let c = vae.config();
    Noise::draw(42, step, 0, rows, samples, c.family, c.latent, c.latent2)
}

/// The estimators and sample counts compared: L > 1 exercises the row repetition.
const ESTIMATORS: [(Estimator, usize); 4] =
    [(Estimator::B, 1), (Estimator::B, 3), (Estimator::A, 3), (Estimator::Iwae, 5)];

/// Rows checked against the f64 reference (its plain loops are slow).
const REF_ROWS: usize = 20;

/// The decoder's mean image at the posterior mean, in f64, for the first REF_ROWS rows.
fn reference_reconstruct(vae: &Vae<Cpu>, x: &[f32]) -> Vec<f64> {
    let r = Reference::new(&vae.arch, &vae.params());
    let cfg = vae.config();
    let act = |v: Vec<f64>| -> Vec<f64> {
        match cfg.activation {
            Activation::Tanh => v.into_iter().map(f64::tanh).collect(),
            Activation::Relu => v.into_iter().map(|a| a.max(0.0)).collect(),
        }
    };
    x.chunks(784)
        .take(REF_ROWS)
        .flat_map(|row| {
            let (mut h, _, _) = r.encode(&wide(row));
            for i in 0..cfg.hidden.len() {
                h = act(r.dense(&format!("decoder.{i}"), &h));
            }
            r.dense("decoder.out", &h).into_iter().map(|l| 1.0 / (1.0 + (-l).exp()))
        })
        .collect()
}

/// Estimator A's or the IWAE bound in f64 for the first REF_ROWS rows (None for B, whose
/// reference integrates its KL numerically, with an error of its own).
fn reference_bound(vae: &Vae<Cpu>, x: &[f32], noise: &Noise, est: Estimator) -> Option<Vec<f64>> {
    let r = Reference::new(&vae.arch, &vae.params());
    let rows = x.chunks(784).take(REF_ROWS).enumerate().map(|(b, row)| {
        let lw: Vec<f64> = (0..noise.samples)
            .map(|s| {
                let (e1, e2) = eps_of(noise, s, b);
                r.log_weight(&wide(row), &e1, e2.as_deref())
            })
            .collect();
        match est {
            Estimator::A => lw.iter().sum::<f64>() / lw.len() as f64,
            _ => eval::logsumexp(&lw) - (lw.len() as f64).ln(),
        }
    });
    (est != Estimator::B).then(|| rows.collect())
}

#[test]
fn forward_pass_matches_cpu() {
    let Some(dev) = gpu() else { return };
    for (name, cfg, binary) in configs() {
        let (cpu, gpu) = pair(&cfg, 1, &dev);
        let x = shapes(100, 3, binary);
        let want = cpu.reconstruct(&x);
        let got = gpu.reconstruct(&x);
        let d = diff(&want, &got, "reconstruction");
        let exact = reference_reconstruct(&cpu, &x);
        let n = exact.len();
        let (ec, eg) = (diff64(&exact, &want[..n], "cpu vs f64"), diff64(&exact, &got[..n], "cuda vs f64"));
        report(format!("forward [{name}] reconstruction: cuda vs cpu {d} | vs f64 reference: cpu {ec}; cuda {eg}"));
        assert!(d.max_abs <= FORWARD_ABS, "[{name}] reconstruction differs: {d}");
        assert!(eg.max_abs <= FORWARD_ABS, "[{name}] CUDA reconstruction differs from the f64 reference: {eg}");

        let ((mu_c, lv_c), (mu_g, lv_g)) = (cpu.encode(&x), gpu.encode(&x));
        let (dm, dl) = (diff(&mu_c, &mu_g, "mu"), diff(&lv_c, &lv_g, "logvar"));
        report(format!("forward [{name}] encoder mu: cuda {dm}; logvar: cuda {dl}"));
        assert!(dm.norm_rel <= BOUND_REL && dl.norm_rel <= BOUND_REL, "[{name}] encoder differs: mu {dm}, logvar {dl}");

        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let z: Vec<f32> = (0..20 * cfg.latent).map(|_| rng.gen_range(-2.0f32..2.0)).collect();
        let dd = diff(&cpu.decode(&z), &gpu.decode(&z), "decode");
        let ds = diff(&cpu.sample_prior(50, 5), &gpu.sample_prior(50, 5), "prior samples");
        report(format!("forward [{name}] decode: cuda {dd}; prior samples: cuda {ds}"));
        assert!(dd.max_abs <= FORWARD_ABS && ds.max_abs <= FORWARD_ABS, "[{name}] decoder differs: {dd}, {ds}");
    }
}

#[test]
fn elbo_matches_cpu_for_all_estimators() {
    let Some(dev) = gpu() else { return };
    for (name, cfg, binary) in configs() {
        let (cpu, gpu) = pair(&cfg, 2, &dev);
        let x = shapes(100, 4, binary);
        for (est, l) in ESTIMATORS {
            let n = noise(&cpu, 100, l, 0);
            let want = cpu.bound(&x, &n, est);
            let got = gpu.bound(&x, &n, est);
            let d = diff(&want, &got, "bound");
            let mean = want.iter().map(|&v| v as f64).sum::<f64>() / want.len() as f64;
            let vs_f64 = match reference_bound(&cpu, &x, &n, est) {
                Some(exact) => {
                    let k = exact.len();
                    let (ec, eg) = (diff64(&exact, &want[..k], "cpu vs f64"), diff64(&exact, &got[..k], "cuda vs f64"));
                    assert!(
                        eg.max_rel <= BOUND_REL,
                        "[{name}] {est:?} L={l}: CUDA bound differs from the f64 reference: {eg}"
                    );
                    format!(" | vs f64 reference: cpu {ec}; cuda {eg}")
                }
                None => String::new(),
            };
            report(format!("elbo [{name}] {est:?} L={l} (mean {mean:.2} nats): cuda vs cpu {d}{vs_f64}"));
            assert!(d.max_rel <= BOUND_REL, "[{name}] {est:?} L={l}: bounds differ: {d}");
        }
        // The evaluation paths: chunked test ELBO and the importance-sampled log p(x).
        let (e_c, e_g) = (eval::elbo(&cpu, &x, 2, 11), eval::elbo(&gpu, &x, 2, 11));
        let (l_c, l_g) =
            (eval::log_likelihood(&cpu, &x[..20 * 784], 50, 12), eval::log_likelihood(&gpu, &x[..20 * 784], 50, 12));
        let (re, rl) = (((e_g - e_c) / e_c).abs(), ((l_g - l_c) / l_c).abs());
        report(format!("elbo [{name}] eval::elbo cpu {e_c:.4} cuda {e_g:.4} rel {re:.2e}; log p(x) k=50 cpu {l_c:.4} cuda {l_g:.4} rel {rl:.2e}"));
        assert!(
            re <= BOUND_REL && rl <= BOUND_REL,
            "[{name}] evaluation differs: elbo {e_c} vs {e_g}, log p(x) {l_c} vs {l_g}"
        );
    }
}

#[test]
fn gradients_match_cpu_for_all_estimators() {
    let Some(dev) = gpu() else { return };
    for (name, cfg, binary) in configs() {
        let (cpu, gpu) = pair(&cfg, 3, &dev);
        let x = shapes(100, 5, binary);
        for (est, l) in ESTIMATORS {
            let n = noise(&cpu, 100, l, 1);
            let gc = cpu.gradient(&x, &n, est);
            let gg = gpu.gradient(&x, &n, est);
            let want = gc.grad.clone();
            let d = diff(&want, &gg.grad, "gradient");
            // The CPU in another order: the sum of the per-row gradients.
            let mut sum = vec![0.0f32; want.len()];
            for i in 0..100 {
                let g = cpu.gradient(&x[i * 784..(i + 1) * 784], &n.slice(i, i + 1), est).grad;
                sum.iter_mut().zip(g).for_each(|(s, g)| *s += g);
            }
            let cpu_order = diff(&want, &sum, "gradient");
            let rel_sum = ((gg.bound_sum - gc.bound_sum) / gc.bound_sum).abs();
            report(format!("grad [{name}] {est:?} L={l}: cuda vs cpu {d} (bound sum rel {rel_sum:.2e}) | cpu batch vs sum of per-row gradients {cpu_order}"));
            let limit = if est == Estimator::Iwae { GRAD_REL_IWAE } else { GRAD_REL };
            assert!(d.norm_rel <= limit, "[{name}] {est:?} L={l}: gradients differ: {d}");
            assert!(d.max_rel_to_largest <= limit, "[{name}] {est:?} L={l}: a gradient component differs: {d}");
            assert!(rel_sum as f64 <= BOUND_REL, "[{name}] {est:?}: bound sums {} vs {}", gc.bound_sum, gg.bound_sum);
        }
    }
}

/// The optimiser runs on the host (`Optimizer::update` copies the parameters and the
/// gradient off the device, updates them in one pass and copies them back), so the same
/// gradients give the same parameters on both devices, bit for bit.
#[test]
fn optimizer_steps_match_cpu() {
    let Some(dev) = gpu() else { return };
    let cpu_dev = vae_core::cpu();
    let n = 100_000;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let theta: Vec<f32> = (0..n).map(|_| rng.gen_range(-0.5f32..0.5)).collect();
    let grads: Vec<Vec<f32>> = (0..3).map(|_| (0..n).map(|_| rng.gen_range(-2.0f32..2.0)).collect()).collect();
    for kind in [OptimizerKind::Adam, OptimizerKind::Adagrad] {
        let rule = UpdateRule { kind, lr: 1e-2, weight_decay: 1e-3, epsilon: 1e-8 };
        let (mut oc, mut og) = (Optimizer::new(n), Optimizer::new(n));
        let mut tc = cpu_dev.tensor_from_vec(theta.clone(), (n,));
        let mut tg = dev.tensor_from_vec(theta.clone(), (n,));
        for g in &grads {
            oc.update(&rule, &mut tc, &cpu_dev.tensor_from_vec(g.clone(), (n,)));
            og.update(&rule, &mut tg, &dev.tensor_from_vec(g.clone(), (n,)));
        }
        let d = diff(&tc.as_vec(), &tg.as_vec(), "parameters");
        report(format!("optim {kind:?} 3 steps: cuda vs cpu {d}"));
        assert_eq!(tc.as_vec(), tg.as_vec(), "{kind:?}: parameters differ after 3 steps: {d}");
        assert_eq!(oc.state(), og.state(), "{kind:?}: optimiser state differs");
    }
}

/// Trains the standard model on the synthetic shapes for `epochs`; returns the test ELBO
/// before and after, and the trainer.
fn train_run<D: Device<f32>>(dev: D, epochs: usize, seed: u64, perturb: f32) -> (f64, f64, Trainer<D>) {
    let train = dataset(shapes(2000, 21, true));
    let test = shapes(500, 22, true);
    let cfg = TrainConfig { seed, ..TrainConfig::default() };
    let mut t = Trainer::fresh(ModelConfig::default(), Init::Paper, cfg, Binarization::Dynamic, &train, dev).unwrap();
    if perturb != 0.0 {
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let p: Vec<f32> = t.vae.params().iter().map(|&v| v * (1.0 + perturb * rng.gen_range(-1.0f32..1.0))).collect();
        t.vae.set_params(&p);
    }
    let before = eval::elbo(&t.vae, &test, 1, 7);
    for _ in 0..epochs {
        t.train_epoch(&train, |_| {}).unwrap();
    }
    let after = eval::elbo(&t.vae, &test, 1, 7);
    (before, after, t)
}

#[test]
fn training_on_cuda_raises_the_elbo() {
    let Some(dev) = gpu() else { return };
    let epochs = 3; // 60 Adam steps of 100
    let t0 = std::time::Instant::now();
    let (before, after, trainer) = train_run(dev, epochs, 1, 0.0);
    let secs = t0.elapsed().as_secs_f64();
    let (c_before, c_after, _) = train_run(vae_core::cpu(), epochs, 1, 0.0);
    let rel = ((after - c_after) / c_after).abs();
    report(format!(
        "train cuda: test ELBO {before:.2} -> {after:.2} nats in {} steps ({secs:.1}s); cpu: {c_before:.2} -> {c_after:.2}; final rel diff {rel:.2e}",
        trainer.step
    ));
    assert!((before - c_before).abs() <= BOUND_REL * c_before.abs(), "untrained ELBO differs: {before} vs {c_before}");
    assert!(after > before + 20.0, "training on CUDA did not raise the ELBO enough: {before} -> {after}");
    assert!(rel <= TRAIN_ELBO_REL, "CUDA and CPU training ended apart: {after} vs {c_after}");
}

#[test]
fn checkpoint_trained_on_cuda_loads_on_cpu() {
    let Some(dev) = gpu() else { return };
    let (_, after, trainer) = train_run(dev, 2, 5, 0.0);
    let gpu_vae = &trainer.vae;
    let meta = [
        ("binarization", "dynamic".to_string()),
        ("trained_on", "synthetic 28x28 shapes (crates/vae-core/tests/cuda.rs), on CUDA".to_string()),
        ("device", "cuda".to_string()),
        ("steps", trainer.step.to_string()),
        ("test_elbo", format!("{after:.3}")),
    ];
    let bytes = checkpoint::to_bytes(&gpu_vae.arch, &gpu_vae.params(), &meta);
    // The file the browser build loads through the very same checkpoint::from_bytes.
    let path = out_dir().join("cuda-trained.safetensors");
    std::fs::write(&path, &bytes).unwrap();
    let from_disk = std::fs::read(&path).unwrap();
    let ck = checkpoint::from_bytes(&from_disk).expect("the checkpoint written on CUDA parses");
    assert_eq!(ck.arch.config, *gpu_vae.config());
    assert_eq!(ck.params, gpu_vae.params(), "parameters round-trip bit for bit");
    assert_eq!(ck.metadata.get("device").map(String::as_str), Some("cuda"));
    let cpu_vae = Vae::from_params(ck.arch, ck.params, vae_core::cpu());

    let x = shapes(100, 23, true);
    let d = diff(&cpu_vae.reconstruct(&x), &gpu_vae.reconstruct(&x), "reconstruction");
    let n = noise(&cpu_vae, 100, 1, 0);
    let db = diff(&cpu_vae.bound(&x, &n, Estimator::B), &gpu_vae.bound(&x, &n, Estimator::B), "bound");
    report(format!(
        "checkpoint: {} bytes at {}; trained on cuda ({} steps, test ELBO {after:.2}); on cpu: reconstruction {d}; bound {db}",
        bytes.len(),
        path.display(),
        trainer.step
    ));
    assert!(d.max_abs <= FORWARD_ABS, "reconstruction on the CPU differs: {d}");
    assert!(db.max_rel <= BOUND_REL, "bound on the CPU differs: {db}");
}
