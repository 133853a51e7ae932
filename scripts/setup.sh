#!/usr/bin/env bash
# Installs everything `npm test` and `npm start` need on a fresh machine, skipping what is
# already there: Debian's Chromium (for the browser tests), npm packages, Python's numpy and
# safetensors (the interop test), the data, and the wasm toolchain. Each step says what it did.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to apt-get install $*; install them and re-run" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [[ "${VAE_SKIP_BROWSER:-}" != 1 ]] && { [[ ! -x /usr/bin/chromium ]] || [[ ! -x /usr/bin/chromedriver ]]; }; then
  echo "setup: installing Debian chromium (headless browser tests)"
  apt_install chromium chromium-driver
else
  echo "setup: chromium present"
fi

# npm ci when node_modules is missing or older than the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: node_modules up to date"
fi

# The NumPy interop test (tests/interop) needs the safetensors and numpy Python packages.
# Without python3 it is skipped; pip --user installs into ~/.local, and on a Debian python3
# (PEP 668, "externally managed") that needs --break-system-packages, still only ~/.local.
if ! command -v python3 >/dev/null; then
  echo "setup: no python3; the NumPy interop test will be skipped"
elif python3 -c 'import safetensors, numpy' 2>/dev/null; then
  echo "setup: python3 safetensors + numpy present"
else
  echo "setup: pip install --user safetensors numpy (the NumPy interop test)"
  python3 -m pip install --user --quiet safetensors numpy 2>/dev/null ||
    python3 -m pip install --user --quiet --break-system-packages safetensors numpy ||
    echo "setup: warning: could not install safetensors + numpy; the NumPy interop test will be skipped"
fi

bash scripts/fetch-data.sh
bash scripts/setup-wasm.sh
