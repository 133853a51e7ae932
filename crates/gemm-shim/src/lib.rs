//! A crate named `gemm` at version 0.15.x: what dfdx 0.13 calls its matmul through.
//!
//! dfdx calls `gemm::gemm`, `gemm::f16` and `gemm::Parallelism` from gemm 0.15, whose only
//! SIMD kernels are for x86 and aarch64. This crate re-exports gemm 0.19 (same items, same
//! signatures), and:
//!
//! - natively (x86-64, aarch64): gemm 0.19 unchanged, with its AVX2/FMA/NEON kernels;
//! - in wasm with simd128: `gemm::<f32>` runs our kernel ([`kernel`]: packing, blocking and
//!   a 5x8 register-blocked micro-kernel, with relaxed SIMD's multiply-add in the
//!   `+relaxed-simd` build). gemm 0.19's wasm path is its scalar kernel auto-vectorised,
//!   with no FMA; ours runs a training step's products at ~1.6x its speed with relaxed
//!   SIMD, ~1.4x without (crates/gemm-shim/README.md). Other dtypes go to gemm 0.19. The
//!   `gemm019` feature keeps gemm 0.19 for f32 too, so the benchmark can measure the old
//!   path in the same browser.
//!
//! Natively, [`use_portable_f32`] switches f32 products to our kernel with portable lanes:
//! the plain simd128 build's arithmetic (the same products, additions and roundings in the
//! same order), so a native run can reproduce the browser's bits (`vae train --kernel
//! portable`). gemm 0.19's AVX2 kernels fuse multiply-adds and block the depth otherwise.
pub use real_gemm::*;

#[doc(hidden)]
pub mod kernel;

#[cfg(not(target_arch = "wasm32"))]
mod portable {
    use core::sync::atomic::{AtomicBool, Ordering};

    static ON: AtomicBool = AtomicBool::new(false);

    /// From now on, every f32 product in this process runs our kernel with portable lanes
    /// (`true`) or gemm 0.19 (`false`, the default).
    pub fn use_portable_f32(on: bool) {
        ON.store(on, Ordering::Relaxed);
    }

    /// Whether f32 products run our portable kernel.
    pub fn portable_f32() -> bool {
        ON.load(Ordering::Relaxed)
    }
}
#[cfg(not(target_arch = "wasm32"))]
pub use portable::{portable_f32, use_portable_f32};

/// Natively: gemm 0.19's `gemm`, or our kernel with portable lanes for f32 after
/// [`use_portable_f32`]. In wasm with simd128: gemm 0.19's `gemm`, except f32, which runs our
/// kernel (see the crate docs). Same contract as gemm 0.19's: `dst := alpha·dst +
/// beta·lhs·rhs` when `read_dst`, else `dst := beta·lhs·rhs`, strides in elements and of any
/// sign. `parallelism` is ignored when our kernel runs (on the calling thread).
///
/// # Safety
/// As gemm 0.19's `gemm`: every element of the three matrices valid at its offset, dst
/// writable and not overlapping the inputs.
#[cfg(any(not(target_arch = "wasm32"), all(target_feature = "simd128", not(feature = "gemm019"))))]
#[allow(clippy::too_many_arguments)]
#[inline]
pub unsafe fn gemm<T: 'static>(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut T,
    dst_cs: isize,
    dst_rs: isize,
    read_dst: bool,
    lhs: *const T,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const T,
    rhs_cs: isize,
    rhs_rs: isize,
    alpha: T,
    beta: T,
    conj_dst: bool,
    conj_lhs: bool,
    conj_rhs: bool,
    parallelism: Parallelism,
) {
    use core::any::TypeId;
    if TypeId::of::<T>() == TypeId::of::<f32>() && ours_f32() {
        // T is f32 (checked just above), so these casts change no bits; conjugation is the
        // identity on reals.
        let alpha = *(&alpha as *const T as *const f32);
        let beta = *(&beta as *const T as *const f32);
        return kernel::gemm_f32::<kernel::Native>(
            m,
            n,
            k,
            dst as *mut f32,
            dst_cs,
            dst_rs,
            read_dst,
            lhs as *const f32,
            lhs_cs,
            lhs_rs,
            rhs as *const f32,
            rhs_cs,
            rhs_rs,
            alpha,
            beta,
        );
    }
    real_gemm::gemm(
        m,
        n,
        k,
        dst,
        dst_cs,
        dst_rs,
        read_dst,
        lhs,
        lhs_cs,
        lhs_rs,
        rhs,
        rhs_cs,
        rhs_rs,
        alpha,
        beta,
        conj_dst,
        conj_lhs,
        conj_rhs,
        parallelism,
    )
}

/// Whether f32 products run our kernel: natively after [`use_portable_f32`], with portable
/// lanes (`kernel::Native` is `Lanes` off wasm: the plain simd128 build's bits).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn ours_f32() -> bool {
    portable_f32()
}

/// In wasm, always, with simd128 lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(feature = "gemm019")))]
#[inline(always)]
fn ours_f32() -> bool {
    true
}
