//! The browser binding of vae-core: four classes, kept thin.
//!
//! - `Model`: a trained model for inference (reconstruct, traverse, sample, refine, impute),
//!   and the inference views (`inference.rs`: true posterior, estimator lab, ELBO terms).
//! - `Data`: MNIST-format idx bytes, parsed once, in the first training worker.
//! - `Lead`: a run's configuration, position in the data and evaluation (first worker).
//! - `Replica`: one of K data-parallel training workers (vae_core::parallel).
//!
//! Build (scripts/build-wasm.sh):
//!   cargo build --profile wasm-release --target wasm32-unknown-unknown -p vae-wasm
//!   wasm-bindgen --target web --out-dir www/build/pkg target/wasm32-unknown-unknown/wasm-release/vae_wasm.wasm
//!   wasm-opt -O3 --enable-simd ... (npm binaryen)
//! Errors reach JavaScript as `Error`s with the core's message and its kind as their `name`
//! (`error.rs`); nothing is changed on error.
use wasm_bindgen::prelude::*;

mod data;
mod error;
mod inference;
mod kernel;
mod lead;
mod model;
mod replica;

pub use data::Data;
pub use error::Failure;
pub use kernel::*;
pub use lead::Lead;
pub use model::Model;
pub use replica::Replica;

pub(crate) type Dev = dfdx::tensor::Cpu;

/// Runs once when the module is instantiated: Rust panics print their message and stack
/// to the console instead of "unreachable".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A random 32-bit seed from the browser's crypto RNG, for "train from scratch".
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> u32 {
    let mut b = [0u8; 4];
    getrandom::getrandom(&mut b).map(|_| u32::from_le_bytes(b)).unwrap_or(1)
}

/// The core's defaults, choice names and ranges (vae_core::vocabulary) as JSON text, the
/// spelling of www/src/pure/vocabulary.json: the page checks at start-up that its copy is
/// this build's. Text, not an object: f32 values keep their shortest decimals (1e-8).
#[wasm_bindgen]
pub fn vocabulary() -> String {
    vae_core::vocabulary::to_json()
}

/// JS object -> Rust value with a message naming what was being read.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, Failure> {
    serde_wasm_bindgen::from_value(v).map_err(|e| Failure::config(format!("invalid {what}: {e}")))
}

/// Rust value -> plain JS object (maps as objects, not `Map`s).
pub(crate) fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// Metadata object ({key: value}) -> string pairs for the checkpoint.
pub(crate) fn meta_pairs(meta: JsValue) -> Result<Vec<(String, String)>, Failure> {
    if meta.is_undefined() || meta.is_null() {
        return Ok(Vec::new());
    }
    let map: std::collections::BTreeMap<String, serde_json::Value> = from_js(meta, "checkpoint metadata")?;
    Ok(map.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect())
}
