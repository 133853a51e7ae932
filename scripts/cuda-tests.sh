#!/usr/bin/env bash
# `npm run test:cuda`: the CUDA build and the CUDA tests (crates/vae-core/tests/cuda.rs).
#
#   scripts/cuda-tests.sh [all]  build the bundle; run it when this machine has a GPU
#   scripts/cuda-tests.sh build  build the bundle and check that it skips cleanly here
#   scripts/cuda-tests.sh run    run the bundle on this machine's GPU (builds it if missing)
#
# No GPU is needed to build. The toolkit comes from pinned CUDA 13.0 PyPI wheels (nvcc
# and NVRTC 13.0: newer ones emit PTX that the 580 driver rejects), unpacked into a cache
# outside the repository and arranged as a toolkit tree, with a stub libcuda (the link
# needs one; at run time it answers "no device") and a stand-in nvidia-smi for dfdx's
# build script. Every step is skipped when already done. Cargo builds into its own target
# directory in that cache, so the normal CPU build is untouched.
#
# The bundle (target/cuda-bundle/: the test binary, the `vae` binary built with
# --features cuda, run.sh) needs no Rust: carry it to a machine with an NVIDIA driver for
# CUDA 13 and cuBLAS 13 (e.g. PyTorch's cu13 wheels), and run `bash run.sh` there.
#
# Environment:
#   VAE_CUDA_CACHE    wheels, toolkit, stubs, cargo target dir [~/.cache/vae-playground/cuda13]
#   VAE_CUDA_BUNDLE   the bundle directory [target/cuda-bundle]
#   CUDA_COMPUTE_CAP  GPU architecture the kernels are compiled for [90: H100/H200]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

MODE=${1:-all}
case "$MODE" in
  all | build | run) ;;
  *) echo "usage: $0 [all|build|run]" >&2; exit 64 ;;
esac

CACHE=${VAE_CUDA_CACHE:-$HOME/.cache/vae-playground/cuda13}
BUNDLE=${VAE_CUDA_BUNDLE:-$ROOT/target/cuda-bundle}
CAP=${CUDA_COMPUTE_CAP:-90}
WHEELS=$CACHE/wheels
SITE=$CACHE/site
TK=$SITE/nvidia/cu13           # the toolkit tree (CUDA_ROOT)
STUBS=$CACHE/stub-driver       # stub libcuda.so.1 (link time, and the no-GPU check)
FAKEBIN=$CACHE/fake-bin        # stand-in nvidia-smi, on PATH for the build only
TARGET=$CACHE/target           # CARGO_TARGET_DIR of the CUDA build

# Pinned: the toolkit must be CUDA 13.0 (see above). cuBLAS and NVRTC are the real
# libraries, so the link checks every symbol the binaries use against 13.0.
WHEEL_SPECS=(
  nvidia-cuda-nvcc==13.0.48
  nvidia-nvvm==13.0.48
  nvidia-cuda-crt==13.0.48
  nvidia-cuda-cccl==13.0.50
  nvidia-cuda-runtime==13.0.48
  nvidia-cuda-nvrtc==13.0.48
  nvidia-cublas==13.0.0.19
)

say() { printf '== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

has_gpu() {
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU [0-9]'
}

# ---------------------------------------------------------------------------------------
# 1. The pinned wheels, downloaded once into the cache.
fetch_wheels() {
  mkdir -p "$WHEELS"
  local spec name ver missing=()
  for spec in "${WHEEL_SPECS[@]}"; do
    name=${spec%%==*}; ver=${spec##*==}
    compgen -G "$WHEELS/${name//-/_}-$ver-*.whl" >/dev/null || missing+=("$spec")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "wheels: all ${#WHEEL_SPECS[@]} present in $WHEELS"
    return
  fi
  say "wheels: downloading ${missing[*]} (~600 MB, once)"
  local spec_one
  for spec_one in "${missing[@]}"; do
    if ! python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$WHEELS" "$spec_one" >"$CACHE/pip-download.log" 2>&1; then
      tail -5 "$CACHE/pip-download.log" >&2
      die "could not download the wheel $spec_one from PyPI (log: $CACHE/pip-download.log).
The CUDA build needs exactly this version: nvcc/NVRTC newer than 13.0 emit PTX that the
580 driver rejects. Put ${spec_one%%==*}-${spec_one##*==}-*.whl into $WHEELS by hand and run again."
    fi
  done
}

# 2. Installed (unpacked) into $SITE, once per set of wheels.
install_wheels() {
  local stamp="${WHEEL_SPECS[*]}"
  if [ -f "$SITE/.installed" ] && [ "$(cat "$SITE/.installed")" = "$stamp" ] && [ -x "$TK/bin/nvcc" ]; then
    say "toolkit: installed in $TK"
    return
  fi
  say "toolkit: installing the wheels into $SITE"
  local files=() spec name ver
  for spec in "${WHEEL_SPECS[@]}"; do
    name=${spec%%==*}; ver=${spec##*==}
    files+=("$(compgen -G "$WHEELS/${name//-/_}-$ver-*.whl" | head -1)")
  done
  rm -rf "$SITE"
  # One pip call for all of them: they share the nvidia/cu13 directory.
  python3 -m pip install --disable-pip-version-check --no-deps --no-index --no-compile \
    --target "$SITE" "${files[@]}" >"$CACHE/pip-install.log" 2>&1 \
    || { tail -5 "$CACHE/pip-install.log" >&2; die "pip could not install the wheels (log: $CACHE/pip-install.log)"; }
  echo "$stamp" >"$SITE/.installed"
}

# 3. The layout nvcc and cudarc expect: nvvm/bin/cicc, targets/x86_64-linux/{include,lib},
#    unversioned .so names for -lcublas -lcublasLt -lnvrtc, and lib/stubs/libcuda.so.
arrange_toolkit() {
  mkdir -p "$TK/nvvm/bin" "$TK/targets/x86_64-linux" "$TK/lib/stubs"
  ln -sfn ../../bin/cicc "$TK/nvvm/bin/cicc"
  ln -sfn ../../include "$TK/targets/x86_64-linux/include"
  ln -sfn ../../lib "$TK/targets/x86_64-linux/lib"
  local lib
  for lib in cublas cublasLt nvrtc cudart; do
    [ -e "$TK/lib/lib$lib.so.13" ] || die "the wheels lack lib$lib.so.13 under $TK/lib"
    ln -sfn "lib$lib.so.13" "$TK/lib/lib$lib.so"
  done
  ln -sfn "$STUBS/libcuda.so.1" "$TK/lib/stubs/libcuda.so"
  [ -f "$TK/include/cuda.h" ] || die "the wheels lack include/cuda.h under $TK"
  "$TK/bin/nvcc" --list-gpu-code | grep -qx "sm_$CAP" \
    || die "nvcc 13.0 cannot target sm_$CAP (CUDA_COMPUTE_CAP=$CAP); it offers: $("$TK/bin/nvcc" --list-gpu-code | tr '\n' ' ')"
  say "toolkit: $("$TK/bin/nvcc" --version | grep -o 'release [0-9.]*, V[0-9.]*'), kernels for sm_$CAP"
}

# 4. A stub libcuda.so.1: every driver function cudarc declares, each answering
#    CUDA_ERROR_NO_DEVICE (100), so the binaries link without a driver and, run here,
#    report "no device" instead of failing to load. Never shipped in the bundle.
build_stub_driver() {
  local sys
  sys=$(cargo metadata --format-version 1 --features vae-core/cuda 2>/dev/null | python3 -c '
import json, os, sys
for p in json.load(sys.stdin)["packages"]:
    if p["name"] == "cudarc":
        print(os.path.join(os.path.dirname(p["manifest_path"]), "src", "driver", "sys.rs")); break
') || true
  [ -n "$sys" ] && [ -f "$sys" ] || die "cannot find cudarc's src/driver/sys.rs through cargo metadata"
  mkdir -p "$STUBS"
  if [ -f "$STUBS/libcuda.so.1" ] && [ "$STUBS/libcuda.so.1" -nt "$sys" ] && [ "$STUBS/libcuda.so.1" -nt "$ROOT/scripts/cuda-tests.sh" ]; then
    say "stub libcuda.so.1: present"
    return
  fi
  command -v cc >/dev/null || die "a C compiler (cc) is needed to build the stub libcuda.so.1: apt-get install gcc"
  python3 - "$sys" >"$STUBS/libcuda-stub.c" <<'PY'
import re, sys
names = sorted(set(re.findall(r"\bpub fn (cu[A-Za-z0-9_]+)\s*\(", open(sys.argv[1]).read())))
print("/* Stub libcuda.so.1, generated by scripts/cuda-tests.sh from cudarc's driver bindings. */")
print('static const char msg[] = "no NVIDIA driver here: stub libcuda.so.1 of scripts/cuda-tests.sh";')
print("int cuGetErrorString(int e, const char **s) { (void)e; *s = msg; return 0; }")
print('int cuGetErrorName(int e, const char **s) { (void)e; *s = "CUDA_ERROR_NO_DEVICE"; return 0; }')
for n in names:
    if n not in ("cuGetErrorString", "cuGetErrorName"):
        print("int %s(void) { return 100; }" % n)
PY
  cc -shared -fPIC -O1 -Wl,-soname,libcuda.so.1 -o "$STUBS/libcuda.so.1" "$STUBS/libcuda-stub.c"
  ln -sfn libcuda.so.1 "$STUBS/libcuda.so"
  say "stub libcuda.so.1: built ($(grep -c '^int ' "$STUBS/libcuda-stub.c") functions)"
}

# 5. dfdx's build script asks nvidia-smi for the compute capability (and panics without
#    it, even with CUDA_COMPUTE_CAP set). This one answers only that, for the build.
fake_nvidia_smi() {
  mkdir -p "$FAKEBIN"
  cat >"$FAKEBIN/nvidia-smi" <<'SH'
#!/bin/sh
# Stand-in for dfdx's build script only (scripts/cuda-tests.sh): there is no GPU here.
cap=${CUDA_COMPUTE_CAP:-90}
echo compute_cap
echo "$((cap / 10)).$((cap % 10))"
SH
  chmod +x "$FAKEBIN/nvidia-smi"
}

# 6. The two cargo builds, both in the release profile so they share every dependency
#    (dfdx and its 49 nvcc kernels are built once).
cargo_build() {
  command -v cargo >/dev/null || die "cargo is needed to build (or carry a bundle built elsewhere and use its run.sh)"
  export CUDA_ROOT=$TK CUDA_COMPUTE_CAP=$CAP CARGO_TARGET_DIR=$TARGET
  export PATH=$FAKEBIN:$TK/bin:$PATH
  local t0 t1 json
  t0=$(now)
  say "cargo: test binary (cargo test --release --no-run --features cuda -p vae-core --test cuda) into $TARGET"
  json=$CACHE/cargo-test.json
  cargo test --release --no-run --features cuda -p vae-core --test cuda \
    --message-format=json-render-diagnostics >"$json"
  TEST_BIN=$(python3 -c '
import json, sys
exe = None
for line in open(sys.argv[1]):
    try: m = json.loads(line)
    except ValueError: continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "cuda":
        exe = m["executable"]
print(exe or "")
' "$json")
  [ -n "$TEST_BIN" ] && [ -x "$TEST_BIN" ] || die "cargo built no test binary for tests/cuda.rs (see $json)"
  t1=$(now)
  say "cargo: vae binary (cargo build --release --features cuda -p vae-cli)"
  cargo build --release --features cuda -p vae-cli
  VAE_BIN=$TARGET/release/vae
  BUILD_SECS=$(( $(now) - t0 ))
  say "cargo: done in ${BUILD_SECS}s (test binary $(( t1 - t0 ))s, then vae $(( $(now) - t1 ))s)"
}

# 7. The bundle: what a GPU machine without Rust needs.
make_bundle() {
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE"
  cp "$TEST_BIN" "$BUNDLE/cuda-tests"
  cp "$VAE_BIN" "$BUNDLE/vae"
  cp "$ROOT/scripts/cuda-run.sh" "$BUNDLE/run.sh"
  chmod +x "$BUNDLE/run.sh"
  {
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo +changes)"
    echo "rustc=$(rustc -V)"
    echo "nvcc=$("$TK/bin/nvcc" --version | grep -o 'V[0-9][0-9.]*')"
    echo "compute_cap=$CAP"
    echo "needs=libcuda.so.1 (driver for CUDA 13), libcublas.so.13, libcublasLt.so.13, libnvrtc.so.13"
    (cd "$BUNDLE" && sha256sum cuda-tests vae)
  } >"$BUNDLE/build-info.txt"
  say "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)): cuda-tests $(du -h "$BUNDLE/cuda-tests" | cut -f1), vae $(du -h "$BUNDLE/vae" | cut -f1), run.sh, build-info.txt"
}

# 8. Without a GPU: run both binaries against the stub driver and the wheels' cuBLAS and
#    NVRTC. This proves that they load (every symbol resolves against the 13.0 libraries)
#    and that each test skips cleanly and the CLI refuses cleanly when there is no device.
check_skip_path() {
  local log=$CACHE/skip-check.log missing
  missing=$(LD_LIBRARY_PATH=$TK/lib:$STUBS ldd "$BUNDLE/cuda-tests" "$BUNDLE/vae" | grep 'not found' || true)
  [ -z "$missing" ] || die "the binaries need libraries that are not there: $missing"
  if ! LD_LIBRARY_PATH=$TK/lib:$STUBS "$BUNDLE/cuda-tests" --test-threads=1 >"$log" 2>&1; then
    cat "$log" >&2
    die "the CUDA tests did not pass (skip) without a device; log above"
  fi
  local ran skipped
  ran=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log")
  skipped=$(grep -o 'skipping: no CUDA device' "$log" | wc -l)
  [ "${ran:-0}" -gt 0 ] && [ "$skipped" -eq "$ran" ] \
    || { cat "$log" >&2; die "expected every one of the $ran tests to skip, but $skipped did"; }
  say "no-GPU check: all $ran CUDA tests load, run and skip: $(grep -m1 -o 'skipping: .*' "$log")"
  local out
  if out=$(LD_LIBRARY_PATH=$TK/lib:$STUBS "$BUNDLE/vae" bench --device cuda --steps 1 --warmup 0 2>&1); then
    die "vae bench --device cuda succeeded against the stub driver: $out"
  fi
  echo "$out" | grep -q 'cannot open the CUDA device' || die "vae bench --device cuda failed unexpectedly: $out"
  say "no-GPU check: vae bench --device cuda -> $out"
  SKIP_CHECKED=$ran
}

build_all() {
  command -v cargo >/dev/null || die "cargo is needed to build the bundle (on a machine without Rust, carry a bundle built elsewhere and run its run.sh)"
  command -v python3 >/dev/null || die "python3 with pip is needed to fetch the CUDA wheels"
  [ "$(uname -sm)" = "Linux x86_64" ] || die "the CUDA build is set up for Linux x86_64 only (this is $(uname -sm))"
  mkdir -p "$CACHE"
  fetch_wheels
  install_wheels
  build_stub_driver
  arrange_toolkit
  fake_nvidia_smi
  cargo_build
  make_bundle
  if has_gpu; then
    say "no-GPU check: not done (this machine has a GPU)"
  else
    check_skip_path
  fi
}

run_bundle() {
  if [ ! -x "$BUNDLE/run.sh" ]; then
    say "no bundle at $BUNDLE: building it first"
    build_all
  fi
  bash "$BUNDLE/run.sh"
}

case "$MODE" in
  build)
    build_all
    echo "built ($BUNDLE; ${BUILD_SECS}s), GPU run not done: 'build' only$( has_gpu || echo ', and there is no GPU here')"
    ;;
  run)
    run_bundle
    ;;
  all)
    build_all
    if has_gpu; then
      bash "$BUNDLE/run.sh"
    else
      echo "built ($BUNDLE; ${BUILD_SECS}s; ${SKIP_CHECKED:-0} tests skip cleanly without a device), GPU run not done: no GPU"
    fi
    ;;
esac
