//! Training mechanics: matmul correctness, optimizers against their formulas, seeded
//! reproducibility, gradient splitting across workers, the non-finite guard, and one
//! epoch on real MNIST.
mod common;

use common::*;
use dfdx::prelude::*;
use vae_core::config::*;
use vae_core::data::{load_dir, Binarization, Dataset, DatasetKind};
use vae_core::noise::Noise;
use vae_core::optim::{Optimizer, UpdateRule};
use vae_core::train::{prepare_test, Trainer};

/// dfdx's matmul (through the patched gemm) against a triple loop, on shapes that hit
/// gemm's edge kernels, and with accumulation into an existing gradient (the case dfdx
/// issue #871 got wrong without the `cpu` feature).
#[test]
fn matmul_matches_naive_loops() {
    let dev = vae_core::cpu();
    let a = dev.tensor_from_vec(vec![1.0f32, 2.0], (1usize, 2usize));
    let b = dev.tensor_from_vec(vec![3.0f32, 4.0], (2usize, 1usize));
    assert_eq!(a.matmul(b).as_vec(), vec![11.0]);
    for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 33, 9), (100, 784, 400), (64, 20, 3)] {
        let av: Vec<f32> = (0..m * k).map(|i| ((i * 31 % 17) as f32 - 8.0) / 7.0).collect();
        let bv: Vec<f32> = (0..k * n).map(|i| ((i * 13 % 11) as f32 - 5.0) / 3.0).collect();
        let got = dev.tensor_from_vec(av.clone(), (m, k)).matmul(dev.tensor_from_vec(bv.clone(), (k, n))).as_vec();
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|t| av[i * k + t] as f64 * bv[t * n + j] as f64).sum();
                assert!((got[i * n + j] as f64 - want).abs() < 1e-3 * (1.0 + want.abs()), "({m},{k},{n}) at ({i},{j})");
            }
        }
    }
    // d/dW of sum(x W) + sum(x W) accumulates twice sum over rows of x.
    let w = dev.tensor_from_vec(vec![0.5f32; 6], (3usize, 2usize));
    let x = dev.tensor_from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], (2usize, 3usize));
    let wt = w.leaky_trace();
    let y1 = x.clone().leaky_traced().matmul(wt.with_empty_tape());
    let y2 = x.leaky_traced().matmul(wt);
    let g = (y1.sum::<Rank0, _>() + y2.sum::<Rank0, _>()).backward().get(&w).as_vec();
    assert_eq!(g, vec![10.0, 10.0, 14.0, 14.0, 18.0, 18.0]);
}

#[test]
fn adam_and_adagrad_follow_their_update_rules() {
    let dev = vae_core::cpu();
    let g1 = [0.5f32, -2.0, 0.0];
    let g2 = [0.1f32, 1.0, -3.0];
    for kind in [OptimizerKind::Adam, OptimizerKind::Adagrad] {
        let mut theta = dev.tensor_from_vec(vec![1.0f32, 1.0, 1.0], (3usize,));
        let rule = UpdateRule { kind, lr: 0.1, weight_decay: 0.01, epsilon: 1e-8 };
        let mut opt = Optimizer::new(3);
        let (mut m, mut v, mut p) = ([0f64; 3], [0f64; 3], [1f64; 3]);
        for (t, g) in [g1, g2].iter().enumerate() {
            opt.update(&rule, &mut theta, &dev.tensor_from_vec(g.to_vec(), (3usize,)));
            for i in 0..3 {
                let gi = g[i] as f64 + 0.01 * p[i];
                match kind {
                    OptimizerKind::Adam => {
                        m[i] = 0.9 * m[i] + 0.1 * gi;
                        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                        let (mh, vh) =
                            (m[i] / (1.0 - 0.9f64.powi(t as i32 + 1)), v[i] / (1.0 - 0.999f64.powi(t as i32 + 1)));
                        p[i] -= 0.1 * mh / (vh.sqrt() + 1e-8);
                    }
                    OptimizerKind::Adagrad => {
                        v[i] += gi * gi;
                        p[i] -= 0.1 * gi / (v[i].sqrt() + 1e-6);
                    }
                }
            }
            for (a, b) in theta.as_vec().iter().zip(p) {
                assert!((*a as f64 - b).abs() < 1e-5, "{kind:?} step {t}: {a} vs {b}");
            }
        }
    }
}

/// A synthetic binary dataset (for tests that need no real data).
fn synthetic(n: usize, dim: usize) -> Dataset {
    let images = (0..n * dim).map(|i| ((i * 2654435761usize) >> 7).is_multiple_of(3)).map(|b| b as u8 * 255).collect();
    Dataset { images, labels: vec![0; n], rows: 1, cols: dim }
}

fn trainer(seed: u64, data: &Dataset) -> Trainer<Dev> {
    let cfg = ModelConfig { input_dim: 16, hidden: vec![12], latent: 3, ..ModelConfig::default() };
    let tc = TrainConfig { seed, batch_size: 10, samples: 2, ..TrainConfig::default() };
    Trainer::fresh(cfg, Init::Paper, tc, Binarization::Dynamic, data, vae_core::cpu()).unwrap()
}

#[test]
fn seeded_runs_repeat_exactly_and_seeds_differ() {
    let data = synthetic(55, 16);
    let run = |seed| {
        let mut t = trainer(seed, &data);
        let losses: Vec<f32> = (0..20).map(|_| t.train_step(&data).unwrap().bound).collect();
        (losses, t.vae.params(), t.epoch)
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a, b);
    assert_ne!(a.1, c.1);
    // 20 steps of 10 over 55 data: three epochs done (the last batch of each is 5).
    assert_eq!(a.2, 3);
}

#[test]
fn gradient_of_a_batch_is_the_sum_over_its_worker_slices() {
    for cfg in [
        tiny_config(3, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Relu),
        tiny_config(2, Some(2), Family::Logistic, DecoderKind::Gaussian, Activation::Tanh),
    ] {
        let vae = tiny_vae(cfg.clone(), 3);
        let x = tiny_data(&cfg, 10);
        let noise = Noise::draw(5, 9, 0, 10, 3, cfg.family, cfg.latent, cfg.latent2);
        for est in [Estimator::A, Estimator::B, Estimator::Iwae] {
            let whole = vae.gradient(&x, &noise, est);
            let mut sum = vec![0.0f32; vae.num_params()];
            let mut bound = 0.0;
            for (from, to) in [(0, 4), (4, 7), (7, 10)] {
                let part = vae.gradient(&x[from * 6..to * 6], &noise.slice(from, to), est);
                bound += part.bound_sum;
                sum.iter_mut().zip(part.grad).for_each(|(s, g)| *s += g);
            }
            assert!((bound - whole.bound_sum).abs() < 1e-4 * whole.bound_sum.abs().max(1.0));
            for (a, b) in sum.iter().zip(&whole.grad) {
                assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "{est:?}: {a} vs {b}");
            }
            // The slice's noise is the noise those data would get in a batch of their own.
            assert_eq!(noise.slice(4, 7), Noise::draw(5, 9, 4, 3, 3, cfg.family, cfg.latent, cfg.latent2));
        }
    }
}

#[test]
fn non_finite_step_is_refused_and_leaves_the_model_as_it_was() {
    let data = synthetic(20, 16);
    let mut t = trainer(1, &data);
    let before = t.vae.params();
    let n = t.vae.num_params();
    let mut nan_grad = vec![0.0; n];
    nan_grad[n / 3] = f32::NAN;
    for (bound, grad) in [(-10.0, nan_grad), (f32::INFINITY, vec![0.0; n]), (f32::NAN, vec![0.0; n])] {
        let err = t.apply(bound, 4, grad).unwrap_err();
        assert!(err.to_string().contains("not finite"), "{err}");
        assert_eq!(t.vae.params(), before);
        assert_eq!(t.step, 0);
    }
}

fn mnist() -> Option<vae_core::data::Split> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist");
    if !dir.exists() {
        common::skip_without_data("data/mnist");
        return None;
    }
    Some(load_dir(&dir, DatasetKind::Mnist).expect("MNIST loads"))
}

#[test]
fn one_epoch_on_an_mnist_subset_lifts_the_elbo_past_a_fixed_bound() {
    let Some(split) = mnist() else { return };
    let train = split.train.subset(10_000);
    let test = prepare_test(&split.test.subset(1_000).pixels(), Binarization::Dynamic);
    let mut t = Trainer::fresh(
        ModelConfig::default(),
        Init::Paper,
        TrainConfig::default(),
        Binarization::Dynamic,
        &train,
        vae_core::cpu(),
    )
    .unwrap();
    let before = vae_core::eval::elbo(&t.vae, &test, 1, 1);
    t.train_epoch(&train, |_| {}).unwrap();
    let after = vae_core::eval::elbo(&t.vae, &test, 1, 1);
    eprintln!("test ELBO before {before:.2}, after one epoch of 10k images {after:.2}");
    // Measured: about -269 before and -163 after (100 steps).
    assert!(after > -175.0, "test ELBO after one epoch on 10k images: {after}");
    assert!(after > before + 50.0, "before {before}, after {after}");

    // Per-datapoint SVI from the encoder's q never loses ELBO (same noise before and after).
    let r = vae_core::refine::refine(&t.vae, &test[..784], 100, 0.05, 10, 3);
    eprintln!("refine: ELBO {:.2} -> {:.2}", r.elbo_before, r.elbo_after);
    assert!(r.elbo_after > r.elbo_before, "{} -> {}", r.elbo_before, r.elbo_after);
    assert_eq!(r.reconstruction.len(), 784);

    // Imputation keeps observed pixels and fills the missing ones with intensities.
    let observed: Vec<bool> = (0..784).map(|i| i < 392).collect();
    let filled = vae_core::impute::impute(&t.vae, &test[..784], &observed, 4, 20, 10, 1);
    assert_eq!(&filled[..392], &test[..392]);
    assert!(filled[392..].iter().all(|v| (0.0..=1.0).contains(v)));
    // The completed lower half resembles the real one more than a blank guess does.
    let err = |g: &dyn Fn(usize) -> f32| (392..784).map(|i| (g(i) - test[i]).powi(2)).sum::<f32>();
    assert!(err(&|i| filled[i]) < err(&|_| 0.5), "imputation no better than 0.5 everywhere");
}

/// Saving a training state mid-epoch and restoring it continues the run bit for bit.
#[test]
fn restored_training_state_continues_exactly() {
    let data = synthetic(55, 16);
    let mut a = trainer(4, &data);
    for _ in 0..7 {
        a.train_step(&data).unwrap();
    }
    let bytes = vae_core::state::save(&a, &[("curve", "[1,2]".into())]);
    let (mut b, meta) = vae_core::state::restore(&bytes, vae_core::cpu()).unwrap();
    assert_eq!(meta["curve"], "[1,2]");
    assert_eq!((b.step, b.epoch, b.cursor()), (a.step, a.epoch, a.cursor()));
    for _ in 0..9 {
        assert_eq!(a.train_step(&data).unwrap(), b.train_step(&data).unwrap());
    }
    assert_eq!(a.vae.params(), b.vae.params());
    // A plain model checkpoint is not a training state.
    let plain = vae_core::checkpoint::to_bytes(&a.vae.arch, &a.vae.params(), &[]);
    assert!(vae_core::state::restore(&plain, vae_core::cpu()).is_err());
    // Nor is a training state a model checkpoint: the strict loader names the extra tensor.
    let err = vae_core::checkpoint::from_bytes(&bytes).unwrap_err();
    assert_eq!(err, vae_core::checkpoint::CheckpointError::UnexpectedTensor("optim.m".into()));
}

#[test]
fn a_restored_position_past_the_data_starts_the_epoch_over() {
    let data = synthetic(30, 16);
    let mut t = trainer(2, &data);
    t.set_position(5, 1, 10_000);
    let s = t.train_step(&data).unwrap();
    assert_eq!((s.step, t.cursor()), (6, 10));
}

/// Each initialisation against its published variance (AEVB section 5; Glorot & Bengio eq.
/// 16; He et al. eq. 10; PyTorch's U(+-1/sqrt(fan_in))), checked on the sample variance of
/// each layer of the standard model, and its range where it is uniform.
#[test]
fn initialisations_have_their_published_variances() {
    for init in [Init::Paper, Init::Glorot, Init::He, Init::Pytorch] {
        let vae = vae_core::Vae::new(ModelConfig::default(), init, 3, vae_core::cpu()).unwrap();
        let p = vae.params();
        for s in &vae.arch.layout.slots {
            let (fi, fo) = (s.inputs as f64, s.outputs as f64);
            let want = match init {
                Init::Paper => 0.01,
                Init::Glorot => 2.0 / (fi + fo),
                Init::He => 2.0 / fi,
                Init::Pytorch => 1.0 / (3.0 * fi),
            };
            let w = &p[s.weight_range()];
            let var = w.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / w.len() as f64;
            // The sample variance of n draws has relative standard deviation <= sqrt(2 / n)
            // (sqrt(0.8 / n) for a uniform); 6 of them is far beyond chance.
            let tol = 6.0 * (2.0 / w.len() as f64).sqrt();
            assert!((var / want - 1.0).abs() < tol, "{init:?} {}: variance {var} vs {want}", s.name);
            let bias = &p[s.bias_range()];
            match init {
                Init::Pytorch => {
                    let bound = 1.0 / fi.sqrt() as f32;
                    assert!(w.iter().chain(bias).all(|v| v.abs() <= bound), "{}: outside +-1/sqrt(fan_in)", s.name);
                    assert!(bias.iter().any(|&b| b != 0.0));
                }
                Init::Glorot => assert!(w.iter().all(|v| v.abs() <= (6.0 / (fi + fo)).sqrt() as f32)),
                _ => {}
            }
            if init != Init::Pytorch {
                assert!(bias.iter().all(|&b| b == 0.0), "{init:?} {}: biases start at 0", s.name);
            }
        }
    }
}

/// Burda et al.'s schedule: stage i ends after 3^0 + ... + 3^i epochs and runs at
/// 10^(-i/7) of the starting rate; the trainer applies it at the epoch a step starts in.
#[test]
fn iwae_schedule_has_its_stages_and_the_trainer_follows_it() {
    let ends: Vec<usize> = (0..IWAE_STAGES).map(Schedule::iwae_stage_end).collect();
    assert_eq!(ends, vec![1, 4, 13, 40, 121, 364, 1093, 3280]);
    assert_eq!(Schedule::Iwae.epochs(), Some(3280));
    let s = Schedule::Iwae;
    assert_eq!((s.stage(0), s.stage(1), s.stage(3), s.stage(4), s.stage(3279), s.stage(5000)), (0, 1, 1, 2, 7, 7));
    assert_eq!(s.factor(0), 1.0);
    assert!((s.factor(1) as f64 - 10f64.powf(-1.0 / 7.0)).abs() < 1e-7);
    assert!((s.factor(3279) as f64 - 0.1).abs() < 1e-7);
    let tc = TrainConfig::iwae();
    assert_eq!((tc.batch_size, tc.adam_epsilon, tc.lr, tc.optimizer), (20, 1e-4, 1e-3, OptimizerKind::Adam));

    let data = synthetic(30, 16);
    let cfg = ModelConfig { input_dim: 16, hidden: vec![12], latent: 3, ..ModelConfig::default() };
    let tc = TrainConfig { batch_size: 10, ..TrainConfig::iwae() };
    let mut t = Trainer::fresh(cfg, Init::Glorot, tc.clone(), Binarization::Dynamic, &data, vae_core::cpu()).unwrap();
    assert_eq!(t.cfg.rule_at(0).lr, 1e-3);
    assert_eq!(t.cfg.rule_at(1).lr, 1e-3 * Schedule::Iwae.factor(1));
    // The second epoch's first step is Adam's update at the second stage's rate: the same
    // step taken by hand from the state before it.
    t.train_epoch(&data, |_| {}).unwrap();
    let before = t.vae.params();
    let (mut by_hand, _) = vae_core::state::restore(&vae_core::state::save(&t, &[]), vae_core::cpu()).unwrap();
    t.train_step(&data).unwrap();
    let batch = by_hand.next_batch(&data);
    let mut grad = vec![0.0; before.len()];
    let bound_sum = vae_core::gradient::GradientPath::new::<Cpu>(&by_hand.vae.arch, tc.estimator).gradient(
        &by_hand.vae,
        &before,
        &batch.x,
        &batch.noise,
        1.0,
        &mut grad,
    );
    let rule = UpdateRule { lr: 1e-3 * Schedule::Iwae.factor(1), ..tc.rule_at(0) };
    let mut p = before.clone();
    vae_core::train::update(&mut by_hand.opt, &rule, &mut p, &mut grad, bound_sum, batch.rows, 0).unwrap();
    assert_eq!(t.vae.params(), p);
    // The state keeps the starting rate; the stage's rate follows from the restored epoch.
    let (mut r, _) = vae_core::state::restore(&vae_core::state::save(&t, &[]), vae_core::cpu()).unwrap();
    assert_eq!(r.cfg, t.cfg);
    assert_eq!(r.train_step(&data).unwrap(), t.train_step(&data).unwrap());
}

/// The IWAE paper's architectures, counted by hand from its section 5; configs written
/// before `hidden2` existed still parse, and a config without it serialises as before.
#[test]
fn iwae_presets_have_the_papers_layers() {
    let dense = |i: usize, o: usize| i * o + o;
    let one = Preset::Iwae1.model(784);
    let n1 =
        dense(784, 200) + dense(200, 200) + 2 * dense(200, 50) + dense(50, 200) + dense(200, 200) + dense(200, 784);
    assert_eq!(vae_core::model::Architecture::new(one).unwrap().layout.len, n1);
    let two = Preset::Iwae2.model(784);
    let q = dense(784, 200)
        + dense(200, 200)
        + 2 * dense(200, 100)
        + dense(100, 100)
        + dense(100, 100)
        + 2 * dense(100, 50);
    let p =
        dense(50, 100) + dense(100, 100) + 2 * dense(100, 100) + dense(100, 200) + dense(200, 200) + dense(200, 784);
    let arch = vae_core::model::Architecture::new(two.clone()).unwrap();
    assert_eq!(arch.layout.len, q + p);
    assert!(arch.z2_given_z1());
    assert_eq!(vae_core::checkpoint::describe(&two), "784-200-200-100-100-100-50 tanh gaussian bernoulli");
    let old = r#"{"input_dim":784,"hidden":[400],"latent":20,"latent2":null,"activation":"relu","family":"gaussian","decoder":"bernoulli"}"#;
    let parsed: ModelConfig = serde_json::from_str(old).unwrap();
    assert_eq!(parsed, ModelConfig::default());
    assert_eq!(serde_json::to_string(&parsed).unwrap(), old);
    let bad = ModelConfig { hidden2: Some(vec![10]), ..ModelConfig::default() };
    assert!(bad.validate().unwrap_err().contains("needs latent2"));
    // A checkpoint of the two-layer model round-trips with its architecture.
    let vae = vae_core::Vae::new(two, Init::Glorot, 1, vae_core::cpu()).unwrap();
    let ck = vae_core::checkpoint::from_bytes(&vae_core::checkpoint::to_bytes(&vae.arch, &vae.params(), &[])).unwrap();
    assert_eq!((ck.arch, ck.params), (vae.arch.clone(), vae.params()));
    assert_eq!(vae.sample_prior(3, 1).len(), 3 * 784);
}
