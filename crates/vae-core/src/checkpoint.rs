//! Checkpoints as safetensors bytes (no file paths, so the browser uses the same code).
//! The architecture travels in the metadata under "config"; each weight and bias is its
//! own named F32 tensor ("encoder.0.weight", ...), readable by any safetensors tool.
use crate::config::ModelConfig;
use crate::model::Architecture;
use ::safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView};
use std::collections::HashMap;

/// Format tag in the metadata; bumped if the layout's meaning ever changes.
pub const FORMAT: &str = "vae-playground/1";
/// Refuse anything bigger before parsing: the largest model the limits allow is far smaller.
pub const MAX_BYTES: usize = 512 << 20;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint is {0} bytes, over the {MAX_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("not a safetensors file (or truncated/corrupt): {0}")]
    Corrupt(String),
    #[error("checkpoint has no \"config\" metadata: not written by the VAE playground")]
    MissingConfig,
    #[error("checkpoint format is '{0}', expected '{FORMAT}'")]
    UnknownFormat(String),
    #[error("checkpoint config is invalid: {0}")]
    BadConfig(String),
    #[error("checkpoint lacks tensor '{0}'")]
    MissingTensor(String),
    #[error("checkpoint has unexpected tensor '{0}'")]
    UnexpectedTensor(String),
    #[error("tensor '{name}' has shape {found:?}, expected {expected:?}")]
    WrongShape { name: String, expected: Vec<usize>, found: Vec<usize> },
    #[error("tensor '{name}' has dtype {found}, expected F32")]
    WrongDtype { name: String, found: String },
    #[error("tensor '{name}' contains NaN or infinite values")]
    NonFinite { name: String },
    #[error("checkpoint architecture {found} does not match the model's {expected}")]
    ArchitectureMismatch { expected: String, found: String },
}

/// A short description of an architecture for error messages: "784-400-20 bernoulli".
pub fn describe(c: &ModelConfig) -> String {
    let mut dims: Vec<String> =
        std::iter::once(c.input_dim).chain(c.hidden.iter().cloned()).map(|d| d.to_string()).collect();
    dims.push(c.latent.to_string());
    if let Some(z2) = c.latent2 {
        dims.extend(c.hidden2.iter().flatten().map(|h| h.to_string()));
        dims.push(z2.to_string());
    }
    format!("{} {} {} {}", dims.join("-"), c.activation, c.family, c.decoder)
}

/// Serialises parameters (laid out by `arch`) with the config and any extra metadata.
pub fn to_bytes(arch: &Architecture, params: &[f32], extra: &[(&str, String)]) -> Vec<u8> {
    to_bytes_with(arch, params, &[], extra)
}

/// As `to_bytes`, plus flat F32 tensors named in `flat` (each as long as `params`).
pub(crate) fn to_bytes_with(
    arch: &Architecture,
    params: &[f32],
    flat: &[(&str, &[f32])],
    extra: &[(&str, String)],
) -> Vec<u8> {
    let le = |v: &[f32]| -> Vec<u8> { v.iter().flat_map(|p| p.to_le_bytes()).collect() };
    let bytes = le(params);
    let flat_bytes: Vec<(String, Vec<u8>)> = flat.iter().map(|(n, v)| (n.to_string(), le(v))).collect();
    let mut views: Vec<(String, TensorView<'_>)> = arch
        .layout
        .named_tensors()
        .into_iter()
        .map(|(name, shape, r)| {
            let view =
                TensorView::new(Dtype::F32, shape, &bytes[r.start * 4..r.end * 4]).expect("layout ranges match shapes");
            (name, view)
        })
        .collect();
    for (name, b) in &flat_bytes {
        views.push((name.clone(), TensorView::new(Dtype::F32, vec![b.len() / 4], b).expect("flat tensor")));
    }
    let mut meta: HashMap<String, String> = extra.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    meta.insert("format".into(), FORMAT.into());
    meta.insert("config".into(), serde_json::to_string(&arch.config).expect("config serialises"));
    ::safetensors::serialize(views, &Some(meta)).expect("in-memory serialisation cannot fail")
}

/// A checked checkpoint: its architecture, parameters in layout order, and metadata.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub arch: Architecture,
    pub params: Vec<f32>,
    pub metadata: HashMap<String, String>,
}

/// Parses and checks everything (size, format, config, names, shapes, dtypes, finiteness)
/// before returning; the caller's current model is never touched on error.
pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    Ok(from_bytes_with(bytes, &[])?.0)
}

/// As `from_bytes`, also reading the named flat F32 tensors in `extra`, each as long as
/// the parameter vector (the optimizer's moments in a training state).
pub(crate) fn from_bytes_with(bytes: &[u8], extra: &[&str]) -> Result<(Checkpoint, Vec<Vec<f32>>), CheckpointError> {
    if bytes.len() > MAX_BYTES {
        return Err(CheckpointError::TooLarge(bytes.len()));
    }
    let corrupt = |e: SafeTensorError| CheckpointError::Corrupt(e.to_string());
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(corrupt)?;
    let metadata = meta.metadata().clone().unwrap_or_default();
    match metadata.get("format") {
        Some(f) if f == FORMAT => {}
        Some(f) => return Err(CheckpointError::UnknownFormat(f.clone())),
        None if metadata.contains_key("config") => return Err(CheckpointError::UnknownFormat(String::new())),
        None => return Err(CheckpointError::MissingConfig),
    }
    let config_json = metadata.get("config").ok_or(CheckpointError::MissingConfig)?;
    let config: ModelConfig =
        serde_json::from_str(config_json).map_err(|e| CheckpointError::BadConfig(e.to_string()))?;
    // validate() bounds every size before the layout allocates anything from them.
    let arch = Architecture::new(config).map_err(CheckpointError::BadConfig)?;
    let st = SafeTensors::deserialize(bytes).map_err(corrupt)?;
    let mut expected = arch.layout.named_tensors();
    expected.extend(extra.iter().map(|n| (n.to_string(), vec![arch.layout.len], 0..arch.layout.len)));
    // Sorted, so the error names the same tensor every time (the header is a hash map).
    let mut names: Vec<&String> = st.names();
    names.sort();
    if let Some(name) = names.into_iter().find(|name| !expected.iter().any(|(n, _, _)| n == *name)) {
        return Err(CheckpointError::UnexpectedTensor(name.clone()));
    }
    let mut params = vec![0.0f32; arch.layout.len];
    let mut extras = vec![vec![0.0f32; arch.layout.len]; extra.len()];
    for (i, (name, shape, range)) in expected.into_iter().enumerate() {
        let dst = match i.checked_sub(arch.layout.slots.len() * 2) {
            None => &mut params[range],
            Some(j) => &mut extras[j][range],
        };
        read_f32(&st, name, &shape, dst)?;
    }
    Ok((Checkpoint { arch, params, metadata }, extras))
}

/// Copies tensor `name` into `dst` after checking its dtype, shape and values.
fn read_f32(st: &SafeTensors, name: String, shape: &[usize], dst: &mut [f32]) -> Result<(), CheckpointError> {
    let t = st.tensor(&name).map_err(|_| CheckpointError::MissingTensor(name.clone()))?;
    if t.dtype() != Dtype::F32 {
        return Err(CheckpointError::WrongDtype { name, found: format!("{:?}", t.dtype()) });
    }
    if t.shape() != shape {
        return Err(CheckpointError::WrongShape { name, expected: shape.to_vec(), found: t.shape().to_vec() });
    }
    for (p, c) in dst.iter_mut().zip(t.data().chunks_exact(4)) {
        *p = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        if !p.is_finite() {
            return Err(CheckpointError::NonFinite { name });
        }
    }
    Ok(())
}

/// As `from_bytes`, and also requires the architecture to equal `expected` (for loading
/// weights into a model whose shape the caller fixed).
pub fn from_bytes_for(bytes: &[u8], expected: &ModelConfig) -> Result<Checkpoint, CheckpointError> {
    let ck = from_bytes(bytes)?;
    if &ck.arch.config != expected {
        return Err(CheckpointError::ArchitectureMismatch {
            expected: describe(expected),
            found: describe(&ck.arch.config),
        });
    }
    Ok(ck)
}
