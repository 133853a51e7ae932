//! `--data DIR` (or `--dataset path:DIR`): any idx pair (images `idx3` + labels `idx1`, raw or .gz, any names), such
//! as the page's export of a personal set. The four standard MNIST files are read as the
//! usual train/test split; a single pair has a share held out for the test ELBO, chosen as
//! the page chooses it (www/src/pure/import/own-split.ts): every k-th image, at least one,
//! and at least one left to train on.
use std::path::Path;
use vae_core::data::dataset::FILES;
use vae_core::data::{from_idx_bytes, load_dir, Dataset, DatasetKind, Split};

/// The share held out of a single pair (the page's default).
pub const HOLDOUT: f64 = 0.1;

/// Images held out of n at `share`: at least 1, at most n - 1 (n >= 2).
pub fn held_out(n: usize, share: f64) -> usize {
    ((n as f64 * share).round() as usize).clamp(1, n - 1)
}

/// Whether `dir` holds the four MNIST files (raw or .gz): then it is read as MNIST's split.
pub fn is_standard(dir: &Path) -> bool {
    FILES.iter().all(|f| dir.join(f).is_file() || dir.join(format!("{f}.gz")).is_file())
}

pub fn load_pair_dir(dir: &Path) -> Result<Split, String> {
    if is_standard(dir) {
        return load_dir(dir, DatasetKind::Mnist).map_err(|e| e.to_string());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if !path.is_file() || name.starts_with('.') {
            continue;
        }
        if name.contains("idx3") || name.contains("images") {
            images.push(path);
        } else if name.contains("idx1") || name.contains("labels") {
            labels.push(path);
        }
    }
    let (img, lbl) = match (images.as_slice(), labels.as_slice()) {
        ([i], [l]) => (i, l),
        _ => {
            return Err(format!(
                "{}: expected one idx image file (name with idx3 or images) and one label file (idx1 or labels), \
                 raw or .gz, or the four MNIST files; found {} image and {} label files",
                dir.display(),
                images.len(),
                labels.len()
            ))
        }
    };
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let all = from_idx_bytes(&read(img)?, &read(lbl)?).map_err(|e| format!("{}: {e}", dir.display()))?;
    if all.len() < 2 {
        return Err(format!(
            "{}: {} image(s): at least 2 are needed (one is held out for the test ELBO)",
            dir.display(),
            all.len()
        ));
    }
    Ok(split_every_kth(&all, held_out(all.len(), HOLDOUT)))
}

/// Image i is held out when floor((i + 1) t / n) passes the number held out so far.
fn split_every_kth(all: &Dataset, t: usize) -> Split {
    let n = all.len();
    let empty = || Dataset { images: Vec::new(), labels: Vec::new(), rows: all.rows, cols: all.cols };
    let (mut train, mut test) = (empty(), empty());
    for i in 0..n {
        let to = if test.len() < t && (i + 1) * t / n > test.len() { &mut test } else { &mut train };
        to.images.extend_from_slice(all.image(i));
        to.labels.push(all.labels[i]);
    }
    Split { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_out_every_tenth_as_the_page_does() {
        let all = Dataset { images: (0..200u32).map(|i| i as u8).collect(), labels: vec![0; 200], rows: 1, cols: 1 };
        let s = split_every_kth(&all, held_out(200, HOLDOUT));
        assert_eq!(s.test.images, (0..20).map(|i| (10 * i + 9) as u8).collect::<Vec<_>>());
        assert_eq!(s.train.len(), 180);
        assert_eq!(held_out(12, HOLDOUT), 1);
        assert_eq!(held_out(2, 0.5), 1);
    }
}
