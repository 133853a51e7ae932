//! `vae train --steps N` (exactly N updates, then the outputs) and `--kernel portable` (the
//! wasm build's matmul kernel natively), the native half of the page's reproducibility test
//! (tests/e2e/values-reproducible.test.mjs). Tests that need MNIST pass with a note when
//! `data/mnist` is absent.
mod common;

use common::*;

/// Parameters of a model file.
fn params(path: &str) -> Vec<f32> {
    vae_core::checkpoint::from_bytes(&std::fs::read(path).unwrap()).unwrap().params
}

/// 600 training images at batch 50: an epoch is 12 steps, so 20 steps end mid-way through
/// the second epoch.
fn flags(data: &str) -> Vec<String> {
    let f = "--hidden 64 --latent 4 --batch 50 --seed 11 --train-limit 600 --test-limit 100 --quiet --data-dir";
    f.split(' ').map(String::from).chain([data.to_string()]).collect()
}

fn train(data: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = vec!["train"];
    let f = flags(data);
    args.extend(f.iter().map(String::as_str));
    args.extend(extra);
    ok(&args)
}

/// The state file's metadata value `key` (a safetensors header is JSON after 8 bytes).
fn state_meta(path: &str, key: &str) -> String {
    let bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    header["__metadata__"][key].as_str().unwrap().to_string()
}

#[test]
fn steps_stop_exactly_and_resume_to_the_same_bits() {
    let Some(data) = mnist() else { return };
    let (a, state_a) = (scratch("steps20.safetensors"), scratch("steps20.state"));
    let o = train(&data, &["--steps", "20", "--out", &a, "--save-state", &state_a]);
    assert!(stdout(&o).starts_with("step 20  epoch 1 + 400 images"), "{}", stdout(&o));
    assert_eq!(state_meta(&state_a, "state.step"), "20");
    assert_eq!(
        (state_meta(&state_a, "state.epoch").as_str(), state_meta(&state_a, "state.cursor").as_str()),
        ("1", "400")
    );

    // 8 steps, then resumed to 20: the same parameters, bit for bit, as 20 straight.
    let state_b = scratch("steps8.state");
    train(&data, &["--steps", "8", "--save-state", &state_b]);
    assert_eq!(state_meta(&state_b, "state.step"), "8");
    let b = scratch("steps8to20.safetensors");
    ok(&["train", "--resume", &state_b, "--steps", "20", "--out", &b, "--data-dir", &data, "--quiet"]);
    assert_eq!(params(&a), params(&b), "8 + 12 steps differ from 20 steps");

    // One step fewer is a different model: the comparison can fail.
    let c = scratch("steps19.safetensors");
    train(&data, &["--steps", "19", "--out", &c]);
    assert_ne!(params(&a), params(&c));

    fails_with(&["train", "--steps", "0"], &["--steps must be at least 1"]);
    fails_with(&["train", "--steps", "5", "--epochs", "2"], &["--steps", "without --epochs"]);
}

/// `--kernel portable` changes only the rounding: its parameters after 20 steps are close
/// to gemm 0.19's, and not the same bits (so the switch reaches the products).
#[test]
fn the_portable_kernel_rounds_differently_and_trains_the_same_model() {
    let Some(data) = mnist() else { return };
    let (g, p) = (scratch("gemm.safetensors"), scratch("portable.safetensors"));
    train(&data, &["--steps", "20", "--out", &g]);
    train(&data, &["--steps", "20", "--kernel", "portable", "--out", &p]);
    let (g, p) = (params(&g), params(&p));
    assert_ne!(g, p, "--kernel portable gave gemm 0.19's bits: the switch did not reach the products");
    let max = g.iter().zip(&p).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    let differ = g.iter().zip(&p).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
    eprintln!("gemm 0.19 vs portable kernel after 20 steps: {differ} of {} differ, max |diff| {max:.3e}", g.len());
    // The tolerance of the page's relaxed build (README, "Native and wasm: the same bits").
    assert!(max <= 1e-5, "max |diff| {max}");
}
