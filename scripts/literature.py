#!/usr/bin/env python3
"""The IWAE paper's protocol (Burda, Grosse & Salakhutdinov 2016, section 5 and Table 1),
run with the `vae` CLI, resumably, writing a results table as it goes.

Models (dynamically binarized MNIST, the schedule of 3^i epochs at 1e-3 * 10^(-i/7),
i = 0..7, batch 20, Adam epsilon 1e-4; `vae train --schedule iwae`):
  vae1   1 stochastic layer, 784-200-200-50 tanh, SGVB B, L = 1        (paper: 86.76)
  iwae1  the same architecture, the IWAE bound with k = 50             (paper: 84.78)
  iwae2  2 stochastic layers, 784-200-200-100-100-100-50, IWAE k = 50  (paper: 82.90)
After each stage the model is evaluated on the test set: test NLL = -log p(x) by
importance sampling, K = 5000 after the last stage (the paper's protocol, `vae eval
--protocol iwae`), a smaller K (--k-intermediate) after the others; the table says which.

Models run stage-interleaved (--order stage) or one after another (--order model).
Everything lives under --out: per model its training state (the run continues from it:
rerun the same command after a stop), the model after each stage, each evaluation as
JSON, and the logs; results.md and results.json are rewritten after every evaluation.

Usage:
  python3 scripts/literature.py --out DIR [--vae PATH] [--models vae1,iwae1,iwae2]
      [--order stage|model] [--stages 8] [--train-limit N --test-limit N] (a check)
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

MODELS = {
    "vae1": {
        "label": "1-layer VAE (SGVB B, L = 1)",
        "paper_nll": 86.76,
        "args": ["--preset", "iwae-1", "--estimator", "b", "--samples", "1"],
    },
    "iwae1": {
        "label": "1-layer IWAE (k = 50)",
        "paper_nll": 84.78,
        "args": ["--preset", "iwae-1", "--estimator", "iwae", "--samples", "50"],
    },
    "iwae2": {
        "label": "2-layer IWAE (k = 50)",
        "paper_nll": 82.90,
        "args": ["--preset", "iwae-2", "--estimator", "iwae", "--samples", "50"],
    },
}
STAGES = 8


def stage_end(i):
    """Epochs done when stage i of the schedule ends: 3^0 + ... + 3^i."""
    return (3 ** (i + 1) - 1) // 2


def now():
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def log(msg):
    print(f"[{now()}] {msg}", flush=True)


def run(cmd, logfile):
    """Runs cmd, appending its output to logfile; returns stdout or raises with the tail."""
    with open(logfile, "a") as f:
        f.write(f"\n[{now()}] $ {' '.join(cmd)}\n")
        f.flush()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=f, text=True)
        f.write(p.stdout)
    if p.returncode != 0:
        with open(logfile) as f:
            tail = f.read()[-2000:]
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{tail}")
    return p.stdout


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def table(out, settings, results):
    """results.md and results.json from every evaluation so far."""
    data = {"protocol": PROTOCOL, "settings": settings, "updated": now(), "models": {}}
    for name in settings["models"]:
        m = MODELS[name]
        data["models"][name] = {"label": m["label"], "paper_nll": m["paper_nll"], "points": results.get(name, [])}
    write_atomic(os.path.join(out, "results.json"), json.dumps(data, indent=2) + "\n")

    lines = [
        "# IWAE protocol: test NLL on MNIST",
        "",
        f"Written by `scripts/literature.py` ({data['updated']}). " + PROTOCOL_TEXT,
        "",
    ]
    if settings["train_limit"] or settings["test_limit"]:
        lines += [f"**Reduced setting, not comparable with the paper:** train limit {settings['train_limit']}, "
                  f"test limit {settings['test_limit']}.", ""]
    lines += [
        "| model | epochs reached (of 3280) | test NLL, nats | K | test ELBO | IWAE paper (Table 1) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in settings["models"]:
        pts = results.get(name, [])
        m = MODELS[name]
        if pts:
            p = pts[-1]
            lines.append(f"| {m['label']} | {p['epochs']} | {p['nll']:.2f} ± {p['nll_se']:.2f} | {p['k']} | "
                         f"{p['elbo']:.2f} | {m['paper_nll']:.2f} |")
        else:
            lines.append(f"| {m['label']} | 0 | (not yet) | | | {m['paper_nll']:.2f} |")
    lines += ["", "± is the standard error of the mean over the test images.", "", "## Curves", ""]
    for name in settings["models"]:
        pts = results.get(name, [])
        if not pts:
            continue
        lines += [f"### {MODELS[name]['label']}", "", "| stage | epochs | lr | test NLL | K | test ELBO | evaluated |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for p in pts:
            lines.append(f"| {p['stage']} | {p['epochs']} | {1e-3 * 10 ** (-p['stage'] / 7):.2e} | "
                         f"{p['nll']:.2f} ± {p['nll_se']:.2f} | {p['k']} | {p['elbo']:.2f} | {p['time']} |")
        lines.append("")
    write_atomic(os.path.join(out, "results.md"), "\n".join(lines) + "\n")


PROTOCOL = {
    "paper": "Burda, Grosse & Salakhutdinov 2016, Importance Weighted Autoencoders, section 5, Table 1",
    "data": "MNIST, dynamically binarized for training; test set binarized once (fixed seed)",
    "schedule": "3^i epochs at lr 1e-3 * 10^(-i/7), i = 0..7 (3280 epochs), batch 20, Adam beta1 0.9, "
                "beta2 0.999, epsilon 1e-4",
    "init": "Glorot uniform, output biases at the training mean's log-odds",
    "eval": "test NLL = -log p(x) by importance sampling, K = 5000 after the last stage",
}
PROTOCOL_TEXT = (
    "Protocol of Burda et al. (2016), section 5: dynamically binarized MNIST (60,000 training "
    "images; the paper holds out 400), 3^i epochs at 1e-3·10^(−i/7) for i = 0..7 (3280 in all), "
    "batch 20, Adam (β1 0.9, β2 0.999, ε 1e-4), Glorot init; test NLL = −log p(x) by importance "
    "sampling with K = 5000 after the last stage, with the smaller K shown after earlier stages."
)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for states, models, evaluations and the table")
    ap.add_argument("--vae", default=None, help="the vae binary [default: target/release/vae of this checkout]")
    ap.add_argument("--models", default="vae1,iwae1,iwae2", help="comma-separated, from: " + ", ".join(MODELS))
    ap.add_argument("--stages", type=int, default=STAGES, help="schedule stages to run (1..8) [8: the whole protocol]")
    ap.add_argument("--k-final", type=int, default=5000, help="K after the last stage [5000: the protocol]")
    ap.add_argument("--k-intermediate", type=int, default=1000, help="K after the other stages")
    ap.add_argument("--checkpoint-every", type=int, default=1, help="epochs between saved states")
    ap.add_argument("--train-limit", type=int, default=None, help="first N training images (a check, not the protocol)")
    ap.add_argument("--test-limit", type=int, default=None, help="first N test images (a check, not the protocol)")
    ap.add_argument("--data-dir", default=None, help="directory of the MNIST idx files [vae's default]")
    ap.add_argument("--threads", type=int, default=None, help="threads of each evaluation [all cores]")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where vae trains and evaluates (cuda needs a build with --features cuda)")
    ap.add_argument("--order", choices=["stage", "model"], default="stage",
                    help="stage: every model through stage i before stage i + 1 (curves of all grow together); "
                         "model: each model through all stages before the next (finished results sooner)")
    a = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    vae = a.vae or os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "vae")
    models = [m for m in a.models.split(",") if m]
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        sys.exit(f"unknown model(s) {unknown}: choose from {', '.join(MODELS)}")
    if not 1 <= a.stages <= STAGES:
        sys.exit(f"--stages must be in 1..{STAGES}")
    if not os.access(vae, os.X_OK):
        sys.exit(f"no vae binary at {vae}: build it (cargo build --release -p vae-cli) or pass --vae")
    os.makedirs(a.out, exist_ok=True)

    # The settings that shape results must not change between the runs of one directory.
    settings = {"train_limit": a.train_limit, "test_limit": a.test_limit, "k_final": a.k_final,
                "k_intermediate": a.k_intermediate, "data_dir": a.data_dir}
    settings_path = os.path.join(a.out, "settings.json")
    if os.path.exists(settings_path):
        with open(settings_path) as f:
            saved = json.load(f)
        diff = {k: (saved.get(k), v) for k, v in settings.items() if saved.get(k) != v}
        if diff:
            sys.exit(f"{a.out} holds a run with other settings (saved, given): {diff}; use another --out")
        models = list(dict.fromkeys(saved.get("models", []) + models))
    settings["models"] = models
    write_atomic(settings_path, json.dumps(settings, indent=2) + "\n")

    results = {}
    for name in models:
        path = os.path.join(a.out, name, "evals.json")
        if os.path.exists(path):
            with open(path) as f:
                results[name] = json.load(f)
    table(a.out, settings, results)

    data = ["--data-dir", a.data_dir] if a.data_dir else []
    vae = [vae, "--device", a.device]
    limits = (["--train-limit", str(a.train_limit)] if a.train_limit else []) + \
             (["--test-limit", str(a.test_limit)] if a.test_limit else [])
    if a.order == "stage":
        plan = [(i, name) for i in range(a.stages) for name in models]
    else:
        plan = [(i, name) for name in models for i in range(a.stages)]
    for i, name in plan:
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        done = {p["stage"] for p in results.get(name, [])}
        if i in done:
            continue
        epochs = stage_end(i)
        state = os.path.join(d, "state.safetensors")
        model = os.path.join(d, f"stage{i}.safetensors")
        logfile = os.path.join(d, "train.log")
        common = ["--epochs", str(epochs), "--save-state", state, "--checkpoint-every", str(a.checkpoint_every),
                  "--out", model, "--quiet"] + data
        if os.path.exists(state):
            cmd = vae + ["train", "--resume", state] + common
        else:
            cmd = vae + ["train", "--schedule", "iwae"] + MODELS[name]["args"] + limits + common
        log(f"{name}: stage {i}, training to epoch {epochs}")
        run(cmd, logfile)
        last = i == a.stages - 1
        k = a.k_final if last else a.k_intermediate
        ev = vae + ["eval", "--model", model, "--json", "--quiet"] + data
        ev += ["--protocol", "iwae"] if (last and k == 5000 and not a.test_limit) else ["--iw", str(k)]
        if a.test_limit:
            ev += ["--test-limit", str(a.test_limit)]
        if a.threads:
            ev += ["--threads", str(a.threads)]
        log(f"{name}: stage {i}, evaluating with K = {k}")
        r = json.loads(run(ev, os.path.join(d, "eval.log")).strip().splitlines()[-1])
        point = {"stage": i, "epochs": epochs, "k": r["iw"], "images": r["images"],
                 "nll": -r["log_likelihood"], "nll_se": r["log_likelihood_se"],
                 "elbo": r["elbo"], "elbo_se": r["elbo_se"], "eval_seconds": r["seconds"], "time": now()}
        results.setdefault(name, []).append(point)
        write_atomic(os.path.join(d, "evals.json"), json.dumps(results[name], indent=2) + "\n")
        table(a.out, settings, results)
        log(f"{name}: stage {i} ({epochs} epochs): test NLL {point['nll']:.2f} ± {point['nll_se']:.2f} "
            f"(K = {r['iw']}), ELBO {r['elbo']:.2f}")
    log(f"done: {os.path.join(a.out, 'results.md')}")


if __name__ == "__main__":
    main()
