#!/usr/bin/env bash
# `npm run build`: the embeddable <vae-playground> widget in dist/, a folder to copy to any
# static host (any path: everything is found relative to the module's own URL).
#
#   dist/vae-playground.js      the custom element (ES module, CSS inside)
#   dist/worker.js, replica-worker.js   the training workers, started on first training
#   dist/posterior-worker.js    the posterior map's worker, started when the map is seen
#   dist/import-worker.js       parses uploads of your own data (widgets showing the full page)
#   dist/lab-worker.js          the estimator lab's worker, started by its Measure button
#   dist/pkg/vae_wasm_bg.wasm, vae_wasm_relaxed_bg.wasm
#                               the model code (plain simd128 / relaxed SIMD, picked at run
#                               time), one instance per page however many widgets
#   dist/pretrained.safetensors the default model
#   dist/models/*.safetensors   the model zoo, by name: model="mnist-2d" (scripts/zoo.sh)
#   dist/data/...               gzipped MNIST / Fashion-MNIST (training, test digits)
#   dist/README.md              docs/widget.md: the snippets, attributes, API and events
#   dist/vae-playground.d.ts, types/   the element's types (emitted from www/src/widget/)
#   dist/package.json           the npm package: `npm pack` in dist/ (docs/widget.md)
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
  posterior-worker=www/src/worker/posterior-worker.ts lab-worker=www/src/worker/lab-worker.ts import-worker=www/src/worker/import-worker.ts \
  --bundle --format=esm --target=es2022 --minify --loader:.css=text \
  --outdir="$out" --log-level=warning --log-override:ignored-bare-import=silent

cp www/build/pkg/vae_wasm_bg.wasm www/build/pkg/vae_wasm_relaxed_bg.wasm "$out/pkg/"
[[ -f www/build/pretrained.safetensors ]] && cp www/build/pretrained.safetensors "$out/"
[[ -f www/build/pretrained.metrics.json ]] && cp www/build/pretrained.metrics.json "$out/"
[[ -d www/build/models ]] && cp -r www/build/models "$out/models"
[[ -d www/build/data ]] && cp -r www/build/data "$out/data"

log "emitting the widget's types"
node_modules/.bin/tsc -p www/tsconfig.types.json
mkdir -p "$out/types"
for f in index element types; do cp "$out/declarations/widget/$f.d.ts" "$out/types/"; done
rm -rf "$out/declarations"
# The three files must stand alone: an import of the page's internals would not resolve.
if grep -n "from '\.\./" "$out"/types/*.d.ts; then
  echo "build-dist: ERROR: the widget's public declarations import internals (above)" >&2
  exit 1
fi
echo "export * from './types/index.js';" >"$out/vae-playground.d.ts"

# The package: the same folder, so a bundler's import and a plain <script type="module">
# load the same files; everything else is found relative to the module at run time.
node -e '
const root = require("./package.json");
const pkg = {
  name: "vae-playground",
  version: root.version,
  description: "<vae-playground>: a variational autoencoder (AEVB) you can train, draw into and script, in the browser",
  type: "module",
  license: root.license,
  main: "./vae-playground.js",
  types: "./vae-playground.d.ts",
  exports: {
    ".": { types: "./vae-playground.d.ts", import: "./vae-playground.js", default: "./vae-playground.js" },
    "./package.json": "./package.json",
    "./*": "./*",
  },
  files: ["*.js", "*.d.ts", "types/", "pkg/", "models/", "data/", "pretrained.safetensors", "pretrained.metrics.json", "README.md"],
  sideEffects: true,
};
require("fs").writeFileSync(process.argv[1] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$out"

# The authors' page is the package's README: one home for the attributes, methods and events.
cp docs/widget.md "$out/README.md"

rm -rf dist
mv "$out" dist
log "done: $(stat -c %s dist/vae-playground.js) B vae-playground.js, $(du -sh dist | cut -f1) in dist/"
