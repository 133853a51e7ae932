#!/usr/bin/env python3
"""The NumPy reading of a checkpoint (examples/numpy_vae.py) against the Rust core.

For every shipped model (www/assets/pretrained.safetensors and www/assets/models/*) and a
few test digits, `vae reconstruct --json` prints the core's posterior mean, log-variance,
sigma and reconstruction; NumPy computes the same from the checkpoint's tensors alone. Two
inputs each: the digit's intensities in [0, 1] (`--greyscale`, what the page feeds a
drawing; NumPy reads the idx file itself) and the evaluation's fixed binarization (the
core's x, which NumPy checks against the idx bytes: 0 where a pixel is 0, 1 where it is 255).

Tolerance: |numpy - core| <= ATOL + RTOL * |core| element by element, ATOL = RTOL = 1e-4.
The core computes in float32 (gemm's blocked sums, in another order than NumPy's), NumPy in
float64 from the same float32 weights, so the difference is the core's rounding: a dot
product of n terms has error ~ sqrt(n) * 6e-8 * (sum of |terms|) in the typical case, and
the 784-term first layer, two more layers and exp/sigmoid keep it near 1e-6 (the measured
maximum is printed). 1e-4 leaves ~100x headroom for another CPU's kernels, yet any real
difference in the reading (a transposed weight, a missing bias, a wrong activation or
sigmoid, the wrong head) moves values by 1e-2 or more. A negative control checks that:
comparing against another digit's numbers must fail by far more than the tolerance.

    python3 tests/interop/numpy_vs_core.py            # builds vae with cargo if VAE_BIN is unset
    VAE_BIN=target/release/vae python3 tests/interop/numpy_vs_core.py
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import numpy_vae  # noqa: E402  (the example under test)

ATOL = 1e-4
RTOL = 1e-4
INDICES = (0, 1, 2)  # --first 0 --n 3: one CLI call per model and input
FIELDS = ("mu", "logvar", "sigma", "reconstruction")


def vae_binary():
    if os.environ.get("VAE_BIN"):
        return os.environ["VAE_BIN"]
    subprocess.run(["cargo", "build", "-q", "-p", "vae-cli"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "vae")


def core(vae, model, greyscale):
    cmd = [vae, "reconstruct", "--model", model, "--first", str(INDICES[0]), "--n", str(len(INDICES)), "--json"]
    if greyscale:
        cmd.append("--greyscale")
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def worst(a, b):
    """Largest |a - b| and the largest excess over the tolerance (<= 0 when within it)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return np.inf, np.inf
    d = np.abs(a - b)
    return float(d.max()), float((d - (ATOL + RTOL * np.abs(b))).max())


def check_model(vae_bin, path):
    vae = numpy_vae.NumpyVae(path)
    images = numpy_vae.test_images(vae.dataset)
    failures, largest = [], 0.0
    for greyscale in (True, False):
        got = core(vae_bin, path, greyscale)
        for img in got["images"]:
            i = img["index"]
            raw = images[i].astype(np.float64)
            x_core = np.asarray(img["x"], np.float64)
            if greyscale:
                x = raw / 255.0
                if np.abs(x - x_core).max() > 1e-7:
                    failures.append(f"image {i}: the core's greyscale input differs from the idx file's")
            else:
                x = x_core
                binary = np.isin(x, (0.0, 1.0)).all() and (x[raw == 0] == 0).all() and (x[raw == 255] == 1).all()
                if got["input"] == "fixed binarization" and not binary:
                    failures.append(f"image {i}: the core's binarized input does not fit the idx bytes")
            mu, logvar = vae.encode(x[None, :])
            mine = {"mu": mu[0], "logvar": logvar[0], "sigma": np.exp(0.5 * logvar[0]),
                    "reconstruction": vae.decode(mu)[0][0]}
            for field in FIELDS:
                d, excess = worst(mine[field], img[field])
                largest = max(largest, d)
                if excess > 0:
                    failures.append(f"image {i} ({got['input']}): {field} differs by {d:.3g}")
            # Negative control: the next digit's numbers must not pass for this one's.
            other = got["images"][(INDICES.index(i) + 1) % len(INDICES)]
            d, excess = worst(mine["reconstruction"], other["reconstruction"])
            if excess <= 100 * ATOL:
                failures.append(f"image {i}: the comparison cannot tell it from image {other['index']} ({d:.3g})")
    return failures, largest


def main():
    models = [os.path.join(ROOT, "www/assets/pretrained.safetensors")]
    models += sorted(glob.glob(os.path.join(ROOT, "www/assets/models/*.safetensors")))
    models = [m for m in models if os.path.exists(m)]
    if not models:
        print("interop: no checkpoints found", file=sys.stderr)
        return 1
    try:
        numpy_vae.test_images("mnist")
    except FileNotFoundError as e:
        if os.environ.get("VAE_REQUIRE_DATA") == "1":  # CI fetched the data: absent is a failure
            print(f"interop: VAE_REQUIRE_DATA=1: {e}", file=sys.stderr)
            return 1
        print(f"interop: skipping: {e}")
        return 0
    vae_bin = vae_binary()
    bad = 0
    for m in models:
        failures, largest = check_model(vae_bin, m)
        name = os.path.relpath(m, ROOT)
        status = "ok" if not failures else "FAIL"
        print(f"interop: {status} {name}: images {list(INDICES)}, greyscale and binarized; "
              f"max |numpy - core| {largest:.2e} (tolerance {ATOL:g} + {RTOL:g}|core|)")
        for f in failures:
            print(f"  {f}")
        bad += bool(failures)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
