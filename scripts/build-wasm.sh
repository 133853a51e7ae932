#!/usr/bin/env bash
# Builds the browser module twice from one source: vae-wasm for wasm32 with plain simd128 and
# with relaxed SIMD (the matmul kernel's fused multiply-add, crates/gemm-shim), the JS glue with
# the pinned wasm-bindgen CLI, then wasm-opt (npm binaryen) for size and speed.
# Output in www/build/pkg/: ONE glue (vae_wasm.js, .d.ts) and two modules,
#   vae_wasm_bg.wasm          simd128 only: every browser with wasm SIMD (Safari, Node 20)
#   vae_wasm_relaxed_bg.wasm  +relaxed-simd: picked at run time where the browser validates it
#                             (www/src/shared/wasm-variant.ts)
# The glue must not depend on the build: the script fails if the two glues differ.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "build-wasm: ERROR: $*" >&2; exit 1; }

target_dir=${CARGO_TARGET_DIR:-target}
out=www/build/pkg
# Two target dirs: the flags differ, so one dir would rebuild everything at every switch.
# RUSTFLAGS replaces .cargo/config.toml's target rustflags; the plain one says the same as
# that file (see there for -disable-lsr), so other cargo commands for wasm32 share the plain
# build's artifacts.
plain_dir=$target_dir
relaxed_dir=$target_dir/relaxed-simd
build() { # TARGET_DIR FEATURES
  CARGO_TARGET_DIR=$1 RUSTFLAGS="-C target-feature=$2 -C llvm-args=-disable-lsr" \
    cargo build --profile wasm-release --target wasm32-unknown-unknown -p vae-wasm
}
# wasm-release: release + fat LTO, one codegen unit, panic=abort (Cargo.toml).
build "$plain_dir" +simd128
build "$relaxed_dir" +simd128,+relaxed-simd
plain=$plain_dir/wasm32-unknown-unknown/wasm-release/vae_wasm.wasm
relaxed=$relaxed_dir/wasm32-unknown-unknown/wasm-release/vae_wasm.wasm

if [[ -f $out/vae_wasm_bg.wasm && -f $out/vae_wasm_relaxed_bg.wasm && -f $out/vae_wasm.js &&
      ! $plain -nt $out/vae_wasm_bg.wasm && ! $relaxed -nt $out/vae_wasm_relaxed_bg.wasm ]]; then
  echo "build-wasm: up to date"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --out-dir "$tmp/plain" "$plain"
wasm-bindgen --target web --out-dir "$tmp/relaxed" "$relaxed"
# The page loads one glue with either module: they must be interchangeable.
if ! diff -r --exclude=vae_wasm_bg.wasm "$tmp/plain" "$tmp/relaxed" >"$tmp/glue.diff"; then
  head -40 "$tmp/glue.diff" >&2
  die "the plain and relaxed-simd builds produced different JS glue (diff above); one glue cannot load both"
fi

opt() { # FILE [EXTRA FLAGS]
  local f=$1
  shift
  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals "$@" "$f" -o "$f"
}
if [[ -x node_modules/.bin/wasm-opt ]]; then
  opt "$tmp/plain/vae_wasm_bg.wasm"
  opt "$tmp/relaxed/vae_wasm_bg.wasm" --enable-relaxed-simd
else
  echo "build-wasm: wasm-opt not installed (npm ci installs binaryen); skipping optimisation"
fi

mkdir -p "$out"
rm -f "$out"/vae_wasm*
cp -r "$tmp/plain/." "$out/"
cp "$tmp/relaxed/vae_wasm_bg.wasm" "$out/vae_wasm_relaxed_bg.wasm"
for f in vae_wasm_bg.wasm vae_wasm_relaxed_bg.wasm; do
  echo "build-wasm: $f $(stat -c %s "$out/$f") bytes, $(gzip -9 -c "$out/$f" | wc -c) gzipped"
done
