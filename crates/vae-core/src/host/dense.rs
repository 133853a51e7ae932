//! Dense layers y = act(x W + b) on host slices, forward and backward, for row-major
//! batches. The matrix products go through `gemm` (crates/gemm-shim: our SIMD kernel in
//! wasm, gemm 0.19's natively); bias, activation and their derivatives are fused loops.
use super::fastmath::{max0, tanh};
use crate::config::Activation;
use crate::params::DenseSlot;

/// C (m x n, row-major) = A B, or C += A B when `accumulate`. A is m x k and B is k x n,
/// each given with its row and column strides (a transpose is a swap of the two).
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_rs: usize,
    a_cs: usize,
    b: &[f32],
    b_rs: usize,
    b_cs: usize,
    c: &mut [f32],
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    let need =
        |rs: usize, cs: usize, r: usize, c: usize| if r == 0 || c == 0 { 0 } else { (r - 1) * rs + (c - 1) * cs + 1 };
    // The kernel reads raw pointers: these bounds are what makes that sound.
    assert!(
        a.len() >= need(a_rs, a_cs, m, k) && b.len() >= need(b_rs, b_cs, k, n) && c.len() >= m * n,
        "matmul operand too short"
    );
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: the asserts above keep every index the kernel forms inside the slices.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.as_ptr(),
            a_cs as isize,
            a_rs as isize,
            b.as_ptr(),
            b_cs as isize,
            b_rs as isize,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        )
    }
}

/// `out` = act(x W + b) for `rows` rows of x; `act` None is the identity (a head).
pub fn forward(params: &[f32], slot: &DenseSlot, x: &[f32], rows: usize, out: &mut [f32], act: Option<Activation>) {
    let (i, o) = (slot.inputs, slot.outputs);
    let w = &params[slot.weight_range()];
    let bias = &params[slot.bias_range()];
    let out = &mut out[..rows * o];
    matmul(rows, o, i, x, i, 1, w, o, 1, out, false);
    for row in out.chunks_exact_mut(o) {
        match act {
            None => row.iter_mut().zip(bias).for_each(|(y, &b)| *y += b),
            Some(Activation::Relu) => row.iter_mut().zip(bias).for_each(|(y, &b)| *y = max0(*y + b)),
            Some(Activation::Tanh) => row.iter_mut().zip(bias).for_each(|(y, &b)| *y = tanh(*y + b)),
        }
    }
}

/// Multiplies the loss's derivative with respect to a layer's output `h = act(pre)` by
/// act'(pre), written in terms of h: relu' = [h > 0], tanh' = 1 - h^2.
pub fn through_activation(delta: &mut [f32], h: &[f32], act: Activation) {
    match act {
        Activation::Relu => delta.iter_mut().zip(h).for_each(|(d, &h)| *d = if h > 0.0 { *d } else { 0.0 }),
        Activation::Tanh => delta.iter_mut().zip(h).for_each(|(d, &h)| *d *= 1.0 - h * h),
    }
}

/// Given `delta` = dLoss/d(x W + b) (rows x outputs), writes the slot's gradient into
/// `grad` (same layout as the parameters): dW = x^T delta, db = column sums of delta.
/// With `delta_in`, also dLoss/dx = delta W^T, added to it when `accumulate`.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    params: &[f32],
    slot: &DenseSlot,
    x: &[f32],
    rows: usize,
    delta: &[f32],
    grad: &mut [f32],
    delta_in: Option<&mut [f32]>,
    accumulate: bool,
) {
    let (i, o) = (slot.inputs, slot.outputs);
    let delta = &delta[..rows * o];
    // x^T: element (a, r) of the i x rows matrix is x[r * i + a].
    matmul(i, o, rows, x, 1, i, delta, o, 1, &mut grad[slot.weight_range()], false);
    let gb = &mut grad[slot.bias_range()];
    gb.fill(0.0);
    for row in delta.chunks_exact(o) {
        gb.iter_mut().zip(row).for_each(|(g, &d)| *g += d);
    }
    if let Some(din) = delta_in {
        // W^T: element (c, a) of the o x i matrix is w[a * o + c].
        matmul(rows, i, o, delta, o, 1, &params[slot.weight_range()], 1, o, &mut din[..rows * i], accumulate);
    }
}
