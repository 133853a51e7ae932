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
    fn square_sides() {
        assert_eq!(square(784), Ok((28, 28)));
        assert!(square(785).is_err());
    }
}
