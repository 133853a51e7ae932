//! Data layer: IDX parsing of hostile input, data set assembly, binarization,
//! and (when `npm run fetch-data` has been run) the real MNIST / Fashion-MNIST.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{write::GzEncoder, Compression};
use proptest::prelude::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha8Rng};
use vae_core::data::dataset::MAX_DECOMPRESSED;
use vae_core::data::*;

/// Records the largest single allocation made by the current thread, so the
/// tests can prove that a huge claimed size is never allocated.
struct Tracking;
thread_local!(static LARGEST: Cell<usize> = const { Cell::new(0) });
fn note(size: usize) {
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
}
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note(l.size());
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note(l.size());
        System.alloc_zeroed(l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        note(new);
        System.realloc(p, l, new)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
}
#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Largest allocation `f` makes on this thread.
fn largest_alloc<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|c| c.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

fn images_file(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 8, 3];
    for d in [count, rows, cols] {
        v.extend(d.to_be_bytes());
    }
    v.extend(pixels);
    v
}

fn labels_file(labels: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 8, 1];
    v.extend((labels.len() as u32).to_be_bytes());
    v.extend(labels);
    v
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Three 2x2 images with labels 7 0 9.
fn tiny() -> (Vec<u8>, Vec<u8>) {
    let px: Vec<u8> = (0..12).map(|i| i * 20).collect();
    (images_file(3, 2, 2, &px), labels_file(&[7, 0, 9]))
}

#[test]
fn parses_valid_files() {
    let (img, lbl) = tiny();
    let parsed = parse_images(&img).unwrap();
    assert_eq!((parsed.count, parsed.rows, parsed.cols), (3, 2, 2));
    assert_eq!(parsed.pixels[11], 220);
    assert_eq!(parse_labels(&lbl).unwrap(), vec![7, 0, 9]);
}

/// Asserts that `r` failed with an error whose `Debug` form starts with `want`
/// (the variant and its leading fields) and returns the error.
fn expect_err<T: std::fmt::Debug, E: std::fmt::Debug>(r: Result<T, E>, want: &str) -> E {
    let e = r.unwrap_err();
    let got = format!("{e:?}");
    assert!(got.starts_with(want), "got {got}, want {want}");
    e
}

#[test]
fn header_errors() {
    let (img, lbl) = tiny();
    let mut bad = img.clone();
    bad[0] = 0x12;
    let e = expect_err(parse_images(&bad), "WrongMagic { expected: 2051, found: 301991939 }");
    assert!(e.to_string().contains("expected 0x00000803, found 0x12000803"), "{e}");

    for f in [&img[..], &lbl[..]] {
        let e = expect_err(parse_images(&gz(f)), "Gzip");
        assert!(e.to_string().contains("gzip-compressed, decompress first"));
        expect_err(parse_labels(&gz(f)), "Gzip");
    }

    let th = "TruncatedHeader { expected";
    expect_err(parse_images(&img[..3]), &format!("{th}: 16, actual: 3 }}"));
    expect_err(parse_images(&img[..10]), &format!("{th}: 16, actual: 10 }}"));
    expect_err(parse_labels(&[]), &format!("{th}: 8, actual: 0 }}"));

    let mut float = img.clone();
    float[2] = 0x0d;
    expect_err(parse_images(&float), "UnsupportedDtype { found: 13 }");

    // Label file given as images and vice versa: right magic family, wrong rank.
    let e = expect_err(parse_images(&lbl), "UnsupportedNdims { expected: 3, found: 1");
    assert!(e.to_string().contains("is this a label file?"), "{e}");
    expect_err(parse_labels(&img), "UnsupportedNdims { expected: 1, found: 3");
}

#[test]
fn body_size_errors() {
    let (img, lbl) = tiny();
    let e = expect_err(parse_images(&img[..img.len() - 1]), "TruncatedData { expected: 28, actual: 27 }");
    assert!(e.to_string().contains("claims 28 bytes in total, input has 27"), "{e}");
    let long = [&img[..], &[0]].concat();
    expect_err(parse_images(&long), "ExtraData { expected: 28, actual: 29 }");
    expect_err(parse_labels(&lbl[..9]), "TruncatedData { expected: 11, actual: 9 }");
    let long = [&lbl[..], &[1, 2]].concat();
    expect_err(parse_labels(&long), "ExtraData { expected: 11, actual: 13 }");
}

#[test]
fn absurd_dimensions() {
    for (rows, cols) in [(0, 28), (28, 0), (5000, 28), (28, u32::MAX)] {
        expect_err(parse_images(&images_file(1, rows, cols, &[])), "AbsurdDimensions");
    }
}

#[test]
fn huge_claimed_counts_error_without_allocating() {
    let file = images_file(u32::MAX, 1024, 1024, &[1; 64]);
    let (r, largest) = largest_alloc(|| parse_images(&file));
    // On 64-bit the claimed size fits usize and mismatches the input; on
    // 32-bit (wasm) it overflows. Either way: an error, and no big allocation.
    let e = r.unwrap_err();
    let ok = matches!(e, IdxError::TruncatedData { .. } | IdxError::AbsurdDimensions { .. });
    assert!(ok, "{e:?}");
    assert!(largest < 4096, "allocated {largest} bytes");

    let mut lbl = labels_file(&[1, 2, 3]);
    lbl[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    let (r, largest) = largest_alloc(|| parse_labels(&lbl));
    expect_err(r, "TruncatedData { expected: 4294967303, actual: 11 }");
    assert!(largest < 4096, "allocated {largest} bytes");
}

#[test]
fn dataset_from_bytes_raw_and_gzip() {
    let (img, lbl) = tiny();
    let ds = from_idx_bytes(&img, &lbl).unwrap();
    assert_eq!((ds.len(), ds.dim(), ds.rows, ds.cols), (3, 4, 2, 2));
    assert_eq!(ds.image(1), &[80, 100, 120, 140]);
    let want = [80.0, 100.0, 120.0, 140.0].map(|p: f32| p / 255.0);
    assert_eq!(&ds.pixels()[4..8], &want);
    assert_eq!(from_idx_bytes(&gz(&img), &gz(&lbl)).unwrap(), ds);
    let sub = ds.subset(2);
    assert_eq!((sub.len(), sub.images.len()), (2, 8));
    assert_eq!((sub.labels.as_slice(), sub.image(1)), (&[7, 0][..], ds.image(1)));
    assert_eq!(ds.subset(99), ds);
}

#[test]
fn dataset_errors() {
    let (img, lbl) = tiny();
    let e = expect_err(from_idx_bytes(&img, &labels_file(&[1, 2])), "CountMismatch");
    assert_eq!(e.to_string(), "3 images but 2 labels");
    let e = from_idx_bytes(&img, &labels_file(&[1, 10, 2]));
    expect_err(e, "BadLabel { index: 1, label: 10 }");
    let e = expect_err(from_idx_bytes(&img[..20], &lbl), "Idx { file: \"images\"");
    assert!(e.to_string().starts_with("images: truncated IDX data"), "{e}");

    let broken = gz(&img);
    expect_err(from_idx_bytes(&broken[..broken.len() / 2], &lbl), "Gunzip");

    // A gzip bomb: 64 MiB + 1 of zeros compresses to ~64 KiB.
    let bomb = gz(&vec![0; MAX_DECOMPRESSED + 1]);
    expect_err(from_idx_bytes(&bomb, &labels_file(&[])), "TooLarge");

    let other = images_file(1, 3, 3, &[0; 9]);
    let e = from_idx_split(&img, &lbl, &other, &labels_file(&[4]));
    expect_err(e, "ShapeMismatch { train_rows: 2, train_cols: 2, test_rows: 3");
    let e = expect_err(from_idx_split(&img, &lbl, &img[..5], &lbl), "Idx");
    assert!(e.to_string().starts_with("t10k-images-idx3-ubyte: "), "{e}");
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vae-data-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn load_dir_reads_raw_or_gz_and_explains_missing_files() {
    let dir = scratch_dir("load");
    let e = expect_err(load_dir(&dir, DatasetKind::Mnist), "Missing { kind: \"mnist\"");
    assert!(e.to_string().contains("train-images-idx3-ubyte not found"), "{e}");
    assert!(e.to_string().contains("npm run fetch-data"), "{e}");

    let (img, lbl) = tiny();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("train-images-idx3-ubyte", &img);
    write("train-labels-idx1-ubyte.gz", &gz(&lbl));
    write("t10k-images-idx3-ubyte.gz", &gz(&img));
    let e = load_dir(&dir, DatasetKind::FashionMnist).unwrap_err();
    assert!(e.to_string().contains("t10k-labels-idx1-ubyte"), "{e}");
    write("t10k-labels-idx1-ubyte", &lbl);
    let split = load_dir(&dir, DatasetKind::Mnist).unwrap();
    assert_eq!(split.train, split.test);
    assert_eq!(split.train.labels, vec![7, 0, 9]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kinds_and_binarization_names() {
    assert_eq!("mnist".parse(), Ok(DatasetKind::Mnist));
    assert_eq!("fashion".parse(), Ok(DatasetKind::FashionMnist));
    assert_eq!("Fashion-MNIST".parse(), Ok(DatasetKind::FashionMnist));
    assert!("cifar".parse::<DatasetKind>().is_err());
    let dirs = [DatasetKind::Mnist, DatasetKind::FashionMnist].map(DatasetKind::default_dir);
    assert_eq!(dirs, ["data/mnist", "data/fashion-mnist"]);
    use Binarization::*;
    for b in [Dynamic, Fixed, Greyscale] {
        assert_eq!(b.to_string().parse(), Ok(b));
        assert_eq!(serde_json::to_string(&b).unwrap(), format!("\"{b}\""));
    }
    assert_eq!("grayscale".parse(), Ok(Binarization::Greyscale));
    assert!("otsu".parse::<Binarization>().is_err());
}

#[test]
fn binarization() {
    // A ramp of greyscale values, mean 0.5 over many pixels.
    let pixels: Vec<f32> = (0..100_000).map(|i| (i % 101) as f32 / 100.0).collect();
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    binarize_dynamic(&pixels, &mut rng, &mut a);
    binarize_dynamic(&pixels, &mut rng, &mut b);
    assert_ne!(a, b, "two dynamic draws must differ");
    for draw in [&a, &b] {
        assert!(draw.iter().all(|&x| x == 0.0 || x == 1.0));
        let (m, want) = (mean(draw), mean(&pixels));
        assert!((m - want).abs() < 0.01, "{m} vs {want}");
    }
    // Pixels of exactly 0 and 1 are deterministic.
    for (&p, &x) in pixels.iter().zip(&a).filter(|(&p, _)| p == 0.0 || p == 1.0) {
        assert_eq!(p, x);
    }

    let f = binarize_fixed(&pixels, 42);
    assert_eq!(f, binarize_fixed(&pixels, 42), "fixed must be reproducible");
    assert_ne!(f, binarize_fixed(&pixels, 43));
    assert!((mean(&f) - mean(&pixels)).abs() < 0.01);

    // Bytes binarize with the same draws as their intensities.
    let bytes: Vec<u8> = (0..10_000).map(|i| (i % 256) as u8).collect();
    let as_f32: Vec<f32> = bytes.iter().map(|&b| intensity(b)).collect();
    let fb: Vec<f32> = binarize_fixed_bytes(&bytes, 42).iter().map(|&b| intensity(b)).collect();
    assert_eq!(fb, binarize_fixed(&as_f32, 42));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        prefix in prop::sample::select(vec![vec![], vec![0, 0, 8, 3], vec![0, 0, 8, 1], vec![0x1f, 0x8b]]),
        rest in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = [prefix, rest].concat();
        // Parsing in place gives the same answer (or the same error) as parsing a copy.
        prop_assert_eq!(format!("{:?}", parse_images(&bytes)), format!("{:?}", parse_images_owned(bytes.clone())));
        let _ = parse_images(&bytes);
        let _ = parse_labels(&bytes);
        let _ = from_idx_bytes(&bytes, &bytes);
    }

    #[test]
    fn never_panics_on_mutated_files(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in 0usize..4,
        gzip in any::<bool>(),
    ) {
        let (mut img, mut lbl) = tiny();
        for (i, v) in &edits {
            *i.get_mut(&mut img) = *v;
            *i.get_mut(&mut lbl) = *v;
        }
        img.truncate(img.len() - cut);
        let (img, lbl) = if gzip { (gz(&img), gz(&lbl)) } else { (img, lbl) };
        let (_, largest) = largest_alloc(|| {
            let _ = parse_images(&img);
            let _ = parse_labels(&lbl);
            let _ = from_idx_bytes(&img, &lbl);
        });
        // Allocation stays proportional to the input, whatever the header says.
        prop_assert!(largest < 64 * 1024, "allocated {largest} bytes");
    }
}

/// `data/<name>` at the repository root, or None (with a note) when absent.
fn real_data(kind: DatasetKind) -> Option<Split> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join(kind.default_dir());
    if !dir.is_dir() {
        common::skip_without_data(&format!("{kind}: {}", dir.display()));
        return None;
    }
    Some(load_dir(&dir, kind).unwrap())
}

fn check_real(split: &Split, first_labels: &[u8], mean: f32) {
    let (train, test) = (&split.train, &split.test);
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    assert_eq!((train.rows, train.cols), (28, 28));
    assert_eq!((test.rows, test.cols), (28, 28));
    assert_eq!(train.images.len(), 60_000 * 784);
    assert_eq!(&train.labels[..first_labels.len()], first_labels);
    let sum: f64 = train.images.iter().map(|&p| f64::from(p) / 255.0).sum();
    let m = (sum / train.images.len() as f64) as f32;
    assert!((m - mean).abs() < 5e-4, "pixel mean {m}, expected {mean}");
    for ds in [train, test] {
        let mut counts = [0usize; 10];
        ds.labels.iter().for_each(|&l| counts[l as usize] += 1);
        let balanced = counts.iter().all(|&c| c > ds.len() / 20);
        assert!(balanced, "unbalanced labels {counts:?}");
    }
}

#[test]
fn real_mnist() {
    if let Some(split) = real_data(DatasetKind::Mnist) {
        check_real(&split, &[5, 0, 4, 1, 9], 0.1307);
    }
}

#[test]
fn real_fashion_mnist() {
    if let Some(split) = real_data(DatasetKind::FashionMnist) {
        check_real(&split, &[9, 0, 0, 3, 0, 2, 7, 2, 5, 5], 0.2860);
    }
}
