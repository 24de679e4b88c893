#!/usr/bin/python3
"""Accuracy and time per round of federated runs, one line per result file.

    python3 analysis/plot_rounds.py OUT.png FILE.h5 [FILE.h5 ...] [--metric mape|rmse|mae|r2]

Top panel: the global model's pooled metric after each evaluated round (the `rounds` table);
bottom panel: seconds per round on rank 0. The legend names each file by its run name,
strategy and client count. Uses Debian's python3-matplotlib (no display needed).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fedload_h5  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", help="image to write (.png, .pdf, .svg)")
    p.add_argument("files", nargs="+", help="federated result files")
    p.add_argument("--metric", default="mape", choices=["mape", "rmse", "mae", "r2"])
    a = p.parse_args(argv)

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for path in a.files:
        r = fedload_h5.load(path)
        if "rounds" not in r["tables"]:
            sys.exit(f"{path}: no rounds table (not a federated run)")
        t, attrs = r["tables"]["rounds"], r["attrs"]
        label = f"{attrs.get('run_name', os.path.basename(path))} {attrs.get('strategy', '')} " \
                f"N={attrs.get('clients', '?')}" + ("" if r["complete"] else " (incomplete)")
        done = np.isfinite(t[a.metric])
        top.plot(t["round"][done], t[a.metric][done], marker="o", markersize=3, label=label)
        bottom.plot(t["round"], t["seconds"], label=label)
    top.set_ylabel({"mape": "pooled MAPE (%)", "rmse": "pooled RMSE", "mae": "pooled MAE", "r2": "pooled R²"}[a.metric])
    top.grid(alpha=0.3)
    top.legend(fontsize=8)
    bottom.set_ylabel("seconds per round (rank 0)")
    bottom.set_xlabel("round")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"wrote {a.out} ({len(a.files)} run(s), metric {a.metric})")


if __name__ == "__main__":
    main(sys.argv[1:])
