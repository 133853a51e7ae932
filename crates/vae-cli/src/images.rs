//! Image grids as 8-bit greyscale PNGs.
use std::path::Path;

/// Gap between tiles, in pixels.
pub const GAP: usize = 1;
/// Grey level of the gaps: neither ink (white) nor background (black).
const GAP_LEVEL: u8 = 128;

/// Height and width of a square image of `dim` pixels (all the data sets here are 28x28).
pub fn square(dim: usize) -> Result<(usize, usize), String> {
    let side = (dim as f64).sqrt().round() as usize;
    if side * side != dim {
        return Err(format!("cannot draw images of {dim} pixels: not a square"));
    }
    Ok((side, side))
}

/// A greyscale raster.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// Lays out the images in `tiles` (each `h * w` values in [0, 1], row-major, one after
/// another) `per_row` to a row with a `GAP`-pixel grey line between neighbours.
pub fn grid(tiles: &[f32], (h, w): (usize, usize), per_row: usize) -> Raster {
    let n = tiles.len() / (h * w);
    let cols = per_row.min(n).max(1);
    let rows = n.div_ceil(cols).max(1);
    let width = cols * w + (cols - 1) * GAP;
    let height = rows * h + (rows - 1) * GAP;
    let mut pixels = vec![GAP_LEVEL; width * height];
    for t in 0..rows * cols {
        let (r, c) = (t / cols, t % cols);
        let tile = tiles.get(t * h * w..(t + 1) * h * w);
        for y in 0..h {
            let row = (r * (h + GAP) + y) * width + c * (w + GAP);
            for x in 0..w {
                let v = tile.map_or(0.0, |p| p[y * w + x]);
                pixels[row + x] = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
    }
    Raster { width, height, pixels }
}

impl Raster {
    pub fn write_png(&self, path: &Path) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| format!("writing {}: {e}", path.display());
        let file = std::fs::File::create(path).map_err(|e| err(&e))?;
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), self.width as u32, self.height as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| err(&e))?;
        writer.write_image_data(&self.pixels).map_err(|e| err(&e))?;
        writer.finish().map_err(|e| err(&e))
    }
}

/// An 8-bit PNG (greyscale, or colour read by its red channel, as a canvas's grey pixels
/// are) as intensities v / 255, row-major: the page's "the image measured (PNG)".
pub fn read_png(path: &Path) -> Result<Vec<f32>, String> {
    let err = |e: &dyn std::fmt::Display| format!("reading {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| err(&e))?;
    let mut dec = png::Decoder::new(std::io::BufReader::new(file));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| err(&e))?;
    let size = reader.output_buffer_size().ok_or_else(|| err(&"the image is too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(|e| err(&e))?;
    let channels = info.color_type.samples();
    let n = info.width as usize * info.height as usize;
    Ok(buf[..n * channels].chunks_exact(channels).map(|p| f32::from(p[0]) / 255.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_size_and_gaps() {
        let tiles = vec![1.0f32; 3 * 4];
        let r = grid(&tiles, (2, 2), 2);
        assert_eq!((r.width, r.height), (5, 5));
        assert_eq!(r.pixels[2], GAP_LEVEL);
        assert_eq!(r.pixels[0], 255);
        // The fourth cell has no image: background.
        assert_eq!(r.pixels[3 * 5 + 3], 0);
    }

    #[test]
    fn png_round_trip() {
        let path = std::env::temp_dir().join(format!("vae-images-{}.png", std::process::id()));
        let r = Raster { width: 2, height: 1, pixels: vec![0, 255] };
        r.write_png(&path).unwrap();
        assert_eq!(read_png(&path), Ok(vec![0.0, 1.0]));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn square_sides() {
        assert_eq!(square(784), Ok((28, 28)));
        assert!(square(785).is_err());
    }
}
