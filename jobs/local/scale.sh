#!/usr/bin/env bash
# The scale checks of the federated runtime on one machine (oversubscribed):
#   129 ranks: 128 clients, one per rank, rank 0 only aggregates, 3 rounds, small model;
#   8 ranks: 1,000 virtual clients (125 per rank, one after another), 3 rounds.
# Prints wall time, peak RSS of the largest process, and where the run's time went (from the
# result files' timing tables). Results in results/scale/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=jobs/local/env.sh
source jobs/local/env.sh
mkdir -p results/scale
small=(--set fl.mode=federated --set fl.rounds=3 --set model.hidden=16 --set data.days=60 --set data.test_days=7
       --set data.val_days=0 --set data.stride=4 --set fl.checkpoint_every=0 --set output.overwrite=true)
run() {  # name ranks args...
  local name=$1 ranks=$2
  shift 2
  echo "== $name: mpirun -np $ranks (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -f "wall %e s, peak RSS of one process %M kB" \
    mpirun --oversubscribe -np "$ranks" build/fedload run "${small[@]}" "$@" --out "results/scale/$name.h5" \
    | grep -E "^round|lstm "
}
run ranks129 129 --set fl.clients=128 --set fl.server_hosts_clients=false
run clients1000 8 --set fl.clients=1000
/usr/bin/python3 - <<'PY'
import sys
sys.path.insert(0, "analysis")
import fedload_h5
for name in ("ranks129", "clients1000"):
    r = fedload_h5.load(f"results/scale/{name}.h5")
    a, t = r["attrs"], r["tables"]["timing"]
    print(f"{name}: {a['ranks']} ranks, {a['clients']} clients, file {a['start_time']} .. {a['end_time']}; "
          "seconds summed over ranks per phase:")
    for ph in sorted(set(t["phase"])):
        m = t["phase"] == ph
        print(f"  {ph:<17}{t['seconds'][m].sum():9.2f}   (largest single row {t['seconds'][m].max():.3f})")
PY
