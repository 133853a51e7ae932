//! The grid of the posterior map: n cells per axis, values at the cells' centres (so a sum
//! times the cell area is the midpoint rule), and where to put it.
//!
//! Where: around q's mass first, since the encoder was trained to put q where the posterior
//! is; but q can miss a mode or be too narrow, so a coarse pass also covers the prior's
//! bulk, and the fine pass then spans every cell within `THRESHOLD` nats of the coarse
//! maximum (and q's box). On a trained model q's sigma is often 0.05 where the prior's
//! is 1: a grid fixed at the prior's +-6 would put the whole posterior in one or two cells.

/// Cells whose log p(x, z) is this far below the maximum carry a fraction of the mass
/// below e^-25 each: the fine grid may leave them out.
pub const THRESHOLD: f64 = 25.0;

/// One axis: `n` cells of equal width on [lo, hi].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
}

impl Axis {
    pub fn width(&self) -> f64 {
        (self.hi - self.lo) / self.n as f64
    }

    /// Centre of cell `i`.
    pub fn centre(&self, i: usize) -> f64 {
        self.lo + (i as f64 + 0.5) * self.width()
    }

    pub fn centres(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.centre(i)).collect()
    }

    /// The coarse pass's axis: q's mu +- `width` sigma, widened to the prior's +-`prior`.
    pub fn coarse(mu: f64, sigma: f64, width: f64, prior: f64, n: usize) -> Axis {
        Axis { lo: (mu - width * sigma).min(-prior), hi: (mu + width * sigma).max(prior), n }
    }

    /// The fine pass's axis inside `self`: cells `first..=last` of it padded by one cell on
    /// each side, joined with [q_lo, q_hi], clipped to `self`.
    pub fn refine(&self, first: usize, last: usize, q_lo: f64, q_hi: f64) -> Axis {
        let h = self.width();
        let lo = (self.lo + (first as f64 - 1.0) * h).min(q_lo).max(self.lo);
        let hi = (self.lo + (last as f64 + 2.0) * h).max(q_hi).min(self.hi);
        Axis { lo, hi, n: self.n }
    }
}

/// The first and last column and row (i along x, j along y) whose value is within
/// `THRESHOLD` of the maximum, for values laid out `v[j * nx + i]`.
pub fn mass_box(v: &[f64], nx: usize) -> ((usize, usize), (usize, usize)) {
    let max = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let (mut i0, mut i1, mut j0, mut j1) = (usize::MAX, 0, usize::MAX, 0);
    for (k, &val) in v.iter().enumerate() {
        if val >= max - THRESHOLD {
            let (i, j) = (k % nx, k / nx);
            (i0, i1, j0, j1) = (i0.min(i), i1.max(i), j0.min(j), j1.max(j));
        }
    }
    if i0 == usize::MAX {
        // No finite value at all: keep the whole grid.
        return ((0, nx - 1), (0, v.len() / nx - 1));
    }
    ((i0, i1), (j0, j1))
}
