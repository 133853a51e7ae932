#!/usr/bin/env python3
"""A VAE playground checkpoint in NumPy: the encoder q(z|x), the decoder's mean, prior samples.

Needs only the `safetensors` and `numpy` packages (pip install --user safetensors numpy).
Everything the network does is written out below, from the checkpoint's tensors and its
"config" metadata (docs/checkpoint.md describes both); nothing comes from the Rust code.

    python3 examples/numpy_vae.py www/assets/models/mnist-2d.safetensors --index 0
    python3 examples/numpy_vae.py www/assets/pretrained.safetensors --index 7 --json

It reads test digit INDEX from the model's data set (data/mnist or data/fashion-mnist, raw or
.gz idx files), feeds its intensities in [0, 1] to the encoder, as the page does with a
drawing, and prints the digit and its reconstruction (the decoder's mean at the posterior
mean) side by side with the posterior's mean and standard deviation. `--json` prints the
numbers instead; tests/interop/numpy_vs_core.py compares them with `vae reconstruct --json`.

Computed in float64 from the float32 weights.
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np
from safetensors import safe_open

FORMAT = "vae-playground/1"
# Floor of the Gaussian decoder's log-variance, ln(1e-3) (crates/vae-core/src/model.rs).
DECODER_LV_MIN = float(np.log(1e-3))


def sigmoid(a):
    # 0.5 (1 + tanh(a / 2)): the logistic function without overflow for large |a|.
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def softplus(a):
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


class NumpyVae:
    """The networks of a checkpoint. Every dense layer is y = x @ W + b with W stored
    inputs x outputs (row-major), so a batch of row vectors multiplies from the left."""

    def __init__(self, path):
        with safe_open(path, framework="np") as f:
            self.metadata = f.metadata() or {}
            self.tensors = {name: f.get_tensor(name).astype(np.float64) for name in f.keys()}
        if self.metadata.get("format") != FORMAT:
            raise ValueError(f"{path}: format {self.metadata.get('format')!r}, expected {FORMAT!r}")
        self.config = json.loads(self.metadata["config"])
        c = self.config
        self.act = {"relu": lambda h: np.maximum(h, 0.0), "tanh": np.tanh}[c["activation"]]
        self.dataset = self.metadata.get("dataset", "mnist")

    def dense(self, name, h):
        return h @ self.tensors[f"{name}.weight"] + self.tensors[f"{name}.bias"]

    def mlp(self, prefix, h, layers):
        for i in range(layers):
            h = self.act(self.dense(f"{prefix}.{i}", h))
        return h

    def trunk(self, x):
        return self.mlp("encoder", x, len(self.config["hidden"]))

    def encode(self, x):
        """q(z|x) (z1 in a two-layer model): mean and log-variance, log(scale^2), per row."""
        h = self.trunk(x)
        return self.dense("encoder.mu", h), self.dense("encoder.logvar", h)

    def decode(self, z):
        """p(x|z): the mean (pixel probabilities, or the Gaussian's means) and, for a
        Gaussian decoder, the per-pixel log-variance (else None)."""
        h = self.mlp("decoder", z, len(self.config["hidden"]))
        mean = sigmoid(self.dense("decoder.out", h))
        if self.config["decoder"] == "gaussian":
            raw = self.dense("decoder.out_logvar", h)
            return mean, softplus(raw - DECODER_LV_MIN) + DECODER_LV_MIN
        return mean, None

    def reconstruct(self, x):
        """The decoder's mean at the posterior mean: what the page and `vae reconstruct` show."""
        mu, _ = self.encode(x)
        return self.decode(mu)[0]

    # The two-stochastic-layer model (config "latent2"): q(z2|.), p(z1|z2).
    def encode2(self, x=None, z1=None):
        """q(z2|z1) when the config has "hidden2" (pass z1), else q(z2|x) from the trunk (pass x)."""
        if self.config.get("hidden2"):
            h = self.mlp("encoder2", z1, len(self.config["hidden2"]))
        else:
            h = self.trunk(x)
        return self.dense("encoder.mu2", h), self.dense("encoder.logvar2", h)

    def prior(self, z2):
        """p(z1|z2): mean and log-variance of a Gaussian."""
        between = self.config.get("hidden2") or [self.config["hidden"][-1]]
        h = self.mlp("prior", z2, len(between))
        return self.dense("prior.mu", h), self.dense("prior.logvar", h)

    def sample(self, n, rng):
        """Decoder means of n draws from the model's prior p(z) (through p(z1|z2) with two layers)."""
        c = self.config
        if c.get("latent2"):
            m, lv = self.prior(rng.standard_normal((n, c["latent2"])))
            z = m + np.exp(0.5 * lv) * rng.standard_normal(m.shape)
        else:
            z = rng.standard_normal((n, c["latent"]))
        return self.decode(z)[0]


def idx_images(path):
    """An idx3 file (raw or gzip) as uint8 images, one row per image."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] != b"\x00\x00\x08\x03":
        raise ValueError(f"{path}: not an idx3 file of unsigned bytes")
    n, rows, cols = (int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(data, np.uint8, n * rows * cols, 16).reshape(n, rows * cols)


def test_images(dataset, data_dir=None):
    """The test images of `dataset` from data/<dataset>/ (the repository's layout)."""
    root = data_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", dataset)
    for name in ("t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"):
        if os.path.exists(os.path.join(root, name)):
            return idx_images(os.path.join(root, name))
    raise FileNotFoundError(f"no test images in {root}: run npm run fetch-data")


def ascii_art(images, side=28):
    shades = " .:-=+*#%@"
    rows = []
    for r in range(side):
        cells = ["".join(shades[min(9, int(v * 10))] for v in img[r * side : (r + 1) * side]) for img in images]
        rows.append("   ".join(cells))
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a .safetensors checkpoint of the VAE playground")
    p.add_argument("--index", type=int, default=0, help="test image to reconstruct (default 0)")
    p.add_argument("--data-dir", help="directory of the idx files (default data/<the model's data set>)")
    p.add_argument("--json", action="store_true", help="print mu, logvar, sigma and the reconstruction as JSON")
    args = p.parse_args()

    vae = NumpyVae(args.model)
    x = test_images(vae.dataset, args.data_dir)[args.index].astype(np.float64) / 255.0
    mu, logvar = vae.encode(x[None, :])
    recon = vae.decode(mu)[0][0]
    if args.json:
        out = {"index": args.index, "mu": mu[0].tolist(), "logvar": logvar[0].tolist(),
               "sigma": np.exp(0.5 * logvar[0]).tolist(), "reconstruction": recon.tolist()}
        json.dump(out, sys.stdout)
        print()
        return
    c = vae.config
    print(f"{args.model}: {c['input_dim']}-{'-'.join(map(str, c['hidden']))}-{c['latent']}"
          f"{' (+ z2 of %d)' % c['latent2'] if c.get('latent2') else ''} {c['activation']}, {c['decoder']} decoder")
    print(f"test image {args.index} of {vae.dataset} (left) and its reconstruction (right):")
    print(ascii_art([x, recon]))
    np.set_printoptions(precision=3, suppress=True, linewidth=100)
    print("posterior mean  ", mu[0])
    print("posterior sigma ", np.exp(0.5 * logvar[0]))


if __name__ == "__main__":
    main()
