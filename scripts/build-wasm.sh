#!/usr/bin/env bash
# Builds the browser module: vae-wasm for wasm32 with SIMD (.cargo/config.toml), the JS glue
# with the pinned wasm-bindgen CLI, then wasm-opt (npm binaryen) for size and speed.
# Output: www/build/pkg/vae_wasm.js and vae_wasm_bg.wasm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target_dir=${CARGO_TARGET_DIR:-target}
out=www/build/pkg
# wasm-release: release + fat LTO, one codegen unit, panic=abort (Cargo.toml).
cargo build --profile wasm-release --target wasm32-unknown-unknown -p vae-wasm
wasm=$target_dir/wasm32-unknown-unknown/wasm-release/vae_wasm.wasm
if [[ ! -f $out/vae_wasm_bg.wasm || $wasm -nt $out/vae_wasm_bg.wasm ]]; then
  mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out" "$wasm"
  if [[ -x node_modules/.bin/wasm-opt ]]; then
    node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals "$out/vae_wasm_bg.wasm" -o "$out/vae_wasm_bg.wasm"
  else
    echo "build-wasm: wasm-opt not installed (npm ci installs binaryen); skipping optimisation"
  fi
  echo "build-wasm: $(stat -c %s "$out/vae_wasm_bg.wasm") bytes, $(gzip -9 -c "$out/vae_wasm_bg.wasm" | wc -c) gzipped"
else
  echo "build-wasm: up to date"
fi
