//! The four-lane f32 vector the micro-kernel is written against.
//!
//! Two implementations: [`Simd`] (wasm simd128, with relaxed-simd's fused multiply-add when
//! the build enables it) and [`Lanes`] (plain `[f32; 4]`), which compiles everywhere so the
//! packing, tiling and edge handling are tested natively by `cargo test -p gemm` with exactly
//! the code the browser runs, only the vector type differs.

/// A vector of four f32 lanes. Every method is `#[inline(always)]` in the implementations:
/// the micro-kernel relies on them dissolving into single instructions.
pub trait F32x4: Copy {
    fn zero() -> Self;
    fn splat(x: f32) -> Self;
    /// Four consecutive floats at `p` (no alignment needed).
    ///
    /// # Safety
    /// `p..p+4` must be readable.
    unsafe fn load(p: *const f32) -> Self;
    /// `*p` in every lane (wasm: `v128.load32_splat`, a broadcast from memory).
    ///
    /// # Safety
    /// `p` must be readable.
    unsafe fn load_splat(p: *const f32) -> Self;
    /// # Safety
    /// `p..p+4` must be writable.
    unsafe fn store(self, p: *mut f32);
    fn mul(self, o: Self) -> Self;
    fn add(self, o: Self) -> Self;
    /// `a * b + acc`. With relaxed SIMD this may be fused (one rounding) or not (two),
    /// depending on the CPU; everywhere else it is a multiply then an add.
    fn madd(a: Self, b: Self, acc: Self) -> Self;
    fn to_array(self) -> [f32; 4];
}

/// Portable lanes: the reference implementation, used natively and in tests.
#[derive(Clone, Copy)]
pub struct Lanes(pub [f32; 4]);

impl F32x4 for Lanes {
    #[inline(always)]
    fn zero() -> Self {
        Lanes([0.0; 4])
    }
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Lanes([x; 4])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Lanes(core::ptr::read_unaligned(p as *const [f32; 4]))
    }
    #[inline(always)]
    unsafe fn load_splat(p: *const f32) -> Self {
        Lanes([*p; 4])
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        core::ptr::write_unaligned(p as *mut [f32; 4], self.0)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Lanes(core::array::from_fn(|i| self.0[i] * o.0[i]))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Lanes(core::array::from_fn(|i| self.0[i] + o.0[i]))
    }
    #[inline(always)]
    fn madd(a: Self, b: Self, acc: Self) -> Self {
        // Rust never contracts this into an FMA, so natively it rounds twice, like the plain
        // simd128 build.
        a.mul(b).add(acc)
    }
    #[inline(always)]
    fn to_array(self) -> [f32; 4] {
        self.0
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd::Simd;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::F32x4;
    use core::arch::wasm32::*;

    /// One wasm `v128` holding four f32.
    #[derive(Clone, Copy)]
    pub struct Simd(v128);

    impl F32x4 for Simd {
        #[inline(always)]
        fn zero() -> Self {
            Simd(f32x4_splat(0.0))
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Simd(f32x4_splat(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Simd(v128_load(p as *const v128))
        }
        #[inline(always)]
        unsafe fn load_splat(p: *const f32) -> Self {
            Simd(v128_load32_splat(p as *const u32))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Simd(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Simd(f32x4_add(self.0, o.0))
        }
        /// Relaxed SIMD (`f32x4.relaxed_madd`) lets the engine emit a fused multiply-add
        /// where the CPU has one (V8 on x86 with FMA3: `vfmadd231ps`) and a multiply + add
        /// elsewhere. So results may differ in the last bits between machines, but one
        /// machine with one build always computes the same bits: seeded runs stay
        /// reproducible within a build and a machine, not across them.
        #[cfg(target_feature = "relaxed-simd")]
        #[inline(always)]
        fn madd(a: Self, b: Self, acc: Self) -> Self {
            Simd(f32x4_relaxed_madd(a.0, b.0, acc.0))
        }
        /// Plain simd128 has no fused multiply-add: two instructions, two roundings, the same
        /// bits on every machine.
        #[cfg(not(target_feature = "relaxed-simd"))]
        #[inline(always)]
        fn madd(a: Self, b: Self, acc: Self) -> Self {
            Simd(f32x4_add(f32x4_mul(a.0, b.0), acc.0))
        }
        #[inline(always)]
        fn to_array(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
    }
}
