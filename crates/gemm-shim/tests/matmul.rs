//! `gemm::gemm::<f32>` against an f64 loop, on every layout dfdx (and the gemm API) can hand
//! it. In wasm (scripts/test-wasm.sh, in Chromium, once per build: relaxed SIMD and plain
//! simd128) `gemm::gemm` is our kernel; natively it is gemm 0.19, and every case also runs
//! the same kernel with portable lanes (`gemm::kernel::gemm_f32::<Lanes>`), so the packing,
//! blocking and edge tiles are checked natively too.
//!
//! Tolerance: every dst element is `alpha·c + beta·Σ_p a_ip·b_pj`. Computed in f32 in any
//! order, with each product and partial sum rounded once or (non-fused multiply-add) twice,
//! and each depth block's result added to dst (two roundings per block, at most one block
//! per depth step), the error is at most γ_{2k+4}·(|beta|·Σ_p |a_ip·b_pj| + |alpha·c|) with
//! γ_j = j·u/(1 − j·u), u = 2⁻²⁴ (Higham, "Accuracy and Stability of Numerical Algorithms",
//! §3.1). A kernel bug (a product missed, counted twice, or a wrong element) is off by
//! about one product, ~1/k of Σ|a·b|: far above that bound for every k here (k <= 1030).
#![allow(clippy::too_many_arguments)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// What the tests call: the gemm crate's f32 signature, without conjugation and threads.
type Gemm = unsafe fn(
    usize,
    usize,
    usize,
    *mut f32,
    isize,
    isize,
    bool,
    *const f32,
    isize,
    isize,
    *const f32,
    isize,
    isize,
    f32,
    f32,
);

unsafe fn public_gemm(
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
    gemm::gemm(
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
        false,
        false,
        false,
        gemm::Parallelism::Rayon(1),
    )
}

/// Other tiles and tiny blocks (depth 7, two row panels, two column panels per block), so
/// every loop of the blocking runs many times on small shapes, for tiles other than the
/// production one too (how the alternatives were measured must be right as well).
macro_rules! tiled {
    ($name:ident, $tm:literal, $tv:literal) => {
        unsafe fn $name(
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
            let blocking = gemm::kernel::Blocking { kc: 7, mc: 2 * $tm, nc: 8 * $tv };
            gemm::kernel::gemm_f32_with::<gemm::kernel::Native, $tm, $tv>(
                blocking, m, n, k, dst, dst_cs, dst_rs, read_dst, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs, alpha, beta,
            )
        }
    };
}
tiled!(tile_5x8_small_blocks, 5, 2);
tiled!(tile_4x8_small_blocks, 4, 2);
tiled!(tile_6x8_small_blocks, 6, 2);
tiled!(tile_3x12_small_blocks, 3, 3);
tiled!(tile_8x4_small_blocks, 8, 1);

const IMPLS: [(&str, Gemm); 7] = [
    ("gemm::gemm", public_gemm),
    ("portable kernel", gemm::kernel::gemm_f32::<gemm::kernel::vector::Lanes>),
    ("5x8, small blocks", tile_5x8_small_blocks),
    ("4x8, small blocks", tile_4x8_small_blocks),
    ("6x8, small blocks", tile_6x8_small_blocks),
    ("3x12, small blocks", tile_3x12_small_blocks),
    ("8x4, small blocks", tile_8x4_small_blocks),
];

/// xorshift64*: a few lines, deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How a matrix sits in memory.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    Row,
    Col,
    /// Row-major with rows in reverse order (negative row stride).
    RowRev,
    /// Column-major with columns in reverse order (negative column stride).
    ColRev,
    /// Both strides negative.
    BothRev,
    /// Row-major with a row stride larger than the width.
    Padded,
    /// Every row the same memory (row stride 0, as a broadcast view); inputs only.
    Broadcast,
}
const LAYOUTS: [Layout; 7] =
    [Layout::Row, Layout::Col, Layout::RowRev, Layout::ColRev, Layout::BothRev, Layout::Padded, Layout::Broadcast];

/// A strided matrix in a buffer with room (and sentinels) around it.
struct Mat {
    buf: Vec<f32>,
    base: usize,
    rs: isize,
    cs: isize,
}

const SENTINEL: f32 = 1234.5;

impl Mat {
    fn new(rows: usize, cols: usize, layout: Layout, mut fill: impl FnMut() -> f32) -> Mat {
        let (r, c) = (rows.max(1) as isize, cols.max(1) as isize);
        let (rs, cs, base) = match layout {
            Layout::Row => (c, 1, 0),
            Layout::Col => (1, r, 0),
            Layout::RowRev => (-c, 1, (r - 1) * c),
            Layout::ColRev => (1, -r, (c - 1) * r),
            Layout::BothRev => (-c, -1, r * c - 1),
            Layout::Padded => (c + 3, 1, 0),
            Layout::Broadcast => (0, 1, 0),
        };
        let len = (r * c + 3 * r + 8) as usize;
        let mut m = Mat { buf: vec![SENTINEL; len], base: base as usize, rs, cs };
        for i in 0..rows {
            for j in 0..cols {
                let at = m.at(i, j);
                m.buf[at] = fill();
            }
        }
        m
    }
    fn at(&self, i: usize, j: usize) -> usize {
        (self.base as isize + i as isize * self.rs + j as isize * self.cs) as usize
    }
    fn get(&self, i: usize, j: usize) -> f32 {
        self.buf[self.at(i, j)]
    }
    fn ptr(&self) -> *const f32 {
        self.buf[self.base..].as_ptr()
    }
    fn ptr_mut(&mut self) -> *mut f32 {
        self.buf[self.base..].as_mut_ptr()
    }
}

#[derive(Clone, Copy, Debug)]
struct Case {
    m: usize,
    n: usize,
    k: usize,
    dst: Layout,
    lhs: Layout,
    rhs: Layout,
    read: bool,
    alpha: f32,
    beta: f32,
}

impl Case {
    fn new(m: usize, k: usize, n: usize) -> Case {
        Case { m, n, k, dst: Layout::Row, lhs: Layout::Row, rhs: Layout::Row, read: false, alpha: 0.0, beta: 1.0 }
    }
    fn layouts(self, dst: Layout, lhs: Layout, rhs: Layout) -> Case {
        Case { dst, lhs, rhs, ..self }
    }
    fn read(self, alpha: f32, beta: f32) -> Case {
        Case { read: true, alpha, beta, ..self }
    }
}

/// The small-block tile variants check the blocking logic; on the model-size cases they
/// would only repeat what the production tile already covers, at many times the cost.
const SMALL_BLOCKS_MAX_WORK: usize = 1 << 21;

/// Runs one case through every implementation; panics naming the case and the element.
fn check(case: Case, seed: u64) {
    let Case { m, n, k, .. } = case;
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let lhs = Mat::new(m, k, case.lhs, || rng.unit());
    let rhs = Mat::new(k, n, case.rhs, || rng.unit());
    // dst must not be read when read_dst is false or alpha is 0: NaN there would show.
    let reads = case.read && case.alpha != 0.0;
    let dst0 = Mat::new(m, n, case.dst, || if reads { rng.unit() } else { f32::NAN });
    // The f64 reference and its error bound, once per case.
    let u = f32::EPSILON as f64 / 2.0;
    let gamma = (2 * k + 4) as f64 * u / (1.0 - (2 * k + 4) as f64 * u);
    let (alpha, beta) = (case.alpha as f64, case.beta as f64);
    let mut want = vec![(0.0f64, 0.0f64); m * n];
    let mut inside = vec![false; dst0.buf.len()];
    for i in 0..m {
        for j in 0..n {
            inside[dst0.at(i, j)] = true;
            let (mut s, mut abs) = (0.0f64, 0.0f64);
            for p in 0..k {
                let prod = lhs.get(i, p) as f64 * rhs.get(p, j) as f64;
                s += prod;
                abs += prod.abs();
            }
            let c = dst0.get(i, j) as f64;
            let value = if reads { alpha * c + beta * s } else { beta * s };
            let tol = gamma * (beta.abs() * abs + if reads { (alpha * c).abs() } else { 0.0 });
            want[i * n + j] = (value, tol);
        }
    }
    for (name, f) in IMPLS {
        if name.contains("small blocks") && m * n * k > SMALL_BLOCKS_MAX_WORK {
            continue;
        }
        let mut dst = Mat { buf: dst0.buf.clone(), ..dst0 };
        unsafe {
            f(
                m,
                n,
                k,
                dst.ptr_mut(),
                dst.cs,
                dst.rs,
                case.read,
                lhs.ptr(),
                lhs.cs,
                lhs.rs,
                rhs.ptr(),
                rhs.cs,
                rhs.rs,
                case.alpha,
                case.beta,
            );
        }
        for i in 0..m {
            for j in 0..n {
                let (value, tol) = want[i * n + j];
                let got = dst.get(i, j) as f64;
                assert!(
                    (got - value).abs() <= tol,
                    "{name}: {case:?} seed {seed}: dst[{i}][{j}] = {got}, want {value} ± {tol:e}"
                );
            }
        }
        for (at, v) in dst.buf.iter().enumerate() {
            if !inside[at] {
                assert!(
                    v.to_bits() == dst0.buf[at].to_bits(),
                    "{name}: {case:?}: wrote outside dst (buffer index {at})"
                );
            }
        }
    }
}

macro_rules! test {
    ($(#[$doc:meta])* fn $name:ident() $body:block) => {
        $(#[$doc])*
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        fn $name() $body
    };
}

test! {
    /// This model's hot shapes (784-400-20, batch 100), laid out as dfdx passes them:
    /// forward x·W (row-major), grad_lhs += grad_out·Wᵀ (rhs a transposed view),
    /// grad_rhs += xᵀ·grad_out (lhs a transposed view), and single-row inference.
    fn model_shapes() {
        let (r, c) = (Layout::Row, Layout::Col);
        let mut seed = 1;
        for (m, k, n) in [(100, 784, 400), (100, 400, 20), (100, 20, 400), (100, 400, 784), (1, 784, 400), (1, 20, 400)] {
            check(Case::new(m, k, n), seed);
            seed += 1;
        }
        for (m, k, n) in [(100, 400, 784), (100, 784, 400), (100, 20, 400), (100, 400, 20)] {
            check(Case::new(m, k, n).layouts(r, r, c).read(1.0, 1.0), seed);
            seed += 1;
        }
        for (m, k, n) in [(784, 100, 400), (400, 100, 20), (20, 100, 400), (400, 100, 784)] {
            check(Case::new(m, k, n).layouts(r, c, r).read(1.0, 1.0), seed);
            seed += 1;
        }
    }
}

test! {
    /// Tiny and edge shapes: 1x1, k = 1, m and n off the 5x8 tile, exactly one tile, k one
    /// past a depth block, m past the row block, n past the column block, empty matrices,
    /// single row panels (B read in place) with a partial last column panel.
    fn edge_shapes() {
        let shapes = [
            (1, 1, 1), (1, 1000, 1), (1, 1, 9), (7, 1, 13), (5, 3, 9), (5, 512, 8), (10, 513, 16),
            (13, 300, 7), (25, 1025, 30), (121, 3, 9), (250, 40, 3), (3, 2, 1030), (2, 1030, 3),
            (11, 64, 4), (4, 64, 11), (9, 9, 1), (0, 5, 3), (3, 5, 0), (4, 600, 37), (1, 1030, 20),
        ];
        for (s, &(m, k, n)) in shapes.iter().enumerate() {
            check(Case::new(m, k, n), s as u64);
            check(Case::new(m, k, n).read(1.0, 1.0), 100 + s as u64);
        }
    }
}

test! {
    /// read_dst false/true with alpha 0 (dst not read: it holds NaN), 1 and other values,
    /// beta 1 and others; k = 0 (dst := alpha·dst, or zeros).
    fn alpha_beta() {
        let mut seed = 200;
        for k in [0, 1, 37, 300] {
            for (read, alpha) in [(false, 0.0), (false, 1.0), (true, 0.0), (true, 1.0), (true, 0.5)] {
                for beta in [1.0, -2.0, 0.0] {
                    let case = Case { read, alpha, beta, ..Case::new(9, k, 11) };
                    check(case, seed);
                    check(case.layouts(Layout::Col, Layout::RowRev, Layout::ColRev), seed + 1);
                    seed += 2;
                }
            }
        }
    }
}

test! {
    /// Every layout for each operand (dst: all but broadcast), on shapes off the tile.
    fn all_layouts() {
        let mut seed = 400;
        for dst in LAYOUTS.into_iter().filter(|&l| l != Layout::Broadcast) {
            for lhs in LAYOUTS {
                for rhs in LAYOUTS {
                    check(Case::new(7, 19, 10).layouts(dst, lhs, rhs).read(1.0, 1.0), seed);
                    seed += 1;
                }
            }
            check(Case::new(31, 270, 45).layouts(dst, Layout::ColRev, Layout::BothRev), seed);
            seed += 1;
        }
    }
}

test! {
    /// Random shapes, layouts and coefficients.
    fn random_cases() {
        let mut rng = Rng(0xdfd0_0013);
        for seed in 0..120 {
            let pick = |rng: &mut Rng, hi: usize| 1 + rng.below(hi);
            let (m, n) = (pick(&mut rng, 70), pick(&mut rng, 70));
            let k = if rng.below(4) == 0 { pick(&mut rng, 700) } else { pick(&mut rng, 40) };
            let dst = LAYOUTS[rng.below(LAYOUTS.len() - 1)];
            let (lhs, rhs) = (LAYOUTS[rng.below(LAYOUTS.len())], LAYOUTS[rng.below(LAYOUTS.len())]);
            let read = rng.below(2) == 0;
            let alpha = [0.0, 1.0, 0.75][rng.below(3)];
            let beta = [1.0, 1.0, -0.5][rng.below(3)];
            check(Case { read, alpha, beta, ..Case::new(m, k, n) }.layouts(dst, lhs, rhs), 1000 + seed);
        }
    }
}

test! {
    /// Other dtypes still go to gemm 0.19.
    fn f64_forwards() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f64> = (0..m * k).map(|i| i as f64 * 0.5 - 3.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| 1.0 - i as f64 * 0.25).collect();
        let mut d = vec![0.0f64; m * n];
        unsafe {
            gemm::gemm(
                m, n, k, d.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize, b.as_ptr(), 1, n as isize,
                0.0, 1.0, false, false, false, gemm::Parallelism::None,
            );
        }
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                assert!((d[i * n + j] - want).abs() < 1e-9, "f64 [{i}][{j}]: {} vs {want}", d[i * n + j]);
            }
        }
    }
}
