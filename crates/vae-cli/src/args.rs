//! Pieces shared by the subcommands (the core's enums are clap `ValueEnum`s, its `clap`
//! feature): the device flag,
//! locating and loading a data set, and loading a checkpoint and the test images it is
//! measured on.
use clap::{Args, ValueEnum};
use dfdx::prelude::Device;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use vae_core::data::{intensity, load_dir, Binarization, DatasetKind, Split};
use vae_core::train::prepare_test;
use vae_core::{checkpoint, Vae};

/// Seed of the evaluation noise. Fixed, so that the test ELBO printed after each epoch,
/// the one stored in the checkpoint and the one `vae eval` prints are the same figure
/// whatever the training seed.
pub const EVAL_SEED: u64 = 0xE7A1;

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

/// The checkpoint metadata's name of a data set read with `--data DIR` (docs/checkpoint.md):
/// the page's name of a personal set, so a model trained on one says so when loaded there.
pub const OWN: &str = "own";

/// `--dataset`: a named data set, or `path:DIR`, the same as `--data DIR`.
#[derive(Debug, Clone, PartialEq)]
pub enum DatasetArg {
    Named(DatasetKind),
    Path(PathBuf),
}

fn parse_dataset(s: &str) -> Result<DatasetArg, String> {
    match s.strip_prefix("path:") {
        Some("") => Err("path: needs a directory, e.g. path:my-digits".into()),
        Some(dir) => Ok(DatasetArg::Path(PathBuf::from(dir))),
        None => s.parse().map(DatasetArg::Named).map_err(|e: String| format!("{e}, or path:DIR")),
    }
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Data set: mnist, fashion-mnist, or path:DIR (the same as --data DIR) [default:
    /// mnist, or the checkpoint's]
    #[arg(long, value_name = "NAME|path:DIR", value_parser = parse_dataset)]
    pub dataset: Option<DatasetArg>,
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
    /// The named data set asked for, if any.
    pub fn named(&self) -> Option<DatasetKind> {
        match &self.dataset {
            Some(DatasetArg::Named(k)) => Some(*k),
            _ => None,
        }
    }

    /// The directory of `--data DIR` or `--dataset path:DIR` (one code path for both).
    pub fn pair_dir(&self) -> Result<Option<&Path>, String> {
        let path = match &self.dataset {
            Some(DatasetArg::Path(p)) => Some(p.as_path()),
            _ => None,
        };
        match (path, &self.data, &self.data_dir) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                Err("--dataset path:DIR is --data DIR: give one directory, not also --data or --data-dir".into())
            }
            (Some(p), None, None) => Ok(Some(p)),
            (None, d, _) => Ok(d.as_deref()),
        }
    }

    /// The data set asked for, else the one a checkpoint was trained on (`checkpoint`,
    /// only asked when neither a name nor a directory of one's own was given).
    pub fn kind_or(&self, checkpoint: impl FnOnce() -> Result<DatasetKind, String>) -> Result<DatasetKind, String> {
        if self.pair_dir()?.is_some() {
            // Read as a pair (or the four MNIST files): the kind only names defaults.
            return Ok(self.named().unwrap_or_default());
        }
        self.named().map_or_else(checkpoint, Ok)
    }

    pub fn dir(&self, kind: DatasetKind) -> PathBuf {
        let own = self.pair_dir().ok().flatten().map(Path::to_path_buf);
        own.or_else(|| self.data_dir.clone()).unwrap_or_else(|| default_dir(kind))
    }

    /// The data set's name in a checkpoint's metadata: `own` for a directory of one's own
    /// (unless it holds the four MNIST files), else the named set.
    pub fn metadata_name(&self, kind: DatasetKind) -> Result<&'static str, String> {
        Ok(match self.pair_dir()? {
            Some(dir) if !crate::data_dir::is_standard(dir) => OWN,
            _ => kind.name(),
        })
    }

    /// Loads train and test sets; a missing directory gives the core's message, which
    /// names the command that downloads the data.
    pub fn load(&self, kind: DatasetKind) -> Result<Split, String> {
        if let Some(dir) = self.pair_dir()? {
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

    /// The data set the model was trained on (`mnist` when the file does not say). A model
    /// of a personal set cannot find its data alone: the message asks for the directory.
    pub fn dataset(&self) -> Result<DatasetKind, String> {
        match self.metadata.get("dataset").map(String::as_str) {
            None => Ok(DatasetKind::Mnist),
            Some(OWN | "own-mnist") => Err(format!(
                "the model was trained on a data set of its own (metadata dataset: {}): give its directory with --data DIR",
                self.metadata["dataset"]
            )),
            Some(s) => s.parse(),
        }
    }

    /// Image height and width for the model's input size.
    pub fn image_shape(&self) -> Result<(usize, usize), String> {
        crate::images::square(self.vae.config().input_dim)
    }

    /// Test images `first..first + n` of the data set asked for (else the model's) as the
    /// model is evaluated on them (`vae eval`'s binarization), and their labels.
    pub fn test_images(&self, data: &DataArgs, first: usize, n: usize) -> Result<(Vec<f32>, Vec<u8>), String> {
        let test = data.load(data.kind_or(|| self.dataset())?)?.test;
        self.check_dim(test.dim())?;
        if n == 0 || first + n > test.len() {
            return Err(format!("image {first} (and {n} from it) is not among the {} test images", test.len()));
        }
        let d = test.dim();
        let pixels: Vec<f32> = test.images[first * d..(first + n) * d].iter().map(|&b| intensity(b)).collect();
        Ok((prepare_test(&pixels, self.binarization()?), test.labels[first..first + n].to_vec()))
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
