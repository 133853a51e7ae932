#!/usr/bin/env bash
# One command from a fresh clone to a running playground: installs what is missing
# (npm packages, the data sets, the wasm toolchain; not the test browser), builds the page
# and the widget (dist/, which examples/tutorial.html embeds), serves them.
#   npm start            # or: PORT=9000 npm start
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VAE_SKIP_BROWSER=1 bash scripts/setup.sh
bash scripts/build-dist.sh
exec node scripts/serve.mjs
