#!/usr/bin/env bash
# Installs the wasm toolchain the browser build needs, skipping what is already there:
# the wasm32 target and the wasm-bindgen CLI at exactly the version the crate pins
# (a mismatch fails at bindgen time). The CLI build takes ~12 min on 2 cores, once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' crates/vae-wasm/Cargo.toml)
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "setup-wasm: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  echo "setup-wasm: installing wasm-bindgen-cli $want (found '${have:-none}'); this takes a while once"
  cargo install wasm-bindgen-cli --version "$want"
else
  echo "setup-wasm: wasm-bindgen $have present"
fi
