//! Errors for JavaScript: a JS `Error` with the core's message whose `name` is the core's
//! `ErrorKind` ("NonFiniteLoss", "BadCheckpoint", ...), so the page switches on the kind,
//! never on the text (www/src/shared/wasm.ts, `errorKind`).
use std::fmt::Display;
use vae_core::{ErrorKind, Kinded};
use wasm_bindgen::JsValue;

/// What a binding call returns on failure. Plain Rust until it crosses into JavaScript, so
/// the native tests can read its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: ErrorKind, message: impl Display) -> Self {
        Failure { kind, message: message.to_string() }
    }

    /// A setting out of range or an unknown name (the core's validation messages).
    pub fn config(message: impl Display) -> Self {
        Self::new(ErrorKind::InvalidConfig, message)
    }

    pub fn data(message: impl Display) -> Self {
        Self::new(ErrorKind::BadData, message)
    }

    pub fn argument(message: impl Display) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }
}

/// `?` on a core error keeps its kind.
impl<E: Kinded> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::new(e.kind(), e)
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let e = js_sys::Error::new(&f.message);
        e.set_name(f.kind.name());
        e.into()
    }
}
