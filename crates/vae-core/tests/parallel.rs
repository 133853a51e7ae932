//! Data-parallel steps against single-worker steps.
mod common;

use common::*;
use vae_core::config::*;
use vae_core::data::{Binarization, Dataset};
use vae_core::parallel::{apply, checksum, pack, worker_gradient, Accumulator};
use vae_core::train::Trainer;
use vae_core::Vae;

fn data(n: usize, dim: usize) -> Dataset {
    let images = (0..n * dim).map(|i| ((i * 2654435761usize) >> 9) % 4 == 0).map(|b| b as u8 * 255).collect();
    Dataset { images, labels: vec![0; n], rows: 1, cols: dim }
}

fn trainer(cfg: ModelConfig, estimator: Estimator, data: &Dataset) -> Trainer<Dev> {
    let tc = TrainConfig { seed: 3, batch_size: 12, samples: 2, estimator, ..TrainConfig::default() };
    Trainer::fresh(cfg, Init::Glorot, tc, Binarization::Dynamic, data, vae_core::cpu()).unwrap()
}

/// Runs `steps` K-worker steps: each worker a replica holding the broadcast parameters.
fn parallel_steps(t: &mut Trainer<Dev>, data: &Dataset, k: usize, steps: usize) {
    for _ in 0..steps {
        let batch = t.next_batch(data);
        let cuts: Vec<usize> = (0..=k).map(|i| i * batch.rows / k).collect();
        let mut acc = Accumulator::new(t.vae.num_params());
        for w in 0..k {
            let replica = Vae::from_params(t.vae.arch.clone(), t.vae.params(), vae_core::cpu());
            assert_eq!(checksum(&replica.params()), checksum(&t.vae.params()));
            let (from, to) = (cuts[w], cuts[w + 1]);
            if from == to {
                continue; // a short last batch leaves some workers idle
            }
            let part = worker_gradient(&replica, &pack(&batch, from, to), to - from, t.cfg.samples, t.cfg.estimator).unwrap();
            acc.add(&part, to - from).unwrap();
        }
        apply(t, acc).unwrap();
    }
}

#[test]
fn k_worker_steps_equal_single_worker_steps() {
    for (cfg, est) in [
        (tiny_config(3, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Relu), Estimator::B),
        (tiny_config(2, Some(2), Family::Laplace, DecoderKind::Bernoulli, Activation::Tanh), Estimator::Iwae),
        (tiny_config(3, None, Family::Logistic, DecoderKind::Bernoulli, Activation::Tanh), Estimator::A),
    ] {
        let d = data(40, cfg.input_dim);
        let mut single = trainer(cfg.clone(), est, &d);
        for _ in 0..6 {
            single.train_step(&d).unwrap();
        }
        // K = 1 through the parallel path is the same computation: bit-identical.
        let mut one = trainer(cfg.clone(), est, &d);
        parallel_steps(&mut one, &d, 1, 6);
        assert_eq!(one.vae.params(), single.vae.params());
        // K = 2, 3, 5: equal up to the order of additions.
        for k in [2, 3, 5] {
            let mut many = trainer(cfg.clone(), est, &d);
            parallel_steps(&mut many, &d, k, 6);
            let worst = many.vae.params().iter().zip(single.vae.params()).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "K={k} {est:?}: max parameter difference {worst}");
            assert_eq!((many.step, many.epoch, many.cursor()), (single.step, single.epoch, single.cursor()));
        }
    }
}

#[test]
fn malformed_parts_are_rejected() {
    let mut acc = Accumulator::new(10);
    assert!(acc.add(&[0.0; 5], 1).is_err());
    let vae = tiny_vae(tiny_config(3, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Relu), 1);
    assert!(worker_gradient(&vae, &[0.0; 7], 1, 1, Estimator::B).is_err());
    assert_ne!(checksum(&[1.0, 2.0]), checksum(&[2.0, 1.0]));
}
