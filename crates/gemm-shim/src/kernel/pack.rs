//! Packing: copies of A and B blocks laid out in the order the micro-kernel reads them, so
//! its loads are sequential whatever the operands' strides (dfdx's backward passes hands in
//! transposed views; the gemm API allows any sign). BLIS packs for the same reason, and to
//! keep the panels resident in L1/L2 (see `mod.rs`).

/// Packs the `mc x kc` block of A whose element (i, p) is at `a + i·rs + p·cs` into row
/// panels of `MR`: the panel starting at row `q` sits at `out + q·kc` and holds `kc` groups
/// of `h = min(MR, mc − q)` values (row `q + i` of depth `p` at `p·h + i`). The last panel is
/// not padded: the driver runs an `h`-row micro-kernel on it.
///
/// # Safety
/// Every element (i < mc, p < kc) must be readable at its offset, and `out` writable for
/// `mc·kc` floats.
pub unsafe fn pack_a<const MR: usize>(a: *const f32, rs: isize, cs: isize, mc: usize, kc: usize, out: *mut f32) {
    let mut q = 0;
    while q < mc {
        let h = MR.min(mc - q);
        let src = a.offset(q as isize * rs);
        let dst = out.add(q * kc);
        if h == MR {
            // Constant trip count: the row loop unrolls into MR loads and stores per depth.
            for p in 0..kc {
                let s = src.offset(p as isize * cs);
                for i in 0..MR {
                    *dst.add(p * MR + i) = *s.offset(i as isize * rs);
                }
            }
        } else {
            for p in 0..kc {
                let s = src.offset(p as isize * cs);
                for i in 0..h {
                    *dst.add(p * h + i) = *s.offset(i as isize * rs);
                }
            }
        }
        q += MR;
    }
}

/// Packs the `kc x nc` block of B whose element (p, j) is at `b + p·rs + j·cs` into column
/// panels of `NR = 4·NV`: the panel starting at column `j` sits at `out + j·kc`
/// and holds `kc` groups of `w` values, `w` = the panel's columns rounded up to whole
/// vectors, zeros past `nc` (so the micro-kernel's last vector multiplies zeros, and those
/// lanes are never stored).
///
/// # Safety
/// Every element (p < kc, j < nc) must be readable at its offset, and `out` writable for
/// `kc · round_up(nc, 4)` floats.
pub unsafe fn pack_b<const NV: usize>(b: *const f32, rs: isize, cs: isize, kc: usize, nc: usize, out: *mut f32) {
    let nr = 4 * NV;
    let mut j = 0;
    while j < nc {
        let cols = nr.min(nc - j);
        let w = nr.min(cols.next_multiple_of(4));
        let src = b.offset(j as isize * cs);
        let dst = out.add(j * kc);
        if cols == nr && cs == 1 {
            // Rows of B contiguous (dfdx's forward weights): nr-float copies.
            for p in 0..kc {
                core::ptr::copy_nonoverlapping(src.offset(p as isize * rs), dst.add(p * nr), nr);
            }
        } else if cols == nr {
            for p in 0..kc {
                let s = src.offset(p as isize * rs);
                for c in 0..nr {
                    *dst.add(p * nr + c) = *s.offset(c as isize * cs);
                }
            }
        } else {
            for p in 0..kc {
                let s = src.offset(p as isize * rs);
                for c in 0..w {
                    *dst.add(p * w + c) = if c < cols { *s.offset(c as isize * cs) } else { 0.0 };
                }
            }
        }
        j += nr;
    }
}
