//! Training and test data from idx bytes (raw or gzip, as served).
use crate::error::Failure;
use vae_core::data::{from_idx_bytes, Dataset, Split};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Data {
    pub(crate) split: Split,
}

#[wasm_bindgen]
impl Data {
    /// Parses the four MNIST-format files; errors name the file and what is wrong.
    #[wasm_bindgen(js_name = fromIdx)]
    /// The bytes are taken by value: raw image files become the data set in place.
    pub fn from_idx(
        train_images: Vec<u8>,
        train_labels: Vec<u8>,
        test_images: Vec<u8>,
        test_labels: Vec<u8>,
    ) -> Result<Data, Failure> {
        let split = vae_core::data::from_idx_split_owned(train_images, train_labels, test_images, test_labels)?;
        Ok(Data { split })
    }

    /// Only the test set: enough for the scatter plot and picking test digits.
    #[wasm_bindgen(js_name = testOnly)]
    pub fn test_only(test_images: &[u8], test_labels: &[u8]) -> Result<Data, Failure> {
        let test = from_idx_bytes(test_images, test_labels)?;
        let train = Dataset { images: Vec::new(), labels: Vec::new(), rows: test.rows, cols: test.cols };
        Ok(Data { split: Split { train, test } })
    }

    #[wasm_bindgen(js_name = trainLen)]
    pub fn train_len(&self) -> usize {
        self.split.train.len()
    }

    #[wasm_bindgen(js_name = testLen)]
    pub fn test_len(&self) -> usize {
        self.split.test.len()
    }

    /// The first `n` test images, row-major, intensities in [0, 1].
    #[wasm_bindgen(js_name = testImages)]
    pub fn test_images(&self, n: usize) -> Vec<f32> {
        let t = &self.split.test;
        t.subset(n).pixels()
    }

    #[wasm_bindgen(js_name = testLabels)]
    pub fn test_labels(&self, n: usize) -> Vec<u8> {
        let t = &self.split.test;
        t.labels[..n.min(t.len())].to_vec()
    }
}
