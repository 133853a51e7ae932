//! Long runs with the CLI: a resumed run equals one that never stopped, bad states and
//! contradicting flags fail clearly, and the literature script works end to end on a tiny
//! setting and resumes. Tests that need MNIST pass with a note when `data/mnist` is absent.
mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// Parameters of a model file (its metadata is a hash map, so the bytes may differ).
fn params(path: &str) -> Vec<f32> {
    vae_core::checkpoint::from_bytes(&std::fs::read(path).unwrap()).unwrap().params
}

/// Metrics without the wall-clock figures.
fn metrics(path: &str) -> Value {
    let mut m = json_file(path);
    let obj = m.as_object_mut().unwrap();
    obj.remove("seconds");
    obj.remove("samples_per_sec");
    m
}

/// Two epochs straight through against one epoch, a saved state, and a resumed second
/// epoch: bit-identical parameters and the same curves. The run crosses the first stage of
/// the IWAE schedule (its learning rate drops after epoch 1) and is mid-way through a KL
/// warm-up, on the two-layer preset with q(z2|z1), so the schedule, the ramp and the
/// optimizer state all have to come back from the file.
#[test]
fn resumed_training_equals_an_uninterrupted_run() {
    let Some(data) = mnist() else { return };
    let flags = [
        "--preset",
        "iwae-2",
        "--estimator",
        "a",
        "--schedule",
        "iwae",
        "--batch",
        "50",
        "--warmup",
        "1.5",
        "--train-limit",
        "300",
        "--test-limit",
        "100",
        "--seed",
        "5",
        "--data-dir",
        &data,
        "--quiet",
    ];
    let run = |extra: &[&str]| ok(&[&["train"][..], &flags, extra].concat());
    let (a, am) = (scratch("straight.safetensors"), scratch("straight.json"));
    run(&["--epochs", "2", "--out", &a, "--metrics-json", &am]);

    let state = scratch("half.state");
    run(&["--epochs", "1", "--save-state", &state]);
    let (b, bm) = (scratch("resumed.safetensors"), scratch("resumed.json"));
    ok(&[
        "train",
        "--resume",
        &state,
        "--epochs",
        "2",
        "--out",
        &b,
        "--metrics-json",
        &bm,
        "--data-dir",
        &data,
        "--quiet",
    ]);
    assert_eq!(params(&a), params(&b), "resumed parameters differ");
    let (ma, mb) = (metrics(&am), metrics(&bm));
    assert_eq!(ma, mb);
    assert_eq!(ma["epochs"], 2);
    assert_eq!(ma["test_elbo_per_epoch"].as_array().unwrap().len(), 2);
    assert_eq!(ma["train_config"]["schedule"], "iwae");
    assert_eq!(ma["config"]["hidden2"], serde_json::json!([100, 100]));

    // A checkpoint every epoch writes the state as it goes; resuming from the one left at
    // epoch 2 of 3 finishes like the run did.
    let (state3, c) = (scratch("every.state"), scratch("every.safetensors"));
    run(&["--epochs", "2", "--save-state", &state3, "--checkpoint-every", "1"]);
    ok(&["train", "--resume", &state3, "--epochs", "2", "--out", &c, "--data-dir", &data, "--quiet"]);
    assert_eq!(params(&a), params(&c), "a state already at --epochs trains nothing");
}

#[test]
fn bad_states_and_contradicting_flags_fail_clearly() {
    let Some(data) = mnist() else { return };
    let state = scratch("small.state");
    let model = scratch("small.safetensors");
    ok(&[
        "train",
        "--epochs",
        "1",
        "--train-limit",
        "200",
        "--test-limit",
        "50",
        "--hidden",
        "50",
        "--data-dir",
        &data,
        "--save-state",
        &state,
        "--out",
        &model,
        "--quiet",
    ]);
    let resume = |extra: &[&'static str]| -> Vec<String> {
        ["train", "--resume", &state, "--epochs", "2", "--data-dir", &data]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let fails_with =
        |args: Vec<String>, needles: &[&str]| fails_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), needles);
    let ok = |args: Vec<String>| ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    fails_with(
        resume(&["--lr", "0.01", "--hidden", "60"]),
        &["--lr 0.01 (the state has 0.001)", "--hidden 60 (the state has 50)"],
    );
    fails_with(resume(&["--train-limit", "300"]), &["--train-limit 300 (the state has 200)"]);
    // Repeating the state's own values is allowed.
    ok(resume(&["--hidden", "50", "--train-limit", "200", "--quiet"]));
    let fails_with = common::fails_with;

    let bytes = std::fs::read(&state).unwrap();
    let truncated = scratch("truncated.state");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    fails_with(&["train", "--resume", &truncated], &["truncated.state", "not a training state", "corrupt"]);
    fails_with(&["train", "--resume", &model], &["not a training state", "optim.m"]);
    fails_with(&["train", "--resume", &scratch("absent.state")], &["absent.state"]);
    // The state's data must be the run's data.
    let other = scratch("other-mnist");
    std::fs::create_dir_all(&other).unwrap();
    for f in vae_core::data::dataset::FILES {
        let src = Path::new(&data).join(f);
        let dst = Path::new(&other).join(f);
        if f.starts_with("train-") {
            // A data set with fewer training images than the state was trained on.
            let (head, count) = if f.contains("images") { (16, 784) } else { (8, 1) };
            let b = std::fs::read(&src).unwrap();
            let mut cut = b[..head + 150 * count].to_vec();
            cut[4..8].copy_from_slice(&150u32.to_be_bytes());
            std::fs::write(dst, cut).unwrap();
        } else if !dst.exists() {
            std::os::unix::fs::symlink(src, dst).unwrap();
        }
    }
    fails_with(&["train", "--resume", &state, "--data-dir", &other], &["trained on 200 images", "150"]);

    fails_with(&["train", "--checkpoint-every", "2"], &["--checkpoint-every needs --save-state"]);
    fails_with(&["train", "--warmup", "3", "--estimator", "iwae"], &["estimators a and b only"]);
    fails_with(&["train", "--preset", "iwae-3"], &["iwae-3", "iwae-1, iwae-2"]);
    fails_with(&["train", "--schedule", "cosine"], &["cosine", "constant, iwae"]);
    fails_with(&["train", "--hidden2", "100"], &["hidden2", "needs latent2"]);
}

/// The literature script on a tiny setting: two stages of the three models (the second
/// resuming from the first's state), a rerun that finds everything done, and a rerun after
/// a lost evaluation that picks up from the files and gets the same figure.
#[test]
fn literature_script_runs_and_resumes() {
    let Some(data) = mnist() else { return };
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipping: no python3");
        return;
    }
    let out = scratch("literature");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/literature.py");
    let run = |extra: &[&str]| {
        let o = std::process::Command::new("python3")
            .arg(&script)
            .args([
                "--out",
                &out,
                "--vae",
                env!("CARGO_BIN_EXE_vae"),
                "--stages",
                "2",
                "--train-limit",
                "200",
                "--test-limit",
                "40",
                "--k-intermediate",
                "5",
                "--k-final",
                "10",
                "--threads",
                "2",
                "--data-dir",
                &data,
            ])
            .args(extra)
            .output()
            .unwrap();
        (o.status.success(), format!("{}{}", stdout(&o), stderr(&o)))
    };
    let (fine, text) = run(&[]);
    assert!(fine, "literature.py failed:\n{text}");
    let results = json_file(&format!("{out}/results.json"));
    for name in ["vae1", "iwae1", "iwae2"] {
        let pts = results["models"][name]["points"].as_array().unwrap();
        let epochs: Vec<u64> = pts.iter().map(|p| p["epochs"].as_u64().unwrap()).collect();
        assert_eq!(epochs, vec![1, 4], "{name}");
        assert_eq!((pts[0]["k"].as_u64(), pts[1]["k"].as_u64()), (Some(5), Some(10)), "{name}");
        assert!(pts.iter().all(|p| p["nll"].as_f64().unwrap() > 0.0 && p["nll_se"].as_f64().unwrap() > 0.0));
        let log = std::fs::read_to_string(format!("{out}/{name}/train.log")).unwrap();
        assert!(log.contains("--resume"), "{name}: stage 1 did not resume from stage 0's state");
    }
    let md = std::fs::read_to_string(format!("{out}/results.md")).unwrap();
    assert!(md.contains("| 2-layer IWAE (k = 50) | 4 |") && md.contains("Reduced setting"), "{md}");

    let (fine, text) = run(&[]);
    assert!(fine && !text.contains("training to epoch"), "a rerun redid finished stages:\n{text}");
    // An evaluation lost (a stop between training and evaluating): the rerun finds the
    // state at the stage's end, trains nothing, and evaluates to the same figure.
    let evals = format!("{out}/vae1/evals.json");
    let mut pts: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&evals).unwrap()).unwrap();
    let lost = pts.pop().unwrap();
    std::fs::write(&evals, serde_json::to_string(&pts).unwrap()).unwrap();
    let (fine, text) = run(&[]);
    assert!(fine && text.contains("vae1: stage 1, training to epoch 4") && !text.contains("iwae1: stage"), "{text}");
    let again = json_file(&format!("{out}/results.json"))["models"]["vae1"]["points"][1].clone();
    assert_eq!(again["nll"], lost["nll"]);
    // Other settings in the same directory would mix results: refused.
    let (fine, text) = run(&["--k-final", "20"]);
    assert!(!fine && text.contains("other settings"), "{text}");
}
