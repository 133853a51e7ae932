//! Our f32 matmul for wasm: BLIS-style packing and blocking around a register-blocked
//! micro-kernel (BLIS: Van Zee & van de Geijn 2015; block sizes after Low et al. 2016).
//!
//! The loops, outermost first (BLIS's five loops; the k-block is packed once per block):
//!
//! ```text
//! for jc in 0..n step NC        B block kc x nc (packed, L2/L3)
//!   for pc in 0..k step KC
//!     pack B[pc.., jc..]
//!     for ic in 0..m step MC    A block mc x kc (packed, L2)
//!       pack A[ic.., pc..]
//!       for jr in 0..nc step NR     B micro-panel kc x NR stays in L1 ...
//!         for ir in 0..mc step MR   ... while the A micro-panels stream past it
//!           micro-kernel: MR x NR tile of dst
//! ```
//!
//! Tile 6 x 8 (`MR = 6` rows, `NV = 2` vectors of 4 columns): 12 f32x4 accumulators + 2 B
//! vectors + 1 broadcast A value = 15 of the 16 xmm registers V8 has on x86-64 (it keeps
//! one for itself), so nothing spills; 12 independent multiply-adds per depth step cover
//! the FMA latency (4 cycles x 2 pipes on Zen 3 needs 8 in flight) and the add latency of
//! the plain build. Per depth step it loads 2 vectors + 6 broadcasts for 12 multiply-adds,
//! under the 2-3 loads per cycle the core sustains. 8 columns waste little on this model's
//! narrow n = 20 (24 computed, the lowest multiple of 4 above would be exact but halves
//! the accumulators), and the last row panel runs a kernel with exactly the rows left
//! (m = 100 = 16·6 + 4), so m = 1 (inference) does one row, not six. Alternatives measured
//! in Chromium (scripts/kernel-bench.mjs) are in the README's kernel section.
//!
//! Block sizes: KC = 256 keeps a B micro-panel (256·8·4 B = 8 KiB) and an A micro-panel
//! (6 KiB) together well inside the 32 KiB L1; MC = 240 makes the A block 240 KiB, half
//! the 512 KiB L2 (this model's m = 100 is one block); NC = 1024 covers every n here in
//! one B block (BLIS sizes it for L3).
//!
//! Reproducibility: the plain simd128 build rounds each multiply and each add, on every
//! machine the same. The relaxed-simd build's `f32x4.relaxed_madd` may be fused (one
//! rounding) or not (two), as the engine and CPU choose: results can differ in the last
//! bits between machines (or browsers), but a given machine and build always produce the
//! same bits, so seeded training is reproducible there. The summation order is fixed by the
//! blocking (depth in KC chunks, each chunk added to dst), not by the data.
pub mod microkernel;
pub mod pack;
pub mod vector;

use core::cell::RefCell;
use microkernel::{tile, Store};
use vector::F32x4;

/// Rows per micro-tile.
pub const MR: usize = 6;
/// f32x4 vectors per micro-tile row; the tile is `MR x 4·NV`.
pub const NV: usize = 2;
const NR: usize = 4 * NV;
/// Depth per packed block.
pub const KC: usize = 256;
/// Rows of A per packed block (a multiple of MR).
pub const MC: usize = 240;
/// Columns of B per packed block (a multiple of NR).
pub const NC: usize = 1024;

const _: () = assert!(MC % MR == 0 && NC % NR == 0 && MR <= 8 && NV <= 3);

/// A cache line of floats: the packing buffer is 64-byte aligned so panels start on lines.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

thread_local! {
    // Reused across calls: a training step makes ~15 matmul calls, and a fresh ~1 MiB
    // buffer for each would cost an allocation and page faults every time. wasm here is
    // single-threaded, so this is one buffer per worker.
    static PACK: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
}

/// `dst := alpha·dst + beta·lhs·rhs` (`read_dst`) or `dst := beta·lhs·rhs`, with the gemm
/// crate's meaning of every argument (strides in elements, any sign; `(i, j)` of dst at
/// `dst + i·dst_rs + j·dst_cs`). When `read_dst` is false or alpha is 0, dst is only written.
///
/// # Safety
/// As `gemm::gemm`: every element of the three matrices must be valid at its offset, dst
/// writable, dst not overlapping lhs or rhs, and no two dst elements at the same address.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_f32<V: F32x4>(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_cs: isize,
    dst_rs: isize,
    read_dst: bool,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
    alpha: f32,
    beta: f32,
) {
    if m == 0 || n == 0 {
        return;
    }
    let read = read_dst && alpha != 0.0;
    if k == 0 {
        for i in 0..m {
            for j in 0..n {
                let p = dst.offset(i as isize * dst_rs + j as isize * dst_cs);
                *p = if read { alpha * *p } else { 0.0 };
            }
        }
        return;
    }
    // The tile vectorises along dst's rows; when dst's columns are the contiguous direction,
    // compute dstᵀ = rhsᵀ·lhsᵀ instead (swap the operands and their strides).
    if dst_cs.abs() > dst_rs.abs() {
        return blocked::<V>(
            n, m, k, dst, dst_cs, dst_rs, rhs, rhs_cs, rhs_rs, lhs, lhs_cs, lhs_rs, alpha, beta, read,
        );
    }
    blocked::<V>(m, n, k, dst, dst_rs, dst_cs, lhs, lhs_rs, lhs_cs, rhs, rhs_rs, rhs_cs, alpha, beta, read)
}

/// The blocked loops; strides here are (row, column) order for every matrix.
#[allow(clippy::too_many_arguments)]
unsafe fn blocked<V: F32x4>(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    d_rs: isize,
    d_cs: isize,
    a: *const f32,
    a_rs: isize,
    a_cs: isize,
    b: *const f32,
    b_rs: isize,
    b_cs: isize,
    alpha: f32,
    beta: f32,
    read: bool,
) {
    let kc_max = KC.min(k);
    let a_len = kc_max * MC.min(m.next_multiple_of(MR));
    let b_len = kc_max * NC.min(n.next_multiple_of(4));
    let lines = (a_len.next_multiple_of(16) + b_len.next_multiple_of(16)) / 16;
    let run = |buf: &mut Vec<Line>| {
        if buf.len() < lines {
            buf.resize(lines, Line([0.0; 16]));
        }
        let a_pack = buf.as_mut_ptr() as *mut f32;
        let b_pack = a_pack.add(a_len.next_multiple_of(16));
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack::pack_b::<NR>(b.offset(pc as isize * b_rs + jc as isize * b_cs), b_rs, b_cs, kc, nc, b_pack);
                // The first depth block applies alpha (or overwrites); later ones add to it.
                let store = if pc == 0 { Store { alpha, beta, read } } else { Store { alpha: 1.0, beta, read: true } };
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack::pack_a::<MR>(a.offset(ic as isize * a_rs + pc as isize * a_cs), a_rs, a_cs, mc, kc, a_pack);
                    for jr in (0..nc).step_by(NR) {
                        let cols = NR.min(nc - jr);
                        let bp = b_pack.add(jr * kc);
                        for ir in (0..mc).step_by(MR) {
                            let rows = MR.min(mc - ir);
                            let d = dst.offset((ic + ir) as isize * d_rs + (jc + jr) as isize * d_cs);
                            run_tile::<V>(rows, cols, kc, a_pack.add(ir * kc), bp, d, d_rs, d_cs, store);
                        }
                    }
                }
            }
        }
    };
    // A nested call (none today) would find the buffer borrowed: it gets its own.
    PACK.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => run(&mut buf),
        Err(_) => run(&mut Vec::new()),
    });
}

/// Picks the micro-kernel instance for a tile of `rows x cols` (rows <= MR, cols <= NR):
/// exactly `rows` rows and `ceil(cols / 4)` vectors, so edge tiles compute no padded rows.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn run_tile<V: F32x4>(
    rows: usize,
    cols: usize,
    kc: usize,
    a: *const f32,
    b: *const f32,
    d: *mut f32,
    rs: isize,
    cs: isize,
    store: Store,
) {
    let nv = cols.div_ceil(4);
    macro_rules! arms {
        ($(($r:literal, $v:literal)),*) => {
            match (rows, nv) {
                $( ($r, $v) if $r <= MR && $v <= NV => tile::<V, $r, $v>(kc, a, b, d, rs, cs, cols, store), )*
                _ => unreachable!("tile {rows}x{cols} outside {MR}x{NR}"),
            }
        };
    }
    arms!(
        (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1),
        (1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2), (7, 2), (8, 2),
        (1, 3), (2, 3), (3, 3), (4, 3), (5, 3), (6, 3), (7, 3), (8, 3)
    )
}

/// The vector type of this build: simd128 in wasm, portable lanes elsewhere.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub type Native = vector::Simd;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type Native = vector::Lanes;

/// Whether this build's multiply-add is relaxed SIMD's (possibly fused) one.
pub const RELAXED: bool = cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd"));

/// [`gemm_f32`] with the portable vector type, on every target: what the native tests run.
///
/// # Safety
/// As [`gemm_f32`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_f32_portable(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_cs: isize,
    dst_rs: isize,
    read_dst: bool,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
    alpha: f32,
    beta: f32,
) {
    gemm_f32::<vector::Lanes>(m, n, k, dst, dst_cs, dst_rs, read_dst, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs, alpha, beta)
}
