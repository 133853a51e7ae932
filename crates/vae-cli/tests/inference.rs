//! `vae posterior`, `vae estimators` and `vae activity` end to end on a small latent-2 model trained here
//! (passes with a note when data/mnist is absent).
mod common;

use common::*;
use serde_json::Value;

/// One epoch on 2000 images, latent 2, trained once for both tests (which run in parallel
/// and would otherwise write the same file at once).
fn model() -> Option<String> {
    static MODEL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let data = mnist()?;
    Some(
        MODEL
            .get_or_init(|| {
                let out = scratch("posterior-z2.safetensors");
                let args = ["train", "--epochs", "1", "--train-limit", "2000", "--test-limit", "100", "--latent", "2"];
                ok(&[&args[..], &["--data-dir", &data, "--out", &out, "--quiet"]].concat());
                out
            })
            .clone(),
    )
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(stdout(o).trim()).expect("one JSON object")
}

#[test]
fn posterior_and_estimators_print_consistent_json() {
    let Some(m) = model() else { return };
    let data = mnist().unwrap();
    let v =
        json(&ok(&["posterior", "--model", &m, "--image-index", "3", "--grid", "24", "--json", "--data-dir", &data]));
    assert_eq!(v["image_index"], 3);
    assert_eq!(v["log_joint"].as_array().unwrap().len(), 24 * 24);
    assert_eq!(v["slice"], false);
    let f = |v: &Value| v.as_f64().unwrap();
    let (log_px, enc, refined) = (f(&v["log_px"]), &v["encoder"], &v["refined"]);
    assert!(f(&enc["gap"]) >= 0.0 && f(&refined["gap"]) >= 0.0, "{enc} {refined}");
    assert!(f(&refined["gap"]) <= f(&enc["gap"]), "refining raised the gap: {enc} -> {refined}");
    assert!((f(&enc["elbo"]) + f(&enc["gap"]) - log_px).abs() < 1e-9);
    // Without --json: the figures in words.
    let human = stdout(&ok(&["posterior", "--model", &m, "--image-index", "3", "--data-dir", &data]));
    assert!(human.contains("log p(x)") && human.contains("amortization gap"), "{human}");

    let v = json(&ok(&[
        "estimators",
        "--model",
        &m,
        "--samples",
        "1,4",
        "--repetitions",
        "20",
        "--json",
        "--data-dir",
        &data,
    ]));
    let stats = v["estimators"].as_array().unwrap();
    assert_eq!(stats.len(), 8);
    for l in [1, 4] {
        let var = |e: &str| {
            f(&stats.iter().find(|s| s["samples"] == l && s["estimator"] == e).unwrap()["mean_param_variance"])
        };
        assert!(var("score") > 10.0 * var("sgvb-b"), "L = {l}: score {} vs sgvb-b {}", var("score"), var("sgvb-b"));
    }
}

#[test]
fn activity_splits_the_test_elbo_of_vae_eval() {
    let Some(m) = model() else { return };
    let data = mnist().unwrap();
    let f = |v: &Value| v.as_f64().unwrap();
    let a = json(&ok(&["activity", "--model", &m, "--test-limit", "200", "--json", "--data-dir", &data]));
    let e = json(&ok(&[
        "eval",
        "--model",
        &m,
        "--iw",
        "1",
        "--test-limit",
        "200",
        "--seed",
        "1",
        "--json",
        "--quiet",
        "--data-dir",
        &data,
    ]));
    let t = &a["terms"];
    assert!((f(&t["reconstruction"]) - f(&t["kl"]) - f(&t["elbo"])).abs() < 1e-9, "{t}");
    // The same bound as `vae eval` computes it (other code, the same noise): f32 sums.
    assert!((f(&t["elbo"]) - f(&e["elbo"])).abs() < 1e-3, "{t} vs {e}");
    let kl: Vec<f64> = a["kl_per_dim"].as_array().unwrap().iter().map(f).collect();
    assert!(
        (kl.iter().sum::<f64>() - f(&t["kl"])).abs() < 1e-3,
        "the KL per dimension adds up to the KL term: {kl:?} vs {t}"
    );
    let active = a["activity"].as_array().unwrap().iter().filter(|v| f(v) > 0.01).count();
    assert_eq!(a["active_units"].as_u64(), Some(active as u64));
}

#[test]
fn bad_requests_fail_clearly() {
    let Some(m) = model() else { return };
    let data = mnist().unwrap();
    fails_with(&["posterior", "--model", &m, "--image-index", "10000", "--data-dir", &data], &["not among the 10000"]);
    fails_with(&["posterior", "--model", &m, "--grid", "1", "--data-dir", &data], &["grid must be in 2..=512"]);
    fails_with(&["estimators", "--model", &m, "--repetitions", "1", "--data-dir", &data], &["2 or more repetitions"]);
    fails_with(&["estimators", "--model", &m, "--image", "no/such.png"], &["reading no/such.png"]);
    fails_with(&["activity", "--model", &m, "--test-limit", "20000", "--data-dir", &data], &["not among the 10000"]);
}
