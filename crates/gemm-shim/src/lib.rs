//! A crate named `gemm` at version 0.15.x that re-exports gemm 0.19.
//!
//! dfdx 0.13 calls `gemm::gemm`, `gemm::f16` and `gemm::Parallelism` from gemm 0.15, whose
//! only SIMD kernels are for x86 and aarch64; in wasm it falls back to a scalar 2x4
//! micro-kernel (~750 samples/s). gemm 0.19 has simd128 kernels (~3x faster in wasm) and
//! the same three items with the same signatures, so re-exporting is enough.
pub use real_gemm::*;
