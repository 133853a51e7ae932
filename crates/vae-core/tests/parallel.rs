//! Sharded data-parallel steps (reduce-scatter, shard updates, all-gather) against
//! single-worker steps.
mod common;

use common::*;
use vae_core::config::*;
use vae_core::data::{Binarization, Dataset};
use vae_core::parallel::{checksum, cuts, shard, Replica};
use vae_core::train::{Position, Trainer};

fn data(n: usize, dim: usize) -> Dataset {
    let images = (0..n * dim).map(|i| ((i * 2654435761usize) >> 9).is_multiple_of(4)).map(|b| b as u8 * 255).collect();
    Dataset { images, labels: vec![0; n], rows: 1, cols: dim }
}

fn train_config(estimator: Estimator, optimizer: OptimizerKind) -> TrainConfig {
    TrainConfig { seed: 3, batch_size: 12, samples: 2, estimator, optimizer, ..TrainConfig::default() }
}

fn trainer(cfg: ModelConfig, tc: TrainConfig, data: &Dataset) -> Trainer<Dev> {
    Trainer::fresh(cfg, Init::Glorot, tc, Binarization::Dynamic, data, vae_core::cpu()).unwrap()
}

/// `steps` steps with K replicas exchanging shards as the browser's workers do; returns
/// the first replica's parameters, after checking that all replicas agree bit for bit.
fn sharded_steps(
    start: &Trainer<Dev>,
    tc: &TrainConfig,
    data: &Dataset,
    k: usize,
    steps: usize,
) -> (Vec<f32>, Position) {
    let mut workers: Vec<Replica<Dev>> = (0..k)
        .map(|s| {
            Replica::new(
                vae_core::Vae::from_params(start.vae.arch.clone(), start.vae.params(), vae_core::cpu()),
                tc,
                Binarization::Dynamic,
                k,
                s,
            )
        })
        .collect();
    let n = start.vae.num_params();
    let (mut pos, mut order) = (Position::default(), Vec::new());
    for _ in 0..steps {
        let mb = pos.next(tc.seed, tc.batch_size, &mut order, data);
        let cut = cuts(mb.rows, k);
        let dim = data.dim();
        let parts: Vec<_> = workers
            .iter_mut()
            .enumerate()
            .map(|(j, w)| w.gradient(mb.step, cut[j], &mb.bytes[cut[j] * dim..cut[j + 1] * dim]))
            .collect();
        assert!(parts.iter().all(|p| p.finite));
        let (bound_sum, rows) =
            (parts.iter().map(|p| p.bound_sum).sum::<f32>(), parts.iter().map(|p| p.rows).sum::<usize>());
        assert_eq!(rows, mb.rows);
        // Reduce-scatter: worker s adds everyone's gradient of shard s, and updates it.
        let grads: Vec<Vec<f32>> = workers.iter().map(|w| w.grad.clone()).collect();
        for (s, w) in workers.iter_mut().enumerate() {
            let r = shard(n, k, s);
            w.update_shard(grads.iter().map(|g| &g[r.clone()]), bound_sum, rows, mb.step).unwrap();
        }
        // All-gather.
        let updated: Vec<(std::ops::Range<usize>, Vec<f32>)> =
            workers.iter().map(|w| (w.shard.clone(), w.params[w.shard.clone()].to_vec())).collect();
        for w in workers.iter_mut() {
            for (r, v) in &updated {
                w.set_shard(r.clone(), v);
            }
        }
        pos.step += 1;
    }
    let c = checksum(&workers[0].params);
    assert!(workers.iter().all(|w| checksum(&w.params) == c), "replicas drifted apart");
    (workers[0].params.clone(), pos)
}

#[test]
fn k_worker_steps_equal_single_worker_steps() {
    for (cfg, est, opt) in [
        // The host path (Gaussian q, one stochastic layer) and the tape path (the others).
        (
            tiny_config(3, None, Family::Gaussian, DecoderKind::Bernoulli, Activation::Relu),
            Estimator::B,
            OptimizerKind::Adam,
        ),
        (
            tiny_config(3, None, Family::Gaussian, DecoderKind::Gaussian, Activation::Tanh),
            Estimator::Iwae,
            OptimizerKind::Adagrad,
        ),
        (
            tiny_config(2, Some(2), Family::Laplace, DecoderKind::Bernoulli, Activation::Tanh),
            Estimator::Iwae,
            OptimizerKind::Adam,
        ),
        (
            tiny_config(3, None, Family::Logistic, DecoderKind::Bernoulli, Activation::Tanh),
            Estimator::A,
            OptimizerKind::Adam,
        ),
    ] {
        let tc = train_config(est, opt);
        let d = data(40, cfg.input_dim);
        let start = trainer(cfg.clone(), tc.clone(), &d);
        let mut single = trainer(cfg.clone(), tc.clone(), &d);
        for _ in 0..6 {
            single.train_step(&d).unwrap();
        }
        // K = 1 through the sharded path is the same computation: bit-identical.
        let (one, pos) = sharded_steps(&start, &tc, &d, 1, 6);
        assert_eq!(one, single.vae.params(), "{cfg:?}");
        assert_eq!((pos.step, pos.epoch, pos.cursor), (single.step, single.epoch, single.cursor()));
        // K = 2, 3, 5: equal up to the order of additions (relative 1e-4 of each parameter's
        // size: f32 sums of a few dozen terms in another order, through six Adam steps).
        for k in [2, 3, 5] {
            let (many, _) = sharded_steps(&start, &tc, &d, k, 6);
            let worst = many
                .iter()
                .zip(single.vae.params())
                .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "K={k} {est:?}: max parameter difference {worst}");
        }
    }
}

#[test]
fn shards_and_cuts_cover_everything_once() {
    for (n, k) in [(10, 3), (652_824, 2), (7, 7), (5, 8)] {
        let ranges: Vec<_> = (0..k).map(|s| shard(n, k, s)).collect();
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[k - 1].end, n);
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        assert!(ranges.iter().all(|r| r.len() + 1 >= n / k));
    }
    assert_eq!(cuts(100, 3), vec![0, 33, 66, 100]);
    assert_ne!(checksum(&[1.0, 2.0]), checksum(&[2.0, 1.0]));
}
