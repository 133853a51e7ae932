#!/usr/bin/env bash
# The matmul kernel's tests (crates/gemm-shim/tests/matmul.rs) in wasm, in headless Chromium,
# once per build the page ships: plain simd128 and relaxed SIMD. wasm-bindgen-test-runner
# (the pinned wasm-bindgen CLI's, scripts/setup-wasm.sh) drives Chromium through chromedriver.
# Skips (exit 0, with a message) where Chromium or chromedriver is absent; fails on any test
# failure. CHROMIUM / CHROMEDRIVER override the Debian paths.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

chromium=${CHROMIUM:-/usr/bin/chromium}
chromedriver=${CHROMEDRIVER:-/usr/bin/chromedriver}
for tool in "$chromium" "$chromedriver"; do
  if [[ ! -x $tool ]]; then
    echo "test-wasm: SKIPPED: $tool not found (apt-get install chromium chromium-driver)"
    exit 0
  fi
done
command -v wasm-bindgen-test-runner >/dev/null ||
  { echo "test-wasm: ERROR: wasm-bindgen-test-runner missing (bash scripts/setup-wasm.sh)" >&2; exit 1; }

target_dir=${CARGO_TARGET_DIR:-target}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The flags that work headless as root here (no sandbox, no network chatter), a fresh profile.
cat >"$tmp/webdriver.json" <<JSON
{
  "goog:chromeOptions": {
    "binary": "$chromium",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=$tmp/profile"]
  }
}
JSON
export CHROMEDRIVER=$chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=$tmp/webdriver.json
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# The runner's whole-run limit defaults to 20 s: the model-size cases take longer than that
# on a busy 2-core machine (a limit on hanging, not a timed assertion).
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-600}
# Same target dirs and flags as scripts/build-wasm.sh, so the dependencies are built once.
run() { # NAME TARGET_DIR FEATURES
  echo "== test-wasm: $1 ($3)"
  CARGO_TARGET_DIR=$2 RUSTFLAGS="-C target-feature=$3 -C llvm-args=-disable-lsr" \
    cargo test --target wasm32-unknown-unknown -p gemm@0.15.99
}
run "plain simd128" "$target_dir" +simd128
run "relaxed SIMD" "$target_dir/relaxed-simd" +simd128,+relaxed-simd
echo "test-wasm: both builds passed"
