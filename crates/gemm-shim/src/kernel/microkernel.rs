//! The register-blocked micro-kernel: one `MR x 4·NV` tile of dst from packed panels.
//!
//! BLIS's design (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
//! Functionality", 2015; Low et al., "Analytical Modeling Is Enough for High-Performance
//! BLIS", 2016): the tile's `MR·NV` accumulators live in registers for the whole depth `kc`;
//! each step of the depth loads one row of the packed B panel (`NV` vectors), broadcasts
//! each of the `MR` packed A values and does `MR·NV` independent multiply-adds. See
//! `mod.rs` for why the production tile is 5 x 8.
use super::vector::F32x4;

/// How a finished tile is written: `dst = alpha·dst + beta·acc` when `read`, else
/// `dst = beta·acc` (dst is then never read, as in the gemm crate: it may hold NaN).
#[derive(Clone, Copy, Debug)]
pub struct Store {
    pub alpha: f32,
    pub beta: f32,
    pub read: bool,
}

/// Computes one tile and writes it to dst.
///
/// - `a`: packed A micro-panel, `kc` groups of `MR` floats (row `i` of depth `p` at `p·MR + i`).
/// - `b`: B micro-panel, `kc` rows of `4·NV` floats, row `p` at `b + p·b_step`: packed
///   (`b_step = 4·NV`, zero-padded past the matrix) or, for a single row panel, B itself.
/// - `dst`: element (0, 0) of the tile; element (i, j) is at `dst + i·rs + j·cs`.
/// - `cols`: how many of the tile's `4·NV` columns exist in dst (`1..=4·NV`); all `MR`
///   rows exist (the caller picks `MR` for the last row panel).
///
/// # Safety
/// `a` must be readable for `kc·MR` floats and each of the `kc` rows of `b` for `4·NV`; every dst element
/// (i < MR, j < cols) must be valid for reads and writes and not alias `a` or `b`.
#[inline(never)]
#[allow(clippy::too_many_arguments)] // the tile's operands and strides, as gemm's own kernels take them
pub unsafe fn tile<V: F32x4, const MR: usize, const NV: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_step: isize,
    dst: *mut f32,
    rs: isize,
    cs: isize,
    cols: usize,
    store: Store,
) {
    let acc = accumulate::<V, MR, NV>(kc, a, b, b_step);
    write::<V, MR, NV>(&acc, dst, rs, cs, cols, store);
}

/// The depth loop: `MR·NV` accumulators, one broadcast per A value, `NV` loads per B row.
/// One depth step per iteration, on purpose: unrolled, LLVM's wasm backend (which has no
/// register model) hoists the next step's loads above this step's multiply-adds, and V8
/// then spills accumulators. Each A value is broadcast right before its own multiply-adds,
/// so at most 10 accumulators + 2 B vectors + 1 A value (+ 1 product) are live.
#[inline(always)]
unsafe fn accumulate<V: F32x4, const MR: usize, const NV: usize>(
    kc: usize,
    mut a: *const f32,
    mut b: *const f32,
    b_step: isize,
) -> [[V; NV]; MR] {
    let mut acc = [[V::zero(); NV]; MR];
    #[inline(always)]
    unsafe fn step<V: F32x4, const MR: usize, const NV: usize>(acc: &mut [[V; NV]; MR], a: *const f32, b: *const f32) {
        let bv: [V; NV] = core::array::from_fn(|j| V::load(b.add(4 * j)));
        for (i, row) in acc.iter_mut().enumerate() {
            let av = V::load_splat(a.add(i));
            for (c, bj) in row.iter_mut().zip(bv.iter()) {
                *c = V::madd(av, *bj, *c);
            }
        }
    }
    for _ in 0..kc {
        step::<V, MR, NV>(&mut acc, a, b);
        a = a.add(MR);
        b = b.offset(b_step);
    }
    acc
}

/// Writes the accumulators: whole vectors when the tile is full and dst rows are
/// contiguous (the common case), element by element through a small buffer otherwise.
/// `alpha·dst + beta·acc` is a multiply and an add, never fused, so alpha = beta = 1
/// (dfdx's accumulate) is exactly `dst + acc`.
#[inline(always)]
unsafe fn write<V: F32x4, const MR: usize, const NV: usize>(
    acc: &[[V; NV]; MR],
    dst: *mut f32,
    rs: isize,
    cs: isize,
    cols: usize,
    s: Store,
) {
    if cs == 1 && cols == 4 * NV {
        let beta = V::splat(s.beta);
        let alpha = V::splat(s.alpha);
        for (i, row) in acc.iter().enumerate() {
            let d = dst.offset(i as isize * rs);
            for (j, v) in row.iter().enumerate() {
                let p = d.add(4 * j);
                let out = if s.read { V::load(p).mul(alpha).add(v.mul(beta)) } else { v.mul(beta) };
                out.store(p);
            }
        }
    } else {
        for (i, row) in acc.iter().enumerate() {
            let d = dst.offset(i as isize * rs);
            for (j, v) in row.iter().enumerate() {
                for (l, x) in v.to_array().into_iter().enumerate() {
                    let c = 4 * j + l;
                    if c >= cols {
                        break;
                    }
                    let p = d.offset(c as isize * cs);
                    *p = if s.read { s.alpha * *p + s.beta * x } else { s.beta * x };
                }
            }
        }
    }
}
