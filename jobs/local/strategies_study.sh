#!/usr/bin/env bash
# FedAvg vs FedProx vs FedNova (FEDLOAD_STRATEGIES="... mean" adds the unweighted mean) on synthetic non-IID load with uneven
# local work (jobs/configs/strategies_noniid.toml) at 10, 20, 50 and 100 clients, seeds 1-3;
# prints the global model's pooled day-ahead MAPE after the last round (mean and per seed),
# and the MAPE at round 10 (how fast each strategy gets there).
# Usage: jobs/local/strategies_study.sh [-np P] [extra fedload run args]
#   -np P runs every federation on P MPI ranks (default: one process; the result is the same
#   model bit for bit, only faster on more cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=jobs/local/env.sh
source jobs/local/env.sh
launch=(build/fedload)
if [ "${1:-}" = "-np" ]; then
  launch=(mpirun --oversubscribe -np "$2" build/fedload)
  shift 2
fi
out=results/strategies-study
mkdir -p "$out"
for clients in 10 20 50 100; do
  for strategy in ${FEDLOAD_STRATEGIES:-fedavg fedprox fednova}; do
    for seed in 1 2 3; do
      "${launch[@]}" run --config jobs/configs/strategies_noniid.toml --set fl.clients=$clients \
        --set fl.strategy=$strategy --set run.seed=$seed --set output.overwrite=true \
        --out "$out/c${clients}-${strategy}-s${seed}.h5" "$@" >"$out/c${clients}-${strategy}-s${seed}.log"
      tail -1 "$out/c${clients}-${strategy}-s${seed}.log" | sed "s/^/c${clients} ${strategy} s${seed}: /"
    done
  done
done
/usr/bin/python3 - "$out" <<'PY'
import glob, os, sys, math
sys.path.insert(0, "analysis")
import fedload_h5
runs = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.h5"))):
    r = fedload_h5.load(path)
    a, t = r["attrs"], r["tables"]
    key = (int(a["clients"]), a["strategy"])
    rounds = t["rounds"]
    at10 = [m for k, m in zip(rounds["round"], rounds["mape"]) if k == 10]
    runs.setdefault(key, []).append((a["lstm_mape"], at10[0] if at10 else math.nan, a["ridge_mape"], a["naive_daily_mape"]))
print(f"{'clients':>7} {'strategy':<9}{'MAPE':>8}{'@r10':>8}{'ridge':>8}{'naive_d':>8}   final MAPE per seed")
for (clients, strategy), rs in sorted(runs.items()):
    mean = lambda i: sum(r[i] for r in rs) / len(rs)
    print(f"{clients:>7} {strategy:<9}{mean(0):>8.2f}{mean(1):>8.2f}{mean(2):>8.2f}{mean(3):>8.2f}   "
          + ", ".join(f"{r[0]:.2f}" for r in rs))
PY
