#!/usr/bin/env bash
# `npm test`: every test. Sets up what is missing, then runs the Rust tests (core, CLI,
# wasm binding; the matmul kernel in wasm), the NumPy reference against the core, builds the
# page, and drives it in headless Chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
echo "== formatting (rustfmt.toml)"
cargo fmt --all --check
echo "== lints (clippy, every warning an error)"
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --workspace --all-targets -q -- -D warnings
else
  echo "skipped: clippy is not installed (rustup component add clippy)"
fi
echo "== type checks (page: DOM library; workers: WebWorker library)"
[[ -f www/build/pkg/vae_wasm.js ]] || bash scripts/build-wasm.sh # the binding's types come from its glue
node_modules/.bin/tsc -p www/tsconfig.json --noEmit
node_modules/.bin/tsc -p www/tsconfig.worker.json --noEmit
echo "== unit tests of the DOM-free TypeScript (Node)"
node --test tests/unit/*.test.mjs
echo "== Rust tests"
cargo test --workspace
echo "== NumPy interop: examples/numpy_vae.py against the core, every shipped checkpoint"
if command -v python3 >/dev/null && python3 -c 'import safetensors, numpy' 2>/dev/null; then
  cargo build -q -p vae-cli
  VAE_BIN="${CARGO_TARGET_DIR:-target}/debug/vae" python3 tests/interop/numpy_vs_core.py
else
  echo "skipped: needs python3 with safetensors and numpy (scripts/setup.sh installs them)"
fi
echo "== the matmul kernel in wasm (both builds, in Chromium)"
bash scripts/test-wasm.sh
echo "== build the page and the widget (dist/)"
bash scripts/build-dist.sh
echo "== browser tests"
# A file list, not a directory: Node >= 21 rejects a directory argument.
node --test --test-concurrency=1 tests/e2e/*.test.mjs
