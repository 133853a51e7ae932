//! `vae train --dataset path:DIR` is `--data DIR`: the same model from the same seed, and a
//! checkpoint that says it was trained on a data set of its own (`dataset: own`, which the
//! page shows when it loads the file). The references: the idx pair this test writes from
//! MNIST's test set, and the checkpoint's metadata read here from the safetensors header.
mod common;

use common::{fails_with, mnist, ok, scratch, stderr};
use serde_json::Value;
use std::path::Path;

/// A directory with the first `n` MNIST test images and labels as an idx pair (headers say n).
fn own_dir(name: &str, n: usize) -> Option<String> {
    let data = mnist()?;
    let read = |f: &str| std::fs::read(Path::new(&data).join(f)).expect("MNIST test files");
    let (img, lbl) = (read("t10k-images-idx3-ubyte"), read("t10k-labels-idx1-ubyte"));
    let mut images = img[..16 + n * 784].to_vec();
    images[4..8].copy_from_slice(&(n as u32).to_be_bytes());
    let mut labels = lbl[..8 + n].to_vec();
    labels[4..8].copy_from_slice(&(n as u32).to_be_bytes());
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(Path::new(&dir).join("mine-images-idx3-ubyte"), images).unwrap();
    std::fs::write(Path::new(&dir).join("mine-labels-idx1-ubyte"), labels).unwrap();
    Some(dir)
}

/// The string metadata of a safetensors file: an 8-byte little-endian header length, then
/// the JSON header with `__metadata__` (docs/checkpoint.md).
fn metadata(path: &str) -> Value {
    let b = std::fs::read(path).unwrap();
    let len = u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&b[8..8 + len]).unwrap();
    header["__metadata__"].clone()
}

/// The tensor bytes after the header.
fn tensors(path: &str) -> Vec<u8> {
    let b = std::fs::read(path).unwrap();
    let len = u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    b[8 + len..].to_vec()
}

fn train(data: &[&str], out: &str) -> String {
    let mut args = vec!["train", "--epochs", "2", "--hidden", "16", "--latent", "2", "--batch", "9", "--seed", "5"];
    args.extend_from_slice(data);
    args.extend_from_slice(&["--out", out]);
    stderr(&ok(&args))
}

#[test]
fn dataset_path_is_data_dir_and_the_checkpoint_says_own() {
    let Some(dir) = own_dir("own-pair", 30) else { return };
    let (a, b) = (scratch("own-a.safetensors"), scratch("own-b.safetensors"));
    let note = train(&["--data", &dir], &a);
    assert!(note.contains(&format!("on own ({dir}): 27 train / 3 test images")), "{note}");
    train(&["--dataset", &format!("path:{dir}")], &b);
    // The same model: the same metadata (safetensors writes it in hash order) and tensors.
    assert_eq!(metadata(&a), metadata(&b));
    assert!(tensors(&a) == tensors(&b), "the same weights, byte for byte");
    assert_eq!(metadata(&a)["dataset"], "own");

    // Such a model cannot find its data alone; with its directory it evaluates.
    fails_with(&["eval", "--model", &a, "--iw", "1"], &["trained on a data set of its own", "--data DIR"]);
    ok(&["eval", "--model", &a, "--iw", "1", "--dataset", &format!("path:{dir}"), "--quiet"]);
    // One directory, named once.
    fails_with(&["train", "--dataset", &format!("path:{dir}"), "--data", &dir], &["--dataset path:DIR is --data DIR"]);
    fails_with(&["train", "--dataset", "path:"], &["path: needs a directory"]);
    fails_with(&["train", "--dataset", "cifar"], &["unknown data set", "path:DIR"]);
}

#[test]
fn the_four_mnist_files_stay_mnist() {
    let Some(data) = mnist() else { return };
    let m = scratch("mnist-path.safetensors");
    let mut args = vec!["train", "--epochs", "1", "--hidden", "16", "--latent", "2", "--train-limit", "200"];
    let path = format!("path:{data}");
    args.extend_from_slice(&["--test-limit", "100", "--dataset", &path, "--out", &m, "--quiet"]);
    ok(&args);
    assert_eq!(metadata(&m)["dataset"], "mnist");
}
