#!/usr/bin/python3
"""Figures from the committed reference measurements (results/reference/*.json).

    python3 analysis/plot_reference.py OUTDIR FILE.json [FILE.json ...]

Each file is recognized by its content and gives one figure in OUTDIR, named after the file:
  gpu LSTM benchmark (jobs/gpu/check.sh)   -> ms per training step, every backend, every shape
  aggregation benchmark (bench_aggregate)  -> seconds per round vs parameters, every variant
  several aggregation runs in one file     -> the same, a panel per run
  CPU LSTM vs PyTorch (compare_pytorch_cpu) -> ms per training step, fedload vs torch
  robustness study (robustness_study.sh)   -> honest clients' MAPE per defect and strategy
A file of another kind is named and skipped (exit 1 when nothing was drawn). Uses Debian's
python3-matplotlib; no display needed.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def gpu_lstm(d, title):
    rows = d["results"]
    backends = sorted({b for r in rows for b in r["backends"]})
    labels = [f"B{r['B']} T{r['T']} H{r['H']}" for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(10, 0.45 * len(rows)), 5.5))
    for b in backends:
        ms = [r["backends"].get(b, {}).get("ms", np.nan) for r in rows]
        ax.plot(x, ms, marker="o", markersize=3, linewidth=1, label=b)
    ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=70, fontsize=7)
    ax.set_ylabel("ms per training step (log)")
    ax.set_title(f"{title}\n{d.get('fedload_device', '')[:110]}", fontsize=8)
    ax.legend(fontsize=7, ncol=2)
    return fig


def aggregate(d, title):
    res = d["results"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for v in sorted({r["variant"] for r in res if "median_s" in r}):  # others were only checked
        pts = sorted((r["params"], r["median_s"]) for r in res if r["variant"] == v and "median_s" in r)
        ax.plot([p for p, _ in pts], [s for _, s in pts], marker="o", label=v)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("parameters")
    ax.set_ylabel("seconds per round (median, max over ranks)")
    ax.set_title(f"{title}: {d['ranks']} ranks on {', '.join(d.get('hosts', []))}", fontsize=9)
    ax.legend(fontsize=8)
    return fig


def aggregate_runs(d, title):
    runs = d["runs"]
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 4.2), sharey=True, squeeze=False)
    for ax, run in zip(axes[0], runs):
        for v in run.get("order") or sorted({r["variant"] for r in run["results"]}):
            pts = sorted((r["params"], r["median_s"]) for r in run["results"] if r["variant"] == v and "median_s" in r)
            ax.plot([p for p, _ in pts], [s for _, s in pts], marker="o", markersize=3, label=v)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parameters")
        ax.set_title(run.get("run", "")[:60], fontsize=7)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("seconds per round (median, max over ranks)")
    fig.suptitle(f"{title}: {d.get('ranks', '?')} ranks; {d.get('note', '')[:100]}", fontsize=8)
    return fig


def cpu_lstm(d, title):
    rows = d["rows"]
    labels = ["B{} T{} I{} H{}".format(*r["shape"]) for r in rows]
    x = np.arange(len(rows))
    fed = [np.median(r["fedload_ms"]) for r in rows]
    torch = [np.median(r["torch_ms"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.bar(x - 0.2, fed, 0.4, label="fedload cpu_fast")
    ax.bar(x + 0.2, torch, 0.4, label=f"PyTorch {d.get('torch', '')}")
    for i, r in enumerate(rows):
        ax.text(i, max(fed[i], torch[i]), f"{r['speedup']:.2f}x", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("ms per training step (median of runs)")
    ax.set_title(f"{title}: {d.get('threads', '?')} thread(s)", fontsize=9)
    ax.legend(fontsize=8)
    return fig


def robustness(d, title):
    defects, strategies = d["defects"], d["strategies"]
    x = np.arange(len(defects))
    w = 0.8 / len(strategies)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, s in enumerate(strategies):
        vals = [d["honest_mape"][s][k] for k in defects]
        ax.bar(x - 0.4 + w * (i + 0.5), vals, w, label=s)
    ax.set_yscale("log")
    ax.set_xticks(x, defects)
    ax.set_ylabel("honest clients' pooled MAPE % (log)")
    ax.set_title(f"{title}: {d.get('setting', '')}", fontsize=8)
    ax.legend(fontsize=8)
    return fig


def kind_of(d):
    if isinstance(d, dict):
        if d.get("study") == "robustness":
            return robustness
        rows = d.get("results")
        if isinstance(rows, list) and rows and "backends" in rows[0]:
            return gpu_lstm
        if isinstance(rows, list) and rows and "variant" in rows[0] and any("median_s" in r for r in rows):
            return aggregate
        if isinstance(d.get("rows"), list) and d["rows"] and "torch_ms" in d["rows"][0]:
            return cpu_lstm
        runs = d.get("runs")
        if isinstance(runs, list) and runs and all(kind_of(r) is aggregate for r in runs):
            return aggregate_runs
    return None


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out, files = argv[0], argv[1:]
    os.makedirs(out, exist_ok=True)
    drawn = 0
    for path in files:
        with open(path) as f:
            d = json.load(f)
        plot = kind_of(d)
        name = os.path.splitext(os.path.basename(path))[0]
        if plot is None:
            print(f"skipped {path}: not a kind of reference file this script knows")
            continue
        fig = plot(d, name)
        fig.tight_layout()
        target = os.path.join(out, name + ".png")
        fig.savefig(target, dpi=110)
        plt.close(fig)
        print(f"wrote {target}")
        drawn += 1
    return 0 if drawn else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
