//! Probes of the matmul kernel for the benchmarks (scripts/kernel-bench.mjs; issue #10's
//! `peak_gflops_per_core`). Each returns the floating-point operations it did; JavaScript
//! times the call with `performance.now()` (`std::time` panics in wasm). Warm up first: V8
//! compiles a function with its baseline compiler and tiers up hot ones.
use core::hint::black_box;
use gemm::kernel::{vector::F32x4, Native};
use wasm_bindgen::prelude::*;

/// Independent accumulators in the peak loop. Each chain is `acc = acc·y + x`, so its
/// latency is a multiply-add's (FMA: 4 cycles on Zen 3) or a multiply's plus an add's (3 + 3
/// in the plain build); with two pipes, 12 chains keep both busy in either build, so the
/// figure is the throughput of the instruction, not its latency. 12 vectors + x + y fit
/// V8's 15 usable xmm registers, so the loop touches no memory.
const CHAINS: usize = 12;

/// A register-only loop of `iterations x 12` f32x4 multiply-adds (the micro-kernel's
/// `madd`: relaxed SIMD's in the relaxed build, multiply + add in the plain one). Returns
/// the FLOPs done (8 per f32x4 multiply-add); the result is kept alive so nothing is elided.
#[wasm_bindgen(js_name = kernelPeak)]
pub fn kernel_peak(iterations: u32) -> f64 {
    // y < 1 makes each chain converge to x / (1 − y): no overflow, no subnormals.
    let y = Native::splat(black_box(0.999));
    let x = Native::splat(black_box(1e-3));
    let mut acc: [Native; CHAINS] = core::array::from_fn(|i| Native::splat(i as f32));
    for _ in 0..iterations {
        for a in acc.iter_mut() {
            *a = Native::madd(*a, y, x);
        }
    }
    let sum: f32 = acc.iter().map(|v| v.to_array().iter().sum::<f32>()).sum();
    black_box(sum);
    iterations as f64 * (CHAINS * 8) as f64
}

/// Runs the shim's `gemm::gemm::<f32>` (what dfdx calls) `reps` times on an `m x k` by
/// `k x n` product laid out as dfdx lays it out. `layout`: 0 (default) forward `x·W`, all
/// row-major, dst overwritten; 1 backward `grad_lhs += grad_out·Wᵀ` (rhs a transposed
/// view); 2 backward `grad_rhs += xᵀ·grad_out` (lhs a transposed view). Returns the FLOPs
/// (2·m·k·n per product).
#[wasm_bindgen(js_name = kernelMatmul)]
pub fn kernel_matmul(m: usize, k: usize, n: usize, reps: u32, layout: Option<u32>) -> f64 {
    // Constant operands: the kernel has no data-dependent path, and a fill this cheap (a
    // vectorised memset-like loop) keeps the per-call setup out of the timed figures.
    let (a, b) = (vec![0.01f32; m * k], vec![0.02f32; k * n]);
    let mut c = vec![0.0f32; m * n];
    let (m_, k_, n_) = (m as isize, k as isize, n as isize);
    // (lhs_cs, lhs_rs, rhs_cs, rhs_rs, read_dst)
    let (lcs, lrs, rcs, rrs, read) = match layout.unwrap_or(0) {
        1 => (1, k_, k_, 1, true),
        2 => (m_, 1, 1, n_, true),
        _ => (1, k_, 1, n_, false),
    };
    for _ in 0..reps {
        // SAFETY: a is m x k and b is k x n under either stride pair, c is m x n row-major,
        // and the three vectors do not overlap.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n_,
                read,
                a.as_ptr(),
                lcs,
                lrs,
                b.as_ptr(),
                rcs,
                rrs,
                if read { 1.0 } else { 0.0 },
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(1),
            );
        }
        black_box(&mut c);
    }
    2.0 * (m * k * n) as f64 * reps as f64
}

/// Whether this module was compiled with relaxed SIMD (`+relaxed-simd`).
#[wasm_bindgen(js_name = kernelRelaxed)]
pub fn kernel_relaxed() -> bool {
    gemm::kernel::RELAXED
}

/// Which f32 matmul dfdx runs in this module: "ours" or "gemm 0.19" (the `gemm019`
/// feature, built only by the benchmark for comparison).
#[wasm_bindgen(js_name = kernelName)]
pub fn kernel_name() -> String {
    (if cfg!(feature = "gemm019") { "gemm 0.19" } else { "ours" }).into()
}
