//! Checkpoints: round trip, and every kind of bad file rejected with its own error.
mod common;

use common::*;
use std::collections::HashMap;
use vae_core::checkpoint::{from_bytes, from_bytes_for, to_bytes, CheckpointError, FORMAT, MAX_BYTES};
use vae_core::config::*;
use vae_core::Vae;

fn model() -> Vae<Dev> {
    tiny_vae(tiny_config(3, Some(2), Family::Laplace, DecoderKind::Gaussian, Activation::Tanh), 4)
}

/// A safetensors file written by the `safetensors` crate directly, to forge bad inputs.
fn forge(tensors: Vec<(&str, ::safetensors::Dtype, Vec<usize>, Vec<u8>)>, meta: HashMap<String, String>) -> Vec<u8> {
    let views: Vec<(String, ::safetensors::tensor::TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.to_string(), ::safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    ::safetensors::serialize(views, &Some(meta)).unwrap()
}

/// The model's own tensors as forge() input, so single entries can be altered.
fn entries(vae: &Vae<Dev>) -> Vec<(String, ::safetensors::Dtype, Vec<usize>, Vec<u8>)> {
    let p = vae.params();
    vae.arch
        .layout
        .named_tensors()
        .into_iter()
        .map(|(n, s, r)| (n, ::safetensors::Dtype::F32, s, p[r].iter().flat_map(|v| v.to_le_bytes()).collect()))
        .collect()
}

fn meta(vae: &Vae<Dev>) -> HashMap<String, String> {
    HashMap::from([("format".into(), FORMAT.into()), ("config".into(), serde_json::to_string(vae.config()).unwrap())])
}

fn forge_entries(e: &[(String, ::safetensors::Dtype, Vec<usize>, Vec<u8>)], m: HashMap<String, String>) -> Vec<u8> {
    forge(e.iter().map(|(n, d, s, b)| (n.as_str(), *d, s.clone(), b.clone())).collect(), m)
}

#[test]
fn round_trip_keeps_config_parameters_and_metadata() {
    let vae = model();
    let bytes = to_bytes(&vae.arch, &vae.params(), &[("epochs", "3".into())]);
    let ck = from_bytes(&bytes).unwrap();
    assert_eq!(ck.arch, vae.arch);
    assert_eq!(ck.params, vae.params());
    assert_eq!(ck.metadata["epochs"], "3");
    // And a model built from it computes the same reconstruction.
    let back = Vae::from_params(ck.arch, ck.params, vae_core::cpu());
    let x = tiny_data(vae.config(), 2);
    assert_eq!(back.reconstruct(&x), vae.reconstruct(&x));
    // The file is plain safetensors: the library reads the named tensors.
    let st = ::safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(st.tensor("encoder.0.weight").unwrap().shape(), &[6, 5]);
}

#[test]
fn truncated_and_garbage_files_are_corrupt() {
    let vae = model();
    let bytes = to_bytes(&vae.arch, &vae.params(), &[]);
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(matches!(from_bytes(&bytes[..cut]), Err(CheckpointError::Corrupt(_))), "cut at {cut}");
    }
    assert!(matches!(from_bytes(b"definitely not safetensors"), Err(CheckpointError::Corrupt(_))));
    // A header length claiming more than the file holds.
    let mut lying = bytes.clone();
    lying[..8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    assert!(matches!(from_bytes(&lying), Err(CheckpointError::Corrupt(_))));
    // Flipped bytes inside the JSON header.
    let mut flipped = bytes.clone();
    for b in &mut flipped[8..40] {
        *b ^= 0x5A;
    }
    assert!(from_bytes(&flipped).is_err());
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = vec![0u8; MAX_BYTES + 1];
    assert_eq!(from_bytes(&big).unwrap_err(), CheckpointError::TooLarge(MAX_BYTES + 1));
}

#[test]
fn missing_or_foreign_metadata_is_rejected() {
    let vae = model();
    let e = entries(&vae);
    assert_eq!(from_bytes(&forge_entries(&e, HashMap::new())).unwrap_err(), CheckpointError::MissingConfig);
    let mut m = meta(&vae);
    m.insert("format".into(), "someone-else/9".into());
    assert!(matches!(from_bytes(&forge_entries(&e, m)), Err(CheckpointError::UnknownFormat(_))));
    let mut m = meta(&vae);
    m.insert("config".into(), "{\"input_dim\": 784}".into());
    assert!(matches!(from_bytes(&forge_entries(&e, m)), Err(CheckpointError::BadConfig(_))));
    // A config whose sizes would allocate absurdly is refused before any allocation.
    let mut huge = vae.config().clone();
    huge.hidden = vec![1 << 30];
    let mut m = meta(&vae);
    m.insert("config".into(), serde_json::to_string(&huge).unwrap());
    assert!(matches!(from_bytes(&forge_entries(&e, m)), Err(CheckpointError::BadConfig(_))));
}

#[test]
fn wrong_shapes_dtypes_names_and_values_are_named() {
    let vae = model();
    let good = entries(&vae);

    let mut e = good.clone();
    e[0].2 = vec![5, 6];
    assert_eq!(
        from_bytes(&forge_entries(&e, meta(&vae))).unwrap_err(),
        CheckpointError::WrongShape { name: "encoder.0.weight".into(), expected: vec![6, 5], found: vec![5, 6] }
    );

    let mut e = good.clone();
    e[1].1 = ::safetensors::Dtype::I32;
    assert!(
        matches!(from_bytes(&forge_entries(&e, meta(&vae))), Err(CheckpointError::WrongDtype { name, .. }) if name == "encoder.0.bias")
    );

    let mut e = good.clone();
    let removed = e.remove(2).0;
    assert_eq!(from_bytes(&forge_entries(&e, meta(&vae))).unwrap_err(), CheckpointError::MissingTensor(removed));

    let mut e = good.clone();
    e.push(("decoder.extra".into(), ::safetensors::Dtype::F32, vec![1], vec![0; 4]));
    assert_eq!(
        from_bytes(&forge_entries(&e, meta(&vae))).unwrap_err(),
        CheckpointError::UnexpectedTensor("decoder.extra".into())
    );

    let mut e = good.clone();
    e[3].3[0..4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(matches!(from_bytes(&forge_entries(&e, meta(&vae))), Err(CheckpointError::NonFinite { .. })));
}

#[test]
fn loading_into_a_fixed_architecture_names_both() {
    let vae = model();
    let bytes = to_bytes(&vae.arch, &vae.params(), &[]);
    let mut other = vae.config().clone();
    other.latent = 4;
    let err = from_bytes_for(&bytes, &other).unwrap_err();
    assert!(matches!(err, CheckpointError::ArchitectureMismatch { .. }));
    let msg = err.to_string();
    assert!(msg.contains("6-5-3-2") && msg.contains("6-5-4-2"), "{msg}");
    assert!(from_bytes_for(&bytes, vae.config()).is_ok());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Arbitrary mutations of a valid file never panic: they load or give an error.
    #[test]
    fn mutated_checkpoints_never_panic(pos in proptest::collection::vec(0usize..4000, 1..8), val in proptest::collection::vec(proptest::prelude::any::<u8>(), 8), cut in 0usize..5000) {
        let vae = model();
        let mut bytes = to_bytes(&vae.arch, &vae.params(), &[]);
        for (p, v) in pos.iter().zip(&val) {
            let n = bytes.len();
            bytes[p % n] = *v;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        let _ = from_bytes(&bytes);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Training states (what the page keeps in IndexedDB) face the same hostile bytes.
    #[test]
    fn mutated_training_states_never_panic(pos in proptest::collection::vec(0usize..6000, 1..8), val in proptest::collection::vec(proptest::prelude::any::<u8>(), 8), cut in 0usize..8000) {
        let vae = model();
        let data = vae_core::data::Dataset { images: stored_bytes(&tiny_data(vae.config(), 8)), labels: vec![0; 8], rows: 1, cols: 6 };
        let mut t = vae_core::train::Trainer::new(vae, TrainConfig { batch_size: 4, ..TrainConfig::default() }, vae_core::data::Binarization::Greyscale).unwrap();
        t.train_step(&data).unwrap();
        let mut bytes = vae_core::state::save(&t, &[]);
        for (p, v) in pos.iter().zip(&val) {
            let n = bytes.len();
            bytes[p % n] = *v;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        let _ = vae_core::state::restore(&bytes, vae_core::cpu());
    }
}
