//! Pieces shared by the subcommands (the core's enums are clap `ValueEnum`s, its `clap`
//! feature): the device flag,
//! locating and loading a data set, and loading a checkpoint.
use clap::{Args, ValueEnum};
use dfdx::prelude::Device;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use vae_core::data::{load_dir, Binarization, DatasetKind, Split};
use vae_core::{checkpoint, Vae};

/// Seed of the evaluation noise. Fixed, so that the test ELBO printed after each epoch,
/// the one stored in the checkpoint and the one `vae eval` prints are the same figure
/// whatever the training seed.
pub const EVAL_SEED: u64 = 0xE7A1;

/// Seed of the one draw of `--binarization fixed`, shared by all training seeds so that
/// runs with different seeds see the same binary data set.
pub const FIXED_BINARIZATION_SEED: u64 = 0xF1ED;

#[cfg_attr(feature = "cuda", allow(dead_code))]
pub const NO_CUDA: &str = "this build has no CUDA support; rebuild with --features cuda";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceKind {
    Cpu,
    Cuda,
}

impl DeviceKind {
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Cuda => "cuda",
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Data set [default: mnist, or the checkpoint's]
    #[arg(long, value_enum)]
    pub dataset: Option<DatasetKind>,
    /// Directory holding the four IDX files, raw or .gz [default: data/<dataset> in the
    /// current directory or the nearest parent that has it]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory with any idx pair, raw or .gz (one idx3 image file and one idx1 label
    /// file, e.g. the page's export of your data set; 10% is held out for the test ELBO),
    /// or the four MNIST files
    #[arg(long, value_name = "DIR", conflicts_with = "data_dir")]
    pub data: Option<PathBuf>,
}

impl DataArgs {
    /// The data set asked for, else `fallback` (e.g. the one a checkpoint was trained on).
    pub fn kind(&self, fallback: DatasetKind) -> DatasetKind {
        self.dataset.unwrap_or(fallback)
    }

    pub fn dir(&self, kind: DatasetKind) -> PathBuf {
        self.data.clone().or_else(|| self.data_dir.clone()).unwrap_or_else(|| default_dir(kind))
    }

    /// Loads train and test sets; a missing directory gives the core's message, which
    /// names the command that downloads the data.
    pub fn load(&self, kind: DatasetKind) -> Result<Split, String> {
        if let Some(dir) = &self.data {
            return crate::data_dir::load_pair_dir(dir);
        }
        load_dir(&self.dir(kind), kind).map_err(|e| e.to_string())
    }
}

/// `data/<name>` under the current directory or its nearest ancestor that has it (so the
/// binary works from anywhere in the repository); the plain relative path when none has.
pub fn default_dir(kind: DatasetKind) -> PathBuf {
    let rel = Path::new(kind.default_dir());
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            if dir.join(rel).is_dir() {
                return dir.join(rel);
            }
        }
    }
    rel.to_path_buf()
}

/// A model read from a checkpoint file, with its metadata.
pub struct Loaded<D: Device<f32>> {
    pub vae: Vae<D>,
    pub metadata: HashMap<String, String>,
}

impl<D: Device<f32>> Loaded<D> {
    pub fn read(path: &Path, dev: D) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        let ck = checkpoint::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Loaded { vae: Vae::from_params(ck.arch, ck.params, dev), metadata: ck.metadata })
    }

    /// The binarization the model was trained with (`dynamic` when the file does not say).
    pub fn binarization(&self) -> Result<Binarization, String> {
        self.metadata.get("binarization").map_or(Ok(Binarization::Dynamic), |s| s.parse())
    }

    /// The data set the model was trained on (`mnist` when the file does not say).
    pub fn dataset(&self) -> Result<DatasetKind, String> {
        self.metadata.get("dataset").map_or(Ok(DatasetKind::Mnist), |s| s.parse())
    }

    /// Image height and width for the model's input size.
    pub fn image_shape(&self) -> Result<(usize, usize), String> {
        crate::images::square(self.vae.config().input_dim)
    }

    /// Checks that the model reads images of the data set's size.
    pub fn check_dim(&self, dim: usize) -> Result<(), String> {
        let want = self.vae.config().input_dim;
        if want != dim {
            return Err(format!("the model reads {want} pixels per image but the data set has {dim}"));
        }
        Ok(())
    }
}

/// Writes `bytes` to `path`, naming the path in the error.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Writes `bytes` to `<path>.tmp`, then renames it over `path`: a run killed mid-write
/// leaves the previous file whole (checkpoints of long runs are overwritten often).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).map_err(|e| format!("renaming {} to {}: {e}", tmp.display(), path.display()))
}

/// The ids of the arguments given on the command line (not defaulted): a given flag beats
/// a preset, a schedule's protocol, and must agree with a resumed state.
pub type Given = HashSet<String>;

pub fn given(m: &clap::ArgMatches) -> Given {
    m.ids()
        .filter(|id| m.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
}

/// A progress bar on stderr (hidden when `quiet`; indicatif also hides it when stderr is
/// not a terminal).
pub fn progress(len: u64, template: &str, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let style = indicatif::ProgressStyle::with_template(template).expect("valid template").progress_chars("=> ");
    indicatif::ProgressBar::new(len).with_style(style)
}
