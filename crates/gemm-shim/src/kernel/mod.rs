//! Our f32 matmul for wasm: BLIS-style packing and blocking around a register-blocked
//! micro-kernel (BLIS: Van Zee & van de Geijn 2015; block sizes after Low et al. 2016).
//!
//! The loops, outermost first (BLIS's five loops):
//!
//! ```text
//! for jc in 0..n step nc        B block kc x nc (packed; L2/L3)
//!   for pc in 0..k step kc
//!     pack B[pc.., jc..]
//!     for ic in 0..m step mc    A block mc x kc (packed; L2)
//!       pack A[ic.., pc..]
//!       for jr in 0..nc step 8     B micro-panel kc x 8 stays in L1 ...
//!         for ir in 0..mc step 5   ... while the A micro-panels stream past it
//!           micro-kernel: 5 x 8 tile of dst
//! ```
//!
//! Tile 5 x 8 (`MR = 5` rows, `NV = 2` vectors of 4 columns): 10 f32x4 accumulators. Why:
//! - enough independent multiply-adds per depth step: FMA latency 4 x 2 pipes (Zen 3) needs
//!   8 in flight;
//! - few enough registers: V8 allocates 15 xmm registers on x86-64 (it keeps one as scratch).
//!   10 accumulators + 2 B vectors + 1 broadcast A value + 1 product (the plain build's
//!   multiply before its add) = 14. 6 x 8 (12 accumulators) needs 16 in the plain build and
//!   V8 spills: measured 22.6 GFLOP/s vs 35 for 5 x 8 (relaxed: 40.2 vs 39.8, a tie);
//! - per depth step 5 broadcast loads + 2 vector loads feed 10 multiply-adds (4 x 8: 6 for
//!   8), under the 2-3 loads per cycle the core sustains;
//! - it fits this model: m = 100 = 20 x 5 (batch), and the last row panel of other m runs a
//!   kernel with exactly the rows left, so m = 1 (inference) computes one row, not five.
//!   n = 20 runs as 8 + 8 + 4 (the last a one-vector kernel).
//! Measured alternatives (4x8, 6x8, 4x12, 3x12, 8x4; depth blocks 128-unblocked) are in
//! crates/gemm-shim/README.md.
//!
//! The depth loop is not unrolled: LLVM's wasm backend has no register model and hoists the
//! second step's loads above the first step's arithmetic, and V8 then spills (measured).
//! The wasm build needs `-C llvm-args=-disable-lsr` (.cargo/config.toml) for the loads to keep
//! their constant offsets.
//!
//! Block sizes: KC = 512, so k <= 512 (most of this model's products) is one pass and
//! larger k splits evenly (784 = 2 x 392): a B micro-panel (392·8·4 B = 12.5 KiB) and an A
//! micro-panel (7.8 KiB) fit the 32 KiB L1 together. MC = 120 keeps the A block (120·512·4 B
//! = 240 KiB) within half the 512 KiB L2; m = 100 is one block. NC = 1024 covers every n
//! here in one B block (BLIS sizes it for L3). Measured, KC from 128 to unblocked changes
//! the step by < 3%: the shapes are small enough that the caches forgive.
//!
//! Reproducibility: the plain simd128 build rounds each multiply and each add, on every
//! machine the same. The relaxed-simd build's `f32x4.relaxed_madd` may be fused (one
//! rounding) or not (two), as the engine and CPU choose: results can differ in the last
//! bits between machines (or browsers), but a given machine and build always produce the
//! same bits, so seeded training is reproducible there. The summation order is fixed by the
//! shapes (depth in equal blocks, each block's sum added to dst), never by timing or data.
pub mod microkernel;
pub mod pack;
pub mod vector;

use core::cell::RefCell;
use microkernel::{tile, Store};
use vector::F32x4;

/// Rows per micro-tile.
pub const MR: usize = 5;
/// f32x4 vectors per micro-tile row; the tile is `MR x 4·NV`.
pub const NV: usize = 2;

/// Block sizes of the packed operands (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Blocking {
    /// Depth per packed block.
    pub kc: usize,
    /// Rows of A per packed block (a multiple of the tile's rows).
    pub mc: usize,
    /// Columns of B per packed block (a multiple of the tile's columns).
    pub nc: usize,
}

pub const BLOCKING: Blocking = Blocking { kc: 512, mc: 120, nc: 1024 };

/// A cache line of floats: the packing buffer is 64-byte aligned so panels start on lines.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

thread_local! {
    // Reused across calls: a training step makes ~15 matmul calls, and a fresh ~1.5 MiB
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
    gemm_f32_with::<V, MR, NV>(
        BLOCKING, m, n, k, dst, dst_cs, dst_rs, read_dst, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs, alpha, beta,
    )
}

/// [`gemm_f32`] with any tile (`TM x 4·TV`, TM <= 8, TV <= 3) and blocking limits: how the
/// alternatives were measured (scripts/kernel-bench.mjs times the production choice) and
/// tested (tests/matmul.rs, with tiny blocks).
///
/// # Safety
/// As [`gemm_f32`]; `blocking.mc` a multiple of `TM`, `blocking.nc` of `4·TV`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_f32_with<V: F32x4, const TM: usize, const TV: usize>(
    blocking: Blocking,
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
        return blocked::<V, TM, TV>(
            blocking, n, m, k, dst, dst_cs, dst_rs, rhs, rhs_cs, rhs_rs, lhs, lhs_cs, lhs_rs, alpha, beta, read,
        );
    }
    blocked::<V, TM, TV>(
        blocking, m, n, k, dst, dst_rs, dst_cs, lhs, lhs_rs, lhs_cs, rhs, rhs_rs, rhs_cs, alpha, beta, read,
    )
}

/// The blocked loops; strides here are (row, column) order for every matrix.
#[allow(clippy::too_many_arguments)]
unsafe fn blocked<V: F32x4, const TM: usize, const TV: usize>(
    limits: Blocking,
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
    let tn = 4 * TV;
    debug_assert!(limits.mc.is_multiple_of(TM) && limits.nc.is_multiple_of(tn) && TM <= 8 && TV <= 3);
    // Equal blocks rather than full ones and a remainder: k = 784 runs as 4 x 196, not
    // 3 x 256 + 16, whose last pass would pay the per-tile costs for little work.
    let kb = even_split(k, limits.kc, 1);
    let mb = even_split(m, limits.mc, TM);
    let nb = even_split(n, limits.nc, tn);
    let a_len = kb * mb;
    let b_len = kb * nb.next_multiple_of(4);
    let lines = (a_len.next_multiple_of(16) + b_len.next_multiple_of(16)) / 16;
    let run = |buf: &mut Vec<Line>| {
        if buf.len() < lines {
            buf.resize(lines, Line([0.0; 16]));
        }
        let a_pack = buf.as_mut_ptr() as *mut f32;
        let b_pack = a_pack.add(a_len.next_multiple_of(16));
        for jc in (0..n).step_by(nb) {
            let nc = nb.min(n - jc);
            for pc in (0..k).step_by(kb) {
                let kc = kb.min(k - pc);
                let b_block = b.offset(pc as isize * b_rs + jc as isize * b_cs);
                // A single row panel (m <= TM: inference's m = 1) uses each B panel once, so
                // copying B would cost more than it saves: whole panels of a row-major B are
                // read in place, and only the last, partial one is packed (a read past its
                // columns could leave the matrix).
                let direct = m <= TM && b_cs == 1;
                let tail = if direct { nc - nc % tn } else { 0 };
                pack::pack_b::<TV>(b_block.add(tail), b_rs, b_cs, kc, nc - tail, b_pack);
                // The first depth block applies alpha (or overwrites); later ones add to it.
                let store = if pc == 0 { Store { alpha, beta, read } } else { Store { alpha: 1.0, beta, read: true } };
                for ic in (0..m).step_by(mb) {
                    let mc = mb.min(m - ic);
                    pack::pack_a::<TM>(a.offset(ic as isize * a_rs + pc as isize * a_cs), a_rs, a_cs, mc, kc, a_pack);
                    for jr in (0..nc).step_by(tn) {
                        let cols = tn.min(nc - jr);
                        let (bp, b_step) = if jr < tail {
                            (b_block.add(jr), b_rs)
                        } else {
                            (b_pack.add((jr - tail) * kc) as *const f32, cols.next_multiple_of(4).min(tn) as isize)
                        };
                        for ir in (0..mc).step_by(TM) {
                            let rows = TM.min(mc - ir);
                            let d = dst.offset((ic + ir) as isize * d_rs + (jc + jr) as isize * d_cs);
                            run_tile::<V, TM, TV>(
                                rows,
                                cols,
                                kc,
                                a_pack.add(ir * kc),
                                bp,
                                b_step,
                                d,
                                d_rs,
                                d_cs,
                                store,
                            );
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

/// The block size for `total` in blocks of at most `max`: as many blocks as needed, all of
/// about the same size, rounded up to a multiple of `quantum` (a divisor of `max`).
fn even_split(total: usize, max: usize, quantum: usize) -> usize {
    let blocks = total.div_ceil(max).max(1);
    total.div_ceil(blocks).next_multiple_of(quantum).min(max)
}

/// Picks the micro-kernel instance for a tile of `rows x cols` (rows <= TM, cols <= 4·TV):
/// exactly `rows` rows and `ceil(cols / 4)` vectors, so edge tiles compute no padded rows.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn run_tile<V: F32x4, const TM: usize, const TV: usize>(
    rows: usize,
    cols: usize,
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_step: isize,
    d: *mut f32,
    rs: isize,
    cs: isize,
    store: Store,
) {
    let nv = cols.div_ceil(4);
    macro_rules! arms {
        ($(($r:literal, $v:literal)),*) => {
            match (rows, nv) {
                $( ($r, $v) if $r <= TM && $v <= TV => tile::<V, $r, $v>(kc, a, b, b_step, d, rs, cs, cols, store), )*
                _ => unreachable!("tile {rows}x{cols} outside {TM}x{}", 4 * TV),
            }
        };
    }
    arms!(
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 1),
        (8, 1),
        (1, 2),
        (2, 2),
        (3, 2),
        (4, 2),
        (5, 2),
        (6, 2),
        (7, 2),
        (8, 2),
        (1, 3),
        (2, 3),
        (3, 3),
        (4, 3),
        (5, 3),
        (6, 3),
        (7, 3),
        (8, 3)
    )
}

/// The vector type of this build: simd128 in wasm, portable lanes elsewhere.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub type Native = vector::Simd;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type Native = vector::Lanes;

/// Whether this build's multiply-add is relaxed SIMD's (possibly fused) one.
pub const RELAXED: bool = cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd"));
