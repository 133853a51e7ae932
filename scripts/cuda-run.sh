#!/usr/bin/env bash
# run.sh of the CUDA bundle (copied there by scripts/cuda-tests.sh): runs the CUDA tests
# and `vae bench --device cuda` on a machine with an NVIDIA GPU. Needs no Rust: only the
# driver (libcuda.so.1, for CUDA 13) and libcublas.so.13, libcublasLt.so.13 and
# libnvrtc.so.13, found in PyTorch's cu13 wheels (site-packages/nvidia/cu13/lib), a CUDA 13
# toolkit, or wherever VAE_CUDA_LIBS points.
#
# Writes under $VAE_CUDA_OUT, else $OUT, else <bundle>/out: cuda-tests.log (the parity
# errors are printed there), cuda-parity.txt, bench.jsonl, cuda-trained.safetensors (a
# checkpoint trained on the GPU, for the CPU, the CLI and the browser), summary.txt.
#
# Environment: VAE_CUDA_LIBS (a directory with the cu13 libraries), VAE_MNIST_DIR (MNIST's
# IDX files: also trains one epoch of `vae train --device cuda` into mnist-cuda.safetensors).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${VAE_CUDA_OUT:-${OUT:-$HERE/out}}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
SUMMARY=$OUTDIR/summary.txt

say() { printf '== %s\n' "$*"; }
finish() { # status, message
  echo "$2" | tee "$SUMMARY"
  exit "$1"
}

# 1. A GPU, or nothing to do.
if ! command -v nvidia-smi >/dev/null 2>&1; then
  finish 2 "GPU run not done: no GPU (no nvidia-smi on PATH)"
fi
if ! nvidia-smi -L 2>/dev/null | grep -q '^GPU [0-9]'; then
  finish 2 "GPU run not done: no GPU (nvidia-smi -L lists none: $(nvidia-smi -L 2>&1 | head -1))"
fi
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
GPU_CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '.')
DRIVER=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
BUILT_CAP=$(sed -n 's/^compute_cap=//p' "$HERE/build-info.txt" 2>/dev/null)
say "GPU: $GPU (sm_$GPU_CAP), driver $DRIVER; kernels built for sm_${BUILT_CAP:-?}"
if [ -n "$BUILT_CAP" ] && [ -n "$GPU_CAP" ] && [ "$GPU_CAP" -lt "$BUILT_CAP" ]; then
  finish 2 "GPU run not done: the kernels are PTX for sm_$BUILT_CAP, which this sm_$GPU_CAP GPU cannot load; rebuild with CUDA_COMPUTE_CAP=$GPU_CAP scripts/cuda-tests.sh build"
fi

# 2. The CUDA 13 libraries.
has_libs() { [ -e "$1/libcublas.so.13" ] && [ -e "$1/libcublasLt.so.13" ] && [ -e "$1/libnvrtc.so.13" ]; }
find_libs() {
  local d py
  if [ -n "${VAE_CUDA_LIBS:-}" ]; then echo "$VAE_CUDA_LIBS"; return; fi
  for py in python3 python; do
    command -v "$py" >/dev/null 2>&1 || continue
    for d in $("$py" -c 'import nvidia, os; print("\n".join(os.path.join(p, "cu13", "lib") for p in nvidia.__path__))' 2>/dev/null); do
      has_libs "$d" && { echo "$d"; return; }
    done
  done
  for d in /usr/local/lib/python3*/dist-packages/nvidia/cu13/lib /usr/local/lib/python3*/site-packages/nvidia/cu13/lib \
    /usr/lib/python3*/dist-packages/nvidia/cu13/lib /usr/lib/python3/dist-packages/nvidia/cu13/lib \
    "$HOME"/.local/lib/python3*/site-packages/nvidia/cu13/lib /opt/conda/lib/python3*/site-packages/nvidia/cu13/lib \
    "$HOME"/.pyenv/versions/*/lib/python3*/site-packages/nvidia/cu13/lib /opt/*/lib/python3*/site-packages/nvidia/cu13/lib \
    /usr/local/cuda-13*/lib64 /usr/local/cuda/lib64; do
    has_libs "$d" && { echo "$d"; return; }
  done
}
LIBS=$(find_libs)
if [ -n "$LIBS" ]; then
  export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  say "CUDA libraries: $LIBS"
else
  say "CUDA libraries: no cu13 directory found; relying on the system's library path"
fi
MISSING=$(ldd "$HERE/cuda-tests" "$HERE/vae" 2>&1 | grep 'not found' | sort -u | sed 's/^[[:space:]]*//')
if [ -n "$MISSING" ]; then
  finish 2 "GPU run not done: libraries missing ($(echo "$MISSING" | tr '\n' ';')). Install PyTorch with CUDA 13 (its nvidia/cu13/lib has them) or point VAE_CUDA_LIBS at a directory with libcublas.so.13, libcublasLt.so.13 and libnvrtc.so.13"
fi

# 3. The tests. FP32 GEMMs everywhere: TF32 would blur the CPU/CUDA comparison.
export NVIDIA_TF32_OVERRIDE=0 VAE_CUDA_OUT=$OUTDIR RUST_BACKTRACE=1
rm -f "$OUTDIR/cuda-parity.txt"
say "tests: cuda-tests --test-threads=1 --nocapture"
"$HERE/cuda-tests" --test-threads=1 --nocapture 2>&1 | tee "$OUTDIR/cuda-tests.log"
TEST_RC=${PIPESTATUS[0]}
RESULT=$(grep -m1 '^test result:' "$OUTDIR/cuda-tests.log")
PASSED=$(echo "$RESULT" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
FAILED=$(echo "$RESULT" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
SKIPPED=$(grep -o 'skipping: no CUDA device' "$OUTDIR/cuda-tests.log" | wc -l)

# 4. Throughput.
say "bench: vae bench --device cuda"
(cd "$HERE" && ./vae bench --device cuda) 2>&1 | tee "$OUTDIR/bench.jsonl"
BENCH_RC=${PIPESTATUS[0]}
SPS=$(sed -n 's/.*"samples_per_sec":\([0-9.]*\).*/\1/p' "$OUTDIR/bench.jsonl" | head -1)
(cd "$HERE" && ./vae bench --device cuda --batch 1000 --steps 50 --warmup 5) 2>&1 | tee -a "$OUTDIR/bench.jsonl"
(cd "$HERE" && ./vae bench --device cpu --steps 50 --warmup 5) 2>&1 | tee -a "$OUTDIR/bench.jsonl"

# 5. Optionally a real MNIST model trained on the GPU.
if [ -n "${VAE_MNIST_DIR:-}" ]; then
  say "train: one epoch of MNIST on the GPU"
  MNIST=$(cd "$VAE_MNIST_DIR" && pwd)
  (cd "$HERE" && ./vae train --device cuda --epochs 1 --data-dir "$MNIST" \
    --out "$OUTDIR/mnist-cuda.safetensors" --metrics-json "$OUTDIR/mnist-cuda.json") 2>&1 | tail -5
fi

STATUS=0
[ "$TEST_RC" -eq 0 ] && [ "$BENCH_RC" -eq 0 ] || STATUS=1
if [ -z "$PASSED" ]; then
  finish 1 "GPU run failed on $GPU: the test binary ended without a result (exit $TEST_RC); see $OUTDIR/cuda-tests.log"
fi
if [ "$SKIPPED" -gt 0 ]; then
  STATUS=1
  NOTE=" -- but $SKIPPED skipped: the device did not open ($(grep -m1 -o 'skipping: .*' "$OUTDIR/cuda-tests.log"))"
fi
finish "$STATUS" "ran $((PASSED + FAILED)) tests on $GPU (sm_$GPU_CAP, driver $DRIVER): $PASSED passed, $FAILED failed${NOTE:-}; vae bench --device cuda: ${SPS:-?} samples/s; outputs in $OUTDIR"
