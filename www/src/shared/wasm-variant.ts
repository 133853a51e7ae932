// Which of the two wasm builds this browser runs (scripts/build-wasm.sh ships both, with one
// JS glue): vae_wasm_relaxed_bg.wasm uses relaxed SIMD's fused multiply-add in the matmul
// kernel (crates/gemm-shim), ~10-20% faster where it validates (Chromium, Firefox);
// vae_wasm_bg.wasm is plain simd128 for the rest (Safari, Node 20). Shared by the page and
// the workers: no DOM-only types here.
//
// Reproducibility: relaxed madd may be fused or not depending on the CPU, so the relaxed
// build's results can differ in the last bits between machines; one machine with one build
// always gives the same bits. The plain build gives the same bits everywhere.
import { relaxedSimd } from 'wasm-feature-detect';

export const PLAIN_WASM = 'vae_wasm_bg.wasm';
export const RELAXED_WASM = 'vae_wasm_relaxed_bg.wasm';

/** The module to instantiate: `base` is the folder holding both .wasm files (a URL ending
 * in "/", e.g. `new URL('./pkg/', import.meta.url)`). Falls back to the plain build when
 * the browser cannot validate relaxed SIMD or the detection itself fails. */
export async function wasmUrl(base: URL): Promise<{ url: URL; relaxed: boolean }> {
  let relaxed = false;
  try {
    relaxed = await relaxedSimd();
  } catch {
    relaxed = false;
  }
  return { url: new URL(relaxed ? RELAXED_WASM : PLAIN_WASM, base), relaxed };
}
