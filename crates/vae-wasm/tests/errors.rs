//! Each binding call that fails says what kind of failure it is (the core's `ErrorKind`,
//! which becomes the JS `Error`'s `name`) and keeps the core's message. Run natively: a
//! `Failure` is plain Rust until it crosses into JavaScript.
use vae_core::checkpoint::{self, CheckpointError};
use vae_core::config::{Init, ModelConfig, TrainConfig};
use vae_core::data::Binarization;
use vae_core::state::TrainingState;
use vae_core::train::{Position, StepError};
use vae_core::{ErrorKind, Vae};
use vae_wasm::{Data, Failure, Lead, Model, Replica};

fn failure<T>(r: Result<T, Failure>) -> Failure {
    match r {
        Ok(_) => panic!("expected a failure"),
        Err(f) => f,
    }
}

/// A model of `side` x `side` images with a latent of `latent`.
fn vae(side: usize, latent: usize) -> Vae<dfdx::tensor::Cpu> {
    let config = ModelConfig { input_dim: side * side, hidden: vec![3], latent, ..ModelConfig::default() };
    Vae::new(config, Init::default(), 1, vae_core::cpu()).unwrap()
}

fn checkpoint_of(v: &Vae<dfdx::tensor::Cpu>) -> Model {
    Model::from_checkpoint(&checkpoint::to_bytes(&v.arch, &v.params(), &[])).expect("a valid checkpoint")
}

fn state_bytes(side: usize) -> Vec<u8> {
    let v = vae(side, 2);
    let n = v.num_params();
    let state = TrainingState {
        params: v.params(),
        arch: v.arch.clone(),
        cfg: TrainConfig::default(),
        binarization: Binarization::Dynamic,
        position: Position::default(),
        optim_t: 0,
        m: vec![0.0; n],
        v: vec![0.0; n],
        metadata: Default::default(),
    };
    state.to_bytes(&[])
}

/// Two 2x2 images and their labels as idx files.
fn data() -> Data {
    let two = 2u32.to_be_bytes();
    let images = [&[0, 0, 8, 3][..], &two, &two, &two, &[0, 255, 128, 7, 1, 2, 3, 4]].concat();
    let labels = [&[0, 0, 8, 1][..], &two, &[0, 1]].concat();
    Data::from_idx(images.clone(), labels.clone(), images, labels).expect("valid idx")
}

#[test]
fn a_non_finite_bound_is_a_non_finite_loss_with_the_cores_message() {
    let mut r = Replica::from_state(&state_bytes(2), 1, 0).expect("valid");
    let f = failure(r.apply_update(f64::NAN, 1, 0.0));
    assert_eq!(f.kind, ErrorKind::NonFiniteLoss);
    assert_eq!(f.message, StepError::NonFinite { step: 0, bound: f32::NAN }.to_string());
}

#[test]
fn a_file_that_is_no_checkpoint_is_a_bad_checkpoint() {
    let f = failure(Model::from_checkpoint(b"not a checkpoint"));
    assert_eq!(f.kind, ErrorKind::BadCheckpoint);
    let core: CheckpointError = checkpoint::from_bytes(b"not a checkpoint").err().unwrap();
    assert_eq!(f.message, core.to_string());
    let d = data();
    assert_eq!(failure(Lead::from_state(b"junk", &d)).kind, ErrorKind::BadCheckpoint);
    assert_eq!(failure(Replica::from_state(b"junk", 1, 0)).kind, ErrorKind::BadCheckpoint);
}

#[test]
fn parameters_of_another_size_are_an_architecture_mismatch() {
    let v = vae(2, 2);
    let mut m = checkpoint_of(&v);
    let f = failure(m.set_params(&[0.0; 3]));
    assert_eq!(f.kind, ErrorKind::ArchitectureMismatch);
    assert_eq!(f.message, format!("expected {} parameters, got 3", v.num_params()));
    let mut nan = v.params();
    nan[0] = f32::NAN;
    assert_eq!(failure(m.set_params(&nan)).kind, ErrorKind::BadData);
}

#[test]
fn a_rate_out_of_range_is_an_invalid_config_with_the_cores_message() {
    let d = data();
    let mut lead = Lead::from_state(&state_bytes(2), &d).expect("valid");
    let f = failure(lead.set_learning_rate(2.0));
    assert_eq!(f.kind, ErrorKind::InvalidConfig);
    let core = TrainConfig { lr: 2.0, ..TrainConfig::default() }.validate().unwrap_err();
    assert_eq!(f.message, core);
    let mut r = Replica::from_state(&state_bytes(2), 1, 0).expect("valid");
    assert_eq!(failure(r.set_learning_rate(0.0)).kind, ErrorKind::InvalidConfig);
}

#[test]
fn unusable_data_is_bad_data() {
    let f = failure(Data::from_idx(vec![1, 2, 3], vec![], vec![], vec![]));
    assert_eq!(f.kind, ErrorKind::BadData);
    // A model of 3x3 images and 2x2 data.
    let d = data();
    let f = failure(Lead::from_state(&state_bytes(3), &d));
    assert_eq!((f.kind, f.message.as_str()), (ErrorKind::BadData, "the model and the data disagree on the image size"));
    let m = checkpoint_of(&vae(2, 2));
    assert_eq!(failure(m.reconstruct(&[0.5; 5])).kind, ErrorKind::BadData);
}

#[test]
fn what_a_model_cannot_serve_is_unsupported_and_bad_arguments_are_invalid() {
    let m = checkpoint_of(&vae(2, 1));
    let f = failure(m.posterior(&[0.5; 4], 8, None, None));
    assert_eq!(f.kind, ErrorKind::Unsupported);
    assert_eq!(f.message, "the posterior map needs a latent of 2 or more dimensions, got 1");
    assert_eq!(failure(m.impute(&[0.5; 4], &[1, 0], 1, 1, 1, 1.0)).kind, ErrorKind::InvalidArgument);
    assert_eq!(failure(Replica::from_state(&state_bytes(2), 2, 5)).kind, ErrorKind::InvalidArgument);
}
