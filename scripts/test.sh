#!/usr/bin/env bash
# `npm test`: every test. Sets up what is missing, then runs the Rust tests (core, CLI,
# wasm binding; the matmul kernel in wasm), builds the page, and drives it in headless Chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
echo "== Rust tests"
cargo test --workspace
echo "== the matmul kernel in wasm (both builds, in Chromium)"
bash scripts/test-wasm.sh
echo "== build the page and the widget (dist/)"
bash scripts/build-dist.sh
echo "== browser tests"
node --test --test-concurrency=1 tests/e2e/
