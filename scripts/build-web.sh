#!/usr/bin/env bash
# Builds the page into www/build/: the wasm module (scripts/build-wasm.sh), the bundles
# main.js + worker.js (+ main.css, sourcemaps), type checks, the compact data set, the
# pretrained model and the model zoo (models/). Everything the page loads then lives under
# index.html, www/style.css and www/build/.
#
#   SKIP_WASM=1 bash scripts/build-web.sh   # reuse www/build/pkg as it is
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "build-web: $*"; }
die() { echo "build-web: ERROR: $*" >&2; exit 1; }

[[ -x node_modules/.bin/esbuild && -x node_modules/.bin/tsc ]] || die "node_modules missing: run npm ci"

if [[ "${SKIP_WASM:-0}" != 1 ]]; then
  bash scripts/build-wasm.sh
fi
[[ -f www/build/pkg/vae_wasm.js && -f www/build/pkg/vae_wasm_bg.wasm ]] ||
  die "www/build/pkg/vae_wasm.js missing: run bash scripts/build-wasm.sh"

# Two type checks: the DOM and WebWorker libraries cannot share one program.
log "type-checking"
node_modules/.bin/tsc -p www/tsconfig.json
node_modules/.bin/tsc -p www/tsconfig.worker.json

log "bundling"
node_modules/.bin/esbuild main=www/src/app/main.ts worker=www/src/worker/lead.ts replica-worker=www/src/worker/replica-worker.ts \
  posterior-worker=www/src/worker/posterior-worker.ts lab-worker=www/src/worker/lab-worker.ts import-worker=www/src/worker/import-worker.ts \
  --bundle --format=esm --target=es2022 --minify --sourcemap \
  --outdir=www/build --log-level=warning

# The compact data set: gzip -9 of MNIST's raw idx files; Fashion-MNIST is gzipped already.
# Skipped when the output is newer than its source.
copy_if_newer() { # SRC DST [gzip]
  local src=$1 dst=$2
  [[ -f "$dst" && "$dst" -nt "$src" ]] && return 0
  mkdir -p "$(dirname "$dst")"
  if [[ "${3:-}" == gzip ]]; then
    gzip -9 -k -c "$src" >"$dst.tmp"
  else
    cp "$src" "$dst.tmp"
  fi
  mv "$dst.tmp" "$dst"
  log "wrote $dst ($(stat -c %s "$dst") bytes)"
}

shopt -s nullglob
mnist=(data/mnist/*-ubyte)
fashion=(data/fashion-mnist/*-ubyte.gz)
((${#mnist[@]} == 4)) || log "warning: data/mnist is incomplete (run npm run fetch-data); training will not work"
((${#fashion[@]} == 4)) || log "warning: data/fashion-mnist is incomplete (run npm run fetch-data)"
for f in "${mnist[@]}"; do copy_if_newer "$f" "www/build/data/mnist/$(basename "$f").gz" gzip; done
for f in "${fashion[@]}"; do copy_if_newer "$f" "www/build/data/fashion-mnist/$(basename "$f")"; done

# By content, not date: a checkout can leave the committed model older than a stale copy.
if [[ -f www/assets/pretrained.safetensors ]]; then
  if ! cmp -s www/assets/pretrained.safetensors www/build/pretrained.safetensors; then
    cp www/assets/pretrained.safetensors www/build/pretrained.safetensors
    log "copied the pretrained model"
  fi
else
  log "warning: www/assets/pretrained.safetensors missing; the page will start untrained"
fi
# The model zoo (scripts/zoo.sh), served as models/<name>.safetensors next to the bundle,
# with each one's metrics (the widget's `model.metrics`).
mkdir -p www/build/models
[[ -f www/assets/pretrained.metrics.json ]] && cp www/assets/pretrained.metrics.json www/build/
for f in www/assets/models/*.safetensors www/assets/models/*.metrics.json; do
  if ! cmp -s "$f" "www/build/models/$(basename "$f")"; then
    cp "$f" www/build/models/
    log "copied the zoo's $(basename "$f")"
  fi
done

log "done: $(stat -c %s www/build/main.js) B main.js, $(stat -c %s www/build/worker.js) B worker.js, $(stat -c %s www/build/pkg/vae_wasm_bg.wasm) B wasm"
