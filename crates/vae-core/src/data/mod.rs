//! Data layer: IDX parsing, MNIST / Fashion-MNIST data sets, binarization.

pub mod binarize;
pub mod dataset;
pub mod idx;

pub use binarize::{binarize_dynamic, binarize_fixed, binarize_fixed_bytes, Binarization};
#[cfg(not(target_arch = "wasm32"))]
pub use dataset::load_dir;
pub use dataset::{
    from_idx_bytes, from_idx_split, from_idx_split_owned, intensity, DataError, Dataset, DatasetKind, Split,
};
pub use idx::{parse_images, parse_images_owned, parse_labels, IdxError, IdxImages};
