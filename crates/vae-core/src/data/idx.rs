//! Parser for the IDX format that MNIST and Fashion-MNIST ship in.
//!
//! An IDX file is a 4-byte magic (`00 00 <dtype> <ndims>`), then `ndims`
//! big-endian `u32` dimensions, then the elements, row-major. We only need
//! unsigned bytes (dtype `0x08`): 3-d for images, 1-d for labels.
//!
//! The input is untrusted (a user can point the CLI or the browser at any
//! file), so the parser never panics and never allocates from a size it read
//! in the header: the claimed size is computed with checked arithmetic and
//! compared with the real input length first, so the largest allocation is
//! bounded by the input we were handed.

use thiserror::Error;

/// Element type code for unsigned bytes, the only one MNIST uses.
pub const DTYPE_U8: u8 = 0x08;
/// Magic of an image file: u8 elements, 3 dimensions (count, rows, cols).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic of a label file: u8 elements, 1 dimension (count).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Largest image side we accept. MNIST is 28; anything beyond this is a
/// corrupt or wrong file rather than a data set we could train on.
pub const MAX_SIDE: usize = 1024;
/// The first two bytes of any gzip stream.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

const OVERFLOW: &str = "total size overflows the address space";

/// Why an IDX file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdxError {
    #[error("input is gzip-compressed, decompress first (it starts with the gzip magic 1f 8b)")]
    Gzip,
    #[error("wrong magic number: expected {expected:#010x}, found {found:#010x} (not an IDX file)")]
    WrongMagic { expected: u32, found: u32 },
    #[error("unsupported IDX element type {found:#04x}: only unsigned bytes ({DTYPE_U8:#04x}) are supported")]
    UnsupportedDtype { found: u8 },
    #[error("unsupported IDX dimension count {found}: expected {expected} ({hint})")]
    UnsupportedNdims { expected: u8, found: u8, hint: &'static str },
    #[error("truncated IDX header: need {expected} bytes, input has {actual}")]
    TruncatedHeader { expected: usize, actual: usize },
    #[error("truncated IDX data: header claims {expected} bytes in total, input has {actual}")]
    TruncatedData { expected: usize, actual: usize },
    #[error("extra bytes after IDX data: header claims {expected} bytes in total, input has {actual}")]
    ExtraData { expected: usize, actual: usize },
    #[error("absurd IDX dimensions {dims:?}: {reason}")]
    AbsurdDimensions { dims: Vec<u64>, reason: &'static str },
}

/// Images as stored in the file: `count` images of `rows * cols` bytes each,
/// row-major, 0 = background, 255 = ink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// True when `bytes` starts with the gzip magic `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// Parses a 3-d u8 IDX file (e.g. `train-images-idx3-ubyte`).
pub fn parse_images(bytes: &[u8]) -> Result<IdxImages, IdxError> {
    let (count, rows, cols, start) = parse_images_view(bytes)?;
    Ok(IdxImages { count, rows, cols, pixels: bytes[start..].to_vec() })
}

/// As `parse_images`, reusing `bytes`' allocation for the pixels (the header is cut off in
/// place): a browser worker then holds MNIST's 47 MB once, not twice.
pub fn parse_images_owned(mut bytes: Vec<u8>) -> Result<IdxImages, IdxError> {
    let (count, rows, cols, start) = parse_images_view(&bytes)?;
    bytes.drain(..start);
    Ok(IdxImages { count, rows, cols, pixels: bytes })
}

/// The dimensions and the body's offset of an image file, every size checked.
fn parse_images_view(bytes: &[u8]) -> Result<(usize, usize, usize, usize), IdxError> {
    let hint = "images are count x rows x cols; is this a label file?";
    let dims = parse_header(bytes, IMAGES_MAGIC, hint)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    let absurd = |reason| IdxError::AbsurdDimensions { dims: to_u64(&dims), reason };
    if !(1..=MAX_SIDE).contains(&rows) || !(1..=MAX_SIDE).contains(&cols) {
        return Err(absurd("rows and cols must each be in 1..=1024"));
    }
    let body = count.checked_mul(rows * cols).ok_or_else(|| absurd(OVERFLOW))?;
    let pixels = checked_body(bytes, &dims, body)?;
    Ok((count, rows, cols, bytes.len() - pixels.len()))
}

/// Parses a 1-d u8 IDX file (e.g. `train-labels-idx1-ubyte`). Values are not
/// range-checked here; the data set layer checks that they are digits.
pub fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let hint = "labels are a 1-d list; is this an image file?";
    let dims = parse_header(bytes, LABELS_MAGIC, hint)?;
    Ok(checked_body(bytes, &dims, dims[0])?.to_vec())
}

/// Checks the input against the `expected` magic and returns its dimensions.
/// Each is a `u32`, so it fits a `usize` on 32- and 64-bit targets alike.
fn parse_header(bytes: &[u8], expected: u32, hint: &'static str) -> Result<Vec<usize>, IdxError> {
    let [.., ndims] = expected.to_be_bytes();
    if is_gzip(bytes) {
        return Err(IdxError::Gzip);
    }
    let Some(magic) = read_u32(bytes, 0) else {
        return Err(IdxError::TruncatedHeader { expected: header_len(ndims), actual: bytes.len() });
    };
    // A real IDX magic starts with two zero bytes; anything else is another format.
    if magic >> 16 != 0 {
        return Err(IdxError::WrongMagic { expected, found: magic });
    }
    let [_, _, dtype, found] = magic.to_be_bytes();
    if dtype != DTYPE_U8 {
        return Err(IdxError::UnsupportedDtype { found: dtype });
    }
    if found != ndims {
        return Err(IdxError::UnsupportedNdims { expected: ndims, found, hint });
    }
    (0..usize::from(ndims))
        .map(|i| read_u32(bytes, 4 + 4 * i).map(|d| d as usize))
        .collect::<Option<Vec<_>>>()
        .ok_or(IdxError::TruncatedHeader { expected: header_len(ndims), actual: bytes.len() })
}

/// Returns the `body` bytes after the header once the input length equals
/// header + body exactly. Nothing is allocated before this check passes.
fn checked_body<'a>(bytes: &'a [u8], dims: &[usize], body: usize) -> Result<&'a [u8], IdxError> {
    let header = 4 + 4 * dims.len();
    let expected =
        header.checked_add(body).ok_or_else(|| IdxError::AbsurdDimensions { dims: to_u64(dims), reason: OVERFLOW })?;
    let actual = bytes.len();
    match actual.cmp(&expected) {
        std::cmp::Ordering::Less => Err(IdxError::TruncatedData { expected, actual }),
        std::cmp::Ordering::Greater => Err(IdxError::ExtraData { expected, actual }),
        std::cmp::Ordering::Equal => Ok(&bytes[header..]),
    }
}

fn to_u64(dims: &[usize]) -> Vec<u64> {
    dims.iter().map(|&d| d as u64).collect()
}

fn header_len(ndims: u8) -> usize {
    4 + 4 * usize::from(ndims)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}
