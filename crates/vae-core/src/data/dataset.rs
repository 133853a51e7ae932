//! In-memory data sets: images as bytes (intensity x 255, as the idx files store them) plus
//! digit labels. Bytes, not f32: MNIST's training set is 47 MB instead of 188 MB, which is
//! what a browser tab's training worker holds; minibatches are converted as they are drawn.
//!
//! Works from bytes ([`from_idx_bytes`], [`from_idx_split`]) so the browser
//! build can hand over what it fetched; [`load_dir`] adds file reading for
//! native builds. Input may be raw IDX or gzip-compressed IDX.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::str::FromStr;

use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::idx::{self, IdxError};

/// Largest decompressed size we accept from a gzip input. MNIST's largest
/// file is 47 MB; the cap keeps a small malicious file (a "gzip bomb") from
/// exhausting memory, which matters most in a browser tab.
pub const MAX_DECOMPRESSED: usize = 64 << 20;

/// A stored byte as an intensity in [0, 1].
#[inline]
pub fn intensity(b: u8) -> f32 {
    f32::from(b) / 255.0
}

/// Number of classes; labels must be below this.
pub const NUM_CLASSES: u8 = 10;

/// The command that downloads the data sets into `data/`.
pub const FETCH_COMMAND: &str = "npm run fetch-data";

/// Why a data set could not be built.
#[derive(Debug, Error)]
pub enum DataError {
    #[error("{file}: {source}")]
    Idx {
        file: String,
        #[source]
        source: IdxError,
    },
    #[error("{file}: gzip decompression failed: {source}")]
    Gunzip {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: decompresses to more than {limit} bytes, refusing")]
    TooLarge { file: String, limit: usize },
    #[error("{images} images but {labels} labels")]
    CountMismatch { images: usize, labels: usize },
    #[error("label {label} at index {index} is not a digit (expected 0..=9)")]
    BadLabel { index: usize, label: u8 },
    #[error("train images are {train_rows}x{train_cols} but test images are {test_rows}x{test_cols}")]
    ShapeMismatch { train_rows: usize, train_cols: usize, test_rows: usize, test_cols: usize },
    #[error("{kind} file {file} not found in {dir} (raw or .gz); run `{FETCH_COMMAND}` to download the data sets")]
    Missing { kind: &'static str, dir: String, file: &'static str },
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Images flattened row-major, one after another, with their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// `len() * dim()` bytes; intensity = byte / 255 (see [`intensity`]).
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image, `rows * cols`.
    pub fn dim(&self) -> usize {
        self.rows * self.cols
    }

    /// Image `i` as bytes. Panics when `i >= len()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[u8] {
        let d = self.dim();
        &self.images[i * d..(i + 1) * d]
    }

    /// Every image as intensities in [0, 1], row-major (for evaluation: the test set).
    pub fn pixels(&self) -> Vec<f32> {
        self.images.iter().map(|&b| intensity(b)).collect()
    }

    /// The first `n` examples (all of them when `n >= len()`).
    pub fn subset(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * self.dim()].to_vec(),
            labels: self.labels[..n].to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// A training set and its test set.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Dataset,
    pub test: Dataset,
}

/// Which data set to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    #[default]
    Mnist,
    #[cfg_attr(feature = "clap", value(alias = "fashion"))]
    FashionMnist,
}

impl crate::config::Choices for DatasetKind {
    const ALL: &'static [Self] = &[DatasetKind::Mnist, DatasetKind::FashionMnist];
}
// A new variant fails to compile here until it is listed in ALL.
const _: fn(DatasetKind) = |v| match v {
    DatasetKind::Mnist | DatasetKind::FashionMnist => {}
};

impl DatasetKind {
    /// Short name, as accepted by [`FromStr`]: `mnist` or `fashion-mnist`.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "mnist",
            DatasetKind::FashionMnist => "fashion-mnist",
        }
    }

    /// Where `npm run fetch-data` puts it, relative to the repository root.
    pub fn default_dir(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "data/mnist",
            DatasetKind::FashionMnist => "data/fashion-mnist",
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DatasetKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "mnist" => Ok(DatasetKind::Mnist),
            "fashion-mnist" | "fashion" => Ok(DatasetKind::FashionMnist),
            other => Err(format!("unknown data set {other:?}: expected mnist or fashion-mnist")),
        }
    }
}

/// Builds a data set from an IDX image file and an IDX label file, each raw
/// or gzip-compressed.
pub fn from_idx_bytes(images: &[u8], labels: &[u8]) -> Result<Dataset, DataError> {
    from_named(("images", images.into()), ("labels", labels.into()))
}

/// Builds train and test sets from the four IDX files' bytes (the browser
/// path: no file system). Each may be raw or gzip-compressed.
pub fn from_idx_split(
    train_img: &[u8],
    train_lbl: &[u8],
    test_img: &[u8],
    test_lbl: &[u8],
) -> Result<Split, DataError> {
    let train = from_named((FILES[0], train_img.into()), (FILES[1], train_lbl.into()))?;
    let test = from_named((FILES[2], test_img.into()), (FILES[3], test_lbl.into()))?;
    split(train, test)
}

/// As `from_idx_split`, taking the files' bytes by value: raw image files become the data
/// set in place, without a second copy (the browser's worker hands over 47 MB).
pub fn from_idx_split_owned(
    train_img: Vec<u8>,
    train_lbl: Vec<u8>,
    test_img: Vec<u8>,
    test_lbl: Vec<u8>,
) -> Result<Split, DataError> {
    let train = from_named((FILES[0], train_img.into()), (FILES[1], train_lbl.into()))?;
    let test = from_named((FILES[2], test_img.into()), (FILES[3], test_lbl.into()))?;
    split(train, test)
}

/// Loads the four standard files from `dir`, each either raw or with a
/// `.gz` suffix (raw is preferred when both exist).
#[cfg(not(target_arch = "wasm32"))]
pub fn load_dir(dir: &std::path::Path, kind: DatasetKind) -> Result<Split, DataError> {
    let read = |file: &'static str| -> Result<Vec<u8>, DataError> {
        for name in [file.to_string(), format!("{file}.gz")] {
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => return Ok(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    let path = path.display().to_string();
                    return Err(DataError::Io { path, source });
                }
            }
        }
        Err(DataError::Missing { kind: kind.name(), dir: dir.display().to_string(), file })
    };
    let [a, b, c, d] = FILES.map(read);
    from_idx_split(&a?, &b?, &c?, &d?)
}

/// The standard file names: train images, train labels, test images, test labels.
pub const FILES: [&str; 4] =
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

fn split(train: Dataset, test: Dataset) -> Result<Split, DataError> {
    if (train.rows, train.cols) != (test.rows, test.cols) {
        return Err(DataError::ShapeMismatch {
            train_rows: train.rows,
            train_cols: train.cols,
            test_rows: test.rows,
            test_cols: test.cols,
        });
    }
    Ok(Split { train, test })
}

fn from_named(images: (&str, Cow<'_, [u8]>), labels: (&str, Cow<'_, [u8]>)) -> Result<Dataset, DataError> {
    let idx_err = |file: &str| {
        let file = file.to_string();
        move |source| DataError::Idx { file, source }
    };
    let img = match maybe_gunzip(images.0, images.1)? {
        Cow::Owned(bytes) => idx::parse_images_owned(bytes),
        Cow::Borrowed(bytes) => idx::parse_images(bytes),
    }
    .map_err(idx_err(images.0))?;
    let lbl_bytes = maybe_gunzip(labels.0, labels.1)?;
    let labels = idx::parse_labels(&lbl_bytes).map_err(idx_err(labels.0))?;
    if img.count != labels.len() {
        return Err(DataError::CountMismatch { images: img.count, labels: labels.len() });
    }
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l >= NUM_CLASSES) {
        return Err(DataError::BadLabel { index, label });
    }
    Ok(Dataset { images: img.pixels, labels, rows: img.rows, cols: img.cols })
}

/// Gunzips `bytes` when they start with the gzip magic, reading at most
/// [`MAX_DECOMPRESSED`] bytes; otherwise borrows them unchanged.
fn maybe_gunzip<'a>(file: &str, bytes: Cow<'a, [u8]>) -> Result<Cow<'a, [u8]>, DataError> {
    if !idx::is_gzip(&bytes) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    // Read one byte past the cap so that "exactly at the cap" and "over it"
    // can be told apart without decompressing the rest.
    GzDecoder::new(&bytes[..])
        .take(MAX_DECOMPRESSED as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|source| DataError::Gunzip { file: file.to_string(), source })?;
    if out.len() > MAX_DECOMPRESSED {
        return Err(DataError::TooLarge { file: file.to_string(), limit: MAX_DECOMPRESSED });
    }
    Ok(out.into())
}
