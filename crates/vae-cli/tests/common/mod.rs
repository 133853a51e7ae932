//! Helpers of the CLI tests: run the built `vae` binary, scratch paths, the MNIST directory.
#![allow(dead_code)]
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub fn vae(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vae")).args(args).output().expect("the vae binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `vae`, failing the test with its output unless it succeeds.
pub fn ok(args: &[&str]) -> Output {
    let o = vae(args);
    assert!(o.status.success(), "vae {args:?} failed:\n{}{}", stdout(&o), stderr(&o));
    o
}

/// Runs `vae`, requiring it to fail with a message containing every one of `needles`.
pub fn fails_with(args: &[&str], needles: &[&str]) {
    let o = vae(args);
    assert!(!o.status.success(), "vae {args:?} should fail:\n{}", stdout(&o));
    let err = stderr(&o);
    for n in needles {
        assert!(err.contains(n), "vae {args:?}: stderr lacks {n:?}:\n{err}");
    }
}

/// The repository's MNIST directory, or None (with the skip note) when it was not fetched.
pub fn mnist() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist");
    let file = "train-images-idx3-ubyte";
    if dir.join(file).exists() || dir.join(format!("{file}.gz")).exists() {
        Some(dir.to_string_lossy().into_owned())
    } else {
        skip_without_data("data/mnist");
        None
    }
}

/// A test that needs the fetched data set and did not find it: a note and a skip, or, with
/// VAE_REQUIRE_DATA=1 (CI, which fetches the data first), a failure, so that such a test
/// can never pass by skipping there.
pub fn skip_without_data(what: &str) {
    let note = format!("{what} absent; run npm run fetch-data");
    assert!(std::env::var("VAE_REQUIRE_DATA").as_deref() != Ok("1"), "VAE_REQUIRE_DATA=1: {note}");
    eprintln!("skipping: {note}");
}

/// A fresh path in this run's scratch directory.
pub fn scratch(name: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vae-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().into_owned()
}

pub fn json_file(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
