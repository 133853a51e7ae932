//! The CLI's flags are the core's enums (clap `ValueEnum`, vae-core's `clap` feature): each
//! flag offers exactly the names the core's vocabulary lists, in the same order.
use clap::ValueEnum;
use vae_core::config::{Choices, Preset, Schedule};
use vae_core::data::{Binarization, DatasetKind};
use vae_core::{Activation, DecoderKind, Estimator, Family, Init, OptimizerKind};

fn same<T: ValueEnum + Choices>() {
    let clap: Vec<String> = T::value_variants()
        .iter()
        .map(|v| v.to_possible_value().expect("no value is hidden").get_name().to_string())
        .collect();
    assert_eq!(clap, T::names());
}

#[test]
fn the_flags_offer_the_cores_names() {
    same::<Activation>();
    same::<Family>();
    same::<DecoderKind>();
    same::<Init>();
    same::<Estimator>();
    same::<OptimizerKind>();
    same::<Schedule>();
    same::<Preset>();
    same::<Binarization>();
    same::<DatasetKind>();
}
