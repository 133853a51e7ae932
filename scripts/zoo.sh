#!/usr/bin/env bash
# Retrains the model zoo with the CLI, reproducibly (fixed seeds and epochs; the same
# command gives the same weights on the same machine), and writes for each model its
# checkpoint and a metrics file: the test ELBO (whole test set, from training), the
# importance-sampled log p(x) with the ELBO on the same images (`vae eval`), the commands
# that made them, the size and the training curves.
#
#   bash scripts/zoo.sh                    # every model (~10 minutes on 2 busy cores)
#   bash scripts/zoo.sh mnist-2d fashion-10d
#   ZOO_IW=5000 ZOO_IW_IMAGES=10000 bash scripts/zoo.sh   # a heavier evaluation
#
# Output: www/assets/models/<name>.safetensors and <name>.metrics.json, which the page and
# the widget serve as models/<name>.safetensors (model="mnist-2d", #model=mnist-2d); the
# default model stays www/assets/pretrained.safetensors (+ pretrained.metrics.json).
# Training runs under `nice -n 10`. VAE=path uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "zoo: $*" >&2; }

# log p(x): K importance samples on the first N test images. K = 1000 on all 10,000 takes
# ~8 minutes per model on 2 busy cores; 1000 images keep the whole zoo near 10 minutes,
# with a standard error near 1 nat.
IW=${ZOO_IW:-1000}
IW_IMAGES=${ZOO_IW_IMAGES:-1000}

# name | checkpoint | train flags (besides --seed, --out, --metrics-json) | what it is for
MODELS=(
  "default|www/assets/pretrained.safetensors|--hidden 256 --latent 10 --epochs 20 --init paper --seed 7|the page's default model"
  "mnist-2d|www/assets/models/mnist-2d.safetensors|--hidden 128 --latent 2 --epochs 10 --seed 1|latent 2: the manifold and the posterior view"
  "mnist-10d|www/assets/models/mnist-10d.safetensors|--hidden 128 --latent 10 --epochs 10 --seed 1|a small 10-d MNIST model"
  "fashion-10d|www/assets/models/fashion-10d.safetensors|--dataset fashion-mnist --hidden 128 --latent 10 --epochs 10 --seed 1|Fashion-MNIST"
  "mnist-dlgm|www/assets/models/mnist-dlgm.safetensors|--hidden 128 --latent 20 --latent2 10 --hidden2 64 --epochs 10 --seed 1|two stochastic layers, q(z2|z1) (Burda et al.'s form); the page shows z1"
)

if [[ -n "${VAE:-}" ]]; then
  vae=$VAE
else
  log "building the CLI (release)"
  cargo build --release -q -p vae-cli
  vae="${CARGO_TARGET_DIR:-target}/release/vae"
fi
[[ -x "$vae" ]] || { log "no vae binary at $vae"; exit 1; }

wanted=("$@")
known=()
for m in "${MODELS[@]}"; do known+=("${m%%|*}"); done
for w in "${wanted[@]}"; do
  [[ " ${known[*]} " == *" $w "* ]] || { log "unknown model '$w' (known: ${known[*]})"; exit 1; }
done

mkdir -p www/assets/models
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for m in "${MODELS[@]}"; do
  IFS='|' read -r name out flags about <<<"$m"
  if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  metrics="${out%.safetensors}.metrics.json"
  train_cmd="vae train $flags --quiet --out $out --metrics-json <train metrics>"
  eval_cmd="vae eval --model $out --iw $IW --test-limit $IW_IMAGES --json --quiet"
  log "$name: $train_cmd"
  # shellcheck disable=SC2086  # the flags are words
  nice -n 10 "$vae" train $flags --quiet --out "$tmp/$name.safetensors" --metrics-json "$tmp/$name.train.json" >&2
  log "$name: $eval_cmd"
  nice -n 10 "$vae" eval --model "$tmp/$name.safetensors" --iw "$IW" --test-limit "$IW_IMAGES" --json --quiet \
    >"$tmp/$name.eval.json"
  mv "$tmp/$name.safetensors" "$out"
  NAME=$name ABOUT=$about OUT=$out TRAIN_CMD=$train_cmd EVAL_CMD=$eval_cmd \
    node -e '
      const fs = require("fs");
      const [train, ev] = [process.argv[1], process.argv[2]].map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
      const e = process.env;
      const out = {
        name: e.NAME,
        about: e.ABOUT,
        file: e.OUT,
        bytes: fs.statSync(e.OUT).size,
        params: train.params,
        config: train.config,
        dataset: train.dataset,
        epochs: train.epochs,
        seed: train.train_config.seed,
        test_elbo: train.test_elbo,
        test_elbo_images: train.test_images,
        log_px: { value: ev.log_likelihood, se: ev.log_likelihood_se, iw: ev.iw, images: ev.images,
                  elbo_same_images: ev.elbo, elbo_same_images_se: ev.elbo_se, gap: ev.gap, gap_se: ev.gap_se },
        commands: { train: e.TRAIN_CMD, eval: e.EVAL_CMD },
        train,
      };
      fs.writeFileSync(process.argv[3], JSON.stringify(out, null, 2) + "\n");
      console.error(`zoo: ${e.NAME}: test ELBO ${train.test_elbo.toFixed(2)}, log p(x) ${ev.log_likelihood.toFixed(2)} ± ${ev.log_likelihood_se.toFixed(2)} (K=${ev.iw}, ${ev.images} images), ${out.bytes} bytes`);
    ' "$tmp/$name.train.json" "$tmp/$name.eval.json" "$metrics"
done

total=0
for m in "${MODELS[@]}"; do
  IFS='|' read -r _ out _ _ <<<"$m"
  [[ -f "$out" ]] && total=$((total + $(stat -c %s "$out")))
done
log "the zoo's checkpoints together: $total bytes"
