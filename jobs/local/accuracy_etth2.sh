#!/usr/bin/env bash
# The CPU forecaster's accuracy study on real data: ETTh2 MUFL, day-ahead from each midnight,
# last 28 and last 91 days, 3 seeds each; prints per-run and mean MAPE of the LSTM and of the
# baselines stored in the same result files. Run from anywhere; needs ../shared/data/ett.
# Usage: jobs/local/accuracy_etth2.sh [extra fedload run args, e.g. --set backend.kind=cpu]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=results/accuracy-etth2
mkdir -p "$out"
for span in 28d 91d; do
  for seed in 1 2 3; do
    build/fedload run --config "jobs/configs/etth2_mufl_${span}.toml" --set run.seed=$seed \
      --set output.overwrite=true --out "$out/${span}-seed${seed}.h5" "$@" | tail -7
  done
done
/usr/bin/python3 - "$out" <<'PY'
import glob, os, sys
sys.path.insert(0, "analysis")
import fedload_h5
rows = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.h5"))):
    r = fedload_h5.load(path)
    a = r["attrs"]
    span = os.path.basename(path).split("-")[0]
    rows.setdefault(span, []).append({m: a[m + "_mape"] for m in ["lstm", "naive_daily", "naive_weekly", "ridge"]} |
                                     {"epochs": a["epochs_run"], "best": a["best_epoch"] + 1})
print(f"{'span':<6}{'runs':>5}{'lstm':>9}{'ridge':>9}{'naive_d':>9}{'naive_w':>9}   lstm per seed")
for span, rs in rows.items():
    mean = lambda k: sum(r[k] for r in rs) / len(rs)
    per = ", ".join(f"{r['lstm']:.2f}" for r in rs)
    print(f"{span:<6}{len(rs):>5}{mean('lstm'):>9.2f}{mean('ridge'):>9.2f}{mean('naive_daily'):>9.2f}"
          f"{mean('naive_weekly'):>9.2f}   {per}")
PY
