#!/usr/bin/env bash
# One command from a fresh clone to a running playground: installs what is missing
# (npm packages, the data sets, the wasm toolchain), builds the page, serves it.
#   npm start            # or: PORT=9000 bash scripts/start.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "start: $*"; }

# npm ci when node_modules is missing or older than the lockfile (npm writes
# node_modules/.package-lock.json on every install).
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
fi

bash scripts/fetch-data.sh

if [[ -f scripts/setup-wasm.sh ]]; then
  bash scripts/setup-wasm.sh
fi

# The page and the widget (dist/, which examples/tutorial.html embeds).
bash scripts/build-dist.sh
exec node scripts/serve.mjs
