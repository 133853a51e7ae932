#!/usr/bin/env bash
# `npm run build`: the embeddable <vae-playground> widget in dist/, a folder to copy to any
# static host (any path: everything is found relative to the module's own URL).
#
#   dist/vae-playground.js      the custom element (ES module, CSS inside)
#   dist/worker.js, replica-worker.js   the training workers, started on first training
#   dist/posterior-worker.js    the posterior map's worker, started when the map is seen
#   dist/lab-worker.js          the estimator lab's worker, started by its Measure button
#   dist/pkg/vae_wasm_bg.wasm, vae_wasm_relaxed_bg.wasm
#                               the model code (plain simd128 / relaxed SIMD, picked at run
#                               time), one instance per page however many widgets
#   dist/pretrained.safetensors the default model
#   dist/models/*.safetensors   the model zoo, by name: model="mnist-2d" (scripts/zoo.sh)
#   dist/data/...               gzipped MNIST / Fashion-MNIST (training, test digits)
#   dist/README.txt             the snippet to paste into a page
#
# Runs scripts/build-web.sh first (type checks, wasm; SKIP_WASM=1 reuses www/build/pkg).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "build-dist: $*"; }

bash scripts/build-web.sh

# Built beside dist/ and swapped in at the end: a failed build leaves the last good dist/.
out=dist.tmp
rm -rf "$out"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/pkg"

log "bundling the widget and its workers"
# CSS as text: the element adopts it into its shadow root, so no <link> or <style> is needed
# on the host page (and nothing leaks out of the widget).
node_modules/.bin/esbuild vae-playground=www/src/widget/index.ts worker=www/src/worker/lead.ts replica-worker=www/src/worker/replica-worker.ts \
  posterior-worker=www/src/worker/posterior-worker.ts lab-worker=www/src/worker/lab-worker.ts \
  --bundle --format=esm --target=es2022 --minify --loader:.css=text \
  --outdir="$out" --log-level=warning --log-override:ignored-bare-import=silent

cp www/build/pkg/vae_wasm_bg.wasm www/build/pkg/vae_wasm_relaxed_bg.wasm "$out/pkg/"
[[ -f www/build/pretrained.safetensors ]] && cp www/build/pretrained.safetensors "$out/"
[[ -d www/build/models ]] && cp -r www/build/models "$out/models"
[[ -d www/build/data ]] && cp -r www/build/data "$out/data"

cat >"$out/README.txt" <<'TXT'
The VAE playground as a widget: <vae-playground>
=================================================

Copy this folder (all of it) to your web server, next to your page or anywhere on the same
site, then paste into your page (adjust the path to where the folder is):

  <script type="module" src="dist/vae-playground.js"></script>
  <vae-playground view="traverse"></vae-playground>

Attributes
  view       full | draw | posterior | estimators | traverse | interpolate | samples | manifold | train  (default full)
  model      a model of the zoo by name: default, mnist-2d (latent 2), mnist-10d,
             fashion-10d, mnist-dlgm (two stochastic layers); or the URL of a
             .safetensors checkpoint, relative to your page (default: the pretrained
             model in this folder)
  latent, hidden, activation, decoder
             an architecture; when it differs from the model's, the widget starts from an
             untrained model of that shape (e.g. view="train" latent="2": train it and watch
             the 2-D manifold appear)
  dataset (mnist | fashion-mnist), optimizer (adam | adagrad), lr, batch,
  estimator (a | b | iwae), samples, workers
             training settings
  autoplay   start training as soon as the widget is ready (train and full views)
  height     a CSS height ("480" means 480px); the widget scrolls inside it

Several widgets on one page share one WebAssembly module and one copy of the data, but each
has its own model: training one does not change another. A widget starts its training
worker(s) only when it trains.

Hosting
  - Serve .wasm as application/wasm (most servers do).
  - Serve this folder from the same site (origin) as the page: browsers start Web Workers
    only from the page's own origin, and training runs in workers.
  - No special headers are needed (no COOP/COEP); the widget works inside an iframe too.
  - A Content-Security-Policy must allow script-src 'self' 'wasm-unsafe-eval'; the widget
    uses no inline scripts, no eval and no inline <style> (its styles are adopted into its
    shadow root).
TXT

rm -rf dist
mv "$out" dist
log "done: $(stat -c %s dist/vae-playground.js) B vae-playground.js, $(du -sh dist | cut -f1) in dist/"
