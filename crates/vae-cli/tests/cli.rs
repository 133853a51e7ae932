//! Runs the built `vae` binary end to end. Tests that need MNIST pass with a note when
//! `data/mnist` is absent (`npm run fetch-data` fetches it).
mod common;

use common::*;
use serde_json::Value;
use std::sync::OnceLock;

/// A small model trained once per test run (one epoch on 2000 images), with its metrics.
fn model(latent: usize) -> (String, Value) {
    static Z20: OnceLock<(String, Value)> = OnceLock::new();
    static Z2: OnceLock<(String, Value)> = OnceLock::new();
    let cell = if latent == 2 { &Z2 } else { &Z20 };
    cell.get_or_init(|| {
        let data = mnist().unwrap();
        let (out, metrics) = (scratch(&format!("z{latent}.safetensors")), scratch(&format!("z{latent}.json")));
        let latent = latent.to_string();
        ok(&[
            "train",
            "--epochs",
            "1",
            "--train-limit",
            "2000",
            "--test-limit",
            "200",
            "--latent",
            &latent,
            "--data-dir",
            &data,
            "--out",
            &out,
            "--metrics-json",
            &metrics,
            "--quiet",
        ]);
        let m = json_file(&metrics);
        (out, m)
    })
    .clone()
}

fn png_size(path: &str) -> (u32, u32) {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let reader = png::Decoder::new(file).read_info().unwrap();
    let info = reader.info();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    (info.width, info.height)
}

#[test]
fn same_seed_gives_same_numbers() {
    let Some(data) = mnist() else { return };
    let run = |name: &str| {
        let path = scratch(name);
        let o = ok(&[
            "train",
            "--epochs",
            "1",
            "--train-limit",
            "2000",
            "--test-limit",
            "500",
            "--seed",
            "3",
            "--data-dir",
            &data,
            "--metrics-json",
            &path,
        ]);
        assert!(stdout(&o).contains("epoch 1/1  train ELBO"), "{}", stdout(&o));
        let mut m = json_file(&path);
        let obj = m.as_object_mut().unwrap();
        assert!(obj.remove("seconds").unwrap().as_f64().unwrap() > 0.0);
        assert!(obj.remove("samples_per_sec").unwrap().as_f64().unwrap() > 0.0);
        m
    };
    let (a, b) = (run("seed3a.json"), run("seed3b.json"));
    assert_eq!(a, b, "two runs with --seed 3 differ");
    let elbo = a["test_elbo"].as_f64().unwrap();
    assert!(elbo.is_finite() && elbo < 0.0, "test ELBO {elbo}");
    assert_eq!(a["epochs"], 1);
    assert_eq!(a["train_elbo"].as_array().unwrap().len(), 1);
    assert_eq!(a["test_elbo_per_epoch"][0].as_f64(), Some(elbo));
    assert_eq!(a["train_config"]["seed"], 3);
    assert_eq!(a["config"]["latent"], 20);
}

#[test]
fn bad_flags_fail_clearly() {
    fails_with(&["train", "--lr", "0"], &["learning rate must be in (0, 1]"]);
    fails_with(&["train", "--latent", "0"], &["latent must be in"]);
    fails_with(&["train", "--hidden", "500,0"], &["hidden sizes must be in"]);
    fails_with(&["train", "--batch", "0"], &["batch size"]);
    fails_with(&["train", "--epochs", "0"], &["epochs"]);
    fails_with(&["train", "--optimizer", "sgd"], &["'sgd'", "--optimizer", "adam, adagrad"]);
    fails_with(&["train", "--estimator", "c"], &["possible values: a, b, iwae"]);
    fails_with(&["--device", "cuda", "train"], &["no CUDA support", "--features cuda"]);
    fails_with(&["eval", "--model", &scratch("absent.safetensors")], &["absent.safetensors"]);
}

#[test]
fn missing_data_names_the_fetch_command() {
    let dir = scratch("no-such-data-dir");
    let o = vae(&["train", "--epochs", "1", "--data-dir", &dir]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("npm run fetch-data"), "{}", stderr(&o));
}

#[test]
fn sample_and_reconstruct_write_pngs() {
    if mnist().is_none() {
        return;
    }
    let (m, _) = model(20);
    let out = scratch("samples.png");
    ok(&["sample", "--model", &m, "--out", &out, "--n", "25", "--seed", "4"]);
    assert_eq!(png_size(&out), (10 * 28 + 9, 3 * 28 + 2));
    fails_with(&["sample", "--model", &m, "--out", &scratch("x.png"), "--manifold"], &["--latent 2"]);

    let out = scratch("recon.png");
    ok(&["reconstruct", "--model", &m, "--out", &out, "--n", "10", "--data-dir", &mnist().unwrap()]);
    assert_eq!(png_size(&out), (10 * 28 + 9, 2 * 28 + 1));
}

#[test]
fn reconstruct_json_prints_the_posterior_and_the_reconstruction() {
    let Some(data) = mnist() else { return };
    let (m, _) = model(2);
    let run = |extra: &[&str]| -> Value {
        let mut args = vec!["reconstruct", "--model", &m, "--json", "--data-dir", &data];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout(&ok(&args))).unwrap()
    };
    let three = run(&["--first", "4", "--n", "3"]);
    assert_eq!(three["input"], "fixed binarization");
    let images = three["images"].as_array().unwrap();
    assert_eq!(images.len(), 3);
    let f = |v: &Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect() };
    for (k, img) in images.iter().enumerate() {
        assert_eq!(img["index"], 4 + k);
        assert!(img["label"].as_u64().unwrap() < 10);
        let (x, mu, lv, sigma, r) =
            (f(&img["x"]), f(&img["mu"]), f(&img["logvar"]), f(&img["sigma"]), f(&img["reconstruction"]));
        assert_eq!((x.len(), mu.len(), lv.len(), r.len()), (784, 2, 2, 784));
        assert!(x.iter().all(|&p| p == 0.0 || p == 1.0), "binarized input");
        assert!(r.iter().all(|&p| (0.0..=1.0).contains(&p)), "pixel probabilities");
        for (s, l) in sigma.iter().zip(&lv) {
            assert!((s - (0.5 * l).exp()).abs() < 1e-6 * s.max(1.0));
        }
    }
    // --image-index I is --first I --n 1; --greyscale feeds the intensities as they are.
    let one = run(&["--image-index", "5"]);
    assert_eq!(one["images"].as_array().unwrap().len(), 1);
    assert_eq!(one["images"][0]["index"], 5);
    let grey = run(&["--image-index", "5", "--greyscale"]);
    assert_eq!(grey["input"], "greyscale");
    let x = f(&grey["images"][0]["x"]);
    assert!(x.iter().any(|&p| p > 0.0 && p < 1.0), "intensities, not bits");
    assert_ne!(f(&grey["images"][0]["mu"]), f(&one["images"][0]["mu"]));
    fails_with(&["reconstruct", "--model", &m], &["--out"]);
    fails_with(&["reconstruct", "--model", &m, "--json", "--image-index", "1", "--n", "2"], &["cannot be used"]);
}

#[test]
fn two_d_latent_draws_the_manifold() {
    if mnist().is_none() {
        return;
    }
    let (m, _) = model(2);
    let side = 20 * 28 + 19;
    let out = scratch("manifold.png");
    ok(&["sample", "--model", &m, "--out", &out, "--manifold"]);
    assert_eq!(png_size(&out), (side, side));
    // Without the flag the samples go to --out and the manifold beside them.
    let out = scratch("grid2.png");
    ok(&["sample", "--model", &m, "--out", &out]);
    assert_eq!(png_size(&out), (10 * 28 + 9, 10 * 28 + 9));
    assert_eq!(png_size(&scratch("grid2-manifold.png")), (side, side));
}

#[test]
fn importance_sampled_likelihood_is_above_the_elbo() {
    let Some(data) = mnist() else { return };
    let (m, metrics) = model(20);
    let o = ok(&["eval", "--model", &m, "--iw", "50", "--test-limit", "200", "--data-dir", &data, "--json", "--quiet"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    let (elbo, ll) = (v["elbo"].as_f64().unwrap(), v["log_likelihood"].as_f64().unwrap());
    assert!(elbo.is_finite() && ll.is_finite() && ll < 0.0);
    // Standard errors of the means over the 200 images: reported, positive, and the gap
    // (log p(x) - ELBO, image by image) is not below zero by more than its error.
    let (gap, gap_se) = (v["gap"].as_f64().unwrap(), v["gap_se"].as_f64().unwrap());
    for key in ["elbo_se", "log_likelihood_se", "gap_se"] {
        let se = v[key].as_f64().unwrap();
        assert!(se > 0.0 && se < 10.0, "{key} = {se}");
    }
    assert!((gap - (ll - elbo)).abs() < 1e-9);
    assert!(gap >= -gap_se, "log p(x) {ll} below the ELBO {elbo} by more than {gap_se}");
    // The importance sampling's own Monte Carlo error (other draws, same images): reported,
    // and the estimate is not below the ELBO by more than it.
    let mc = v["log_likelihood_mc_se"].as_f64().unwrap();
    eprintln!("log p(x) {ll:.3} (Monte Carlo error {mc:.4}), ELBO {elbo:.3}");
    assert!(mc > 0.0 && mc < 1.0, "Monte Carlo error {mc}");
    assert!(ll >= elbo - mc, "log p(x) {ll} below the ELBO {elbo} by more than its Monte Carlo error {mc}");
    assert_eq!(v["images"], 200);
    // The threads split the images; noise is keyed by image, so the figures do not move.
    let with_threads = |t: &str| -> Value {
        let out = ok(&[
            "eval",
            "--model",
            &m,
            "--iw",
            "50",
            "--test-limit",
            "200",
            "--data-dir",
            &data,
            "--json",
            "--quiet",
            "--threads",
            t,
        ]);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let (one, three) = (with_threads("1"), with_threads("3"));
    for key in ["elbo", "log_likelihood", "log_likelihood_se", "gap_se"] {
        assert_eq!(one[key], three[key], "{key} with 1 and 3 threads");
        assert_eq!(one[key], v[key], "{key} with 1 thread and the default");
    }
    assert_eq!((one["threads"].as_u64(), three["threads"].as_u64()), (Some(1), Some(3)));
    // The literature's protocol is K = 5000 on the whole test set; it says so when contradicted.
    fails_with(&["eval", "--model", &m, "--protocol", "iwae", "--iw", "50"], &["K = 5000", "--iw 50"]);
    fails_with(&["eval", "--model", &m, "--protocol", "iwae", "--test-limit", "20"], &["whole test set"]);
    // Same model, images and evaluation seed as the training run's last test ELBO.
    let trained = metrics["test_elbo"].as_f64().unwrap();
    assert!((elbo - trained).abs() < 1e-6, "eval ELBO {elbo} vs training's {trained}");

    let text = stdout(&ok(&["eval", "--model", &m, "--iw", "5", "--test-limit", "20", "--data-dir", &data, "--quiet"]));
    assert!(text.contains("test ELBO") && text.contains("log p(x)") && text.contains("gap"), "{text}");
    assert!(text.contains(" ± ") && text.contains("standard error of the mean over the 20 images"), "{text}");
    assert!(text.contains("Monte Carlo error"), "{text}");
}

#[test]
fn decode_and_sample_print_the_images_as_json() {
    let m = format!("{}/../../www/assets/models/mnist-2d.safetensors", env!("CARGO_MANIFEST_DIR"));
    let z = scratch("z.json");
    std::fs::write(&z, "[[0, 0], [1.5, -0.5]]").unwrap();
    let v: Value = serde_json::from_str(&stdout(&ok(&["decode", "--model", &m, "--z", &z, "--json"]))).unwrap();
    let images = v["images"].as_array().unwrap();
    assert_eq!((images.len(), images[0].as_array().unwrap().len()), (2, 784));
    // The manifold's tile for z = (0, 0) of a 3x3 grid is the middle one: Φ⁻¹(1/2) = 0.
    let g: Value =
        serde_json::from_str(&stdout(&ok(&["sample", "--model", &m, "--manifold", "--grid", "3", "--json"]))).unwrap();
    assert_eq!(g["z"][4], serde_json::json!([0.0, 0.0]));
    assert_eq!(g["images"][4], images[0]);
    let s: Value =
        serde_json::from_str(&stdout(&ok(&["sample", "--model", &m, "--n", "3", "--seed", "7", "--json"]))).unwrap();
    assert_eq!(s["images"].as_array().unwrap().len(), 3);
    std::fs::write(&z, "[[0, 0, 1]]").unwrap();
    fails_with(&["decode", "--model", &m, "--z", &z, "--json"], &["2 numbers"]);
    let x = scratch("x.json");
    std::fs::write(&x, format!("[{}]", vec!["2"; 784].join(","))).unwrap();
    fails_with(&["reconstruct", "--model", &m, "--input", &x, "--json"], &["[0, 1]"]);
}

#[test]
fn bench_prints_one_json_line() {
    let o = ok(&["bench", "--steps", "5", "--warmup", "1", "--random"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert!(v["samples_per_sec"].as_f64().unwrap() > 0.0);
    assert_eq!(v["device"], "cpu");
    assert_eq!(v["steps"], 5);
    assert_eq!(v["batch"], 100);
    assert_eq!(v["params"], 784 * 400 + 400 + 400 * 40 + 40 + 20 * 400 + 400 + 400 * 784 + 784);
    assert!(v["threads"].as_u64().unwrap() >= 1);
}

/// Corrupt, truncated and wrong-architecture checkpoints: a clear error, exit status 1.
#[test]
fn bad_checkpoints_fail_clearly() {
    use vae_core::{checkpoint, Init, ModelConfig, Vae};
    let cfg = ModelConfig { input_dim: 6, hidden: vec![5], latent: 2, ..ModelConfig::default() };
    let vae = Vae::new(cfg, Init::Paper, 1, vae_core::cpu()).unwrap();
    let bytes = checkpoint::to_bytes(&vae.arch, &vae.params(), &[]);

    let truncated = scratch("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&["sample", "--model", &truncated, "--out", &scratch("t.png")], &["truncated/corrupt"]);

    let garbage = scratch("garbage.safetensors");
    std::fs::write(&garbage, b"\x07\x00\x00\x00\x00\x00\x00\x00{oops}").unwrap();
    fails_with(&["sample", "--model", &garbage, "--out", &scratch("g.png")], &["not a safetensors file"]);

    // A 6-pixel model cannot be evaluated on 784-pixel MNIST: the error says so.
    let Some(dir) = mnist() else { return };
    let small = scratch("small.safetensors");
    std::fs::write(&small, &bytes).unwrap();
    fails_with(&["eval", "--model", &small, "--iw", "2", "--test-limit", "10", "--data-dir", &dir], &["784"]);
}
