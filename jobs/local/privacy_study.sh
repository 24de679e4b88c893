#!/usr/bin/env bash
# The privacy measurements of README "Encrypted aggregation" and "Differential privacy", as one
# script: (1) exact vs Paillier aggregation of the quickstart (2 ranks, rank 1 hosts every client,
# 2048-bit OS key): wall time, encryption/aggregation seconds, bytes sent, and the check that the
# two models are identical; (2) local DP on the quickstart (seeded noise, so reruns agree) for
# several clip norms C and noise multipliers z; (3) central DP over 100 clients. Prints one table;
# result files go to results/privacy-study/.
# Usage: jobs/local/privacy_study.sh            (about 8 minutes on the 2-core CI machine)
#        FEDLOAD_STUDY_ROUNDS=1 jobs/local/privacy_study.sh   (a quick smoke run)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=jobs/local/env.sh
source jobs/local/env.sh
out=results/privacy-study
mkdir -p "$out"
rounds=${FEDLOAD_STUDY_ROUNDS:-}
run() {  # run NAME RANKS ARGS...: one fedload run, its log beside the file
  local name=$1 ranks=$2
  shift 2
  local launch=(build/fedload)
  [ "$ranks" -gt 1 ] && launch=(mpirun --oversubscribe -np "$ranks" build/fedload)
  local start end
  start=$(date +%s.%N)
  "${launch[@]}" run --set output.overwrite=true --out "$out/$name.h5" "$@" >"$out/$name.log" 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' >"$out/$name.wall"
}
q=(--config jobs/configs/quickstart.toml)
he_rounds=(--set fl.rounds="${rounds:-2}")
dp_rounds=(--set fl.rounds="${rounds:-10}")
echo "privacy study: results in $out"
run exact 2 "${q[@]}" "${he_rounds[@]}" --set fl.server_hosts_clients=false
run paillier 2 "${q[@]}" "${he_rounds[@]}" --set fl.server_hosts_clients=false --set fl.aggregation=paillier
run dp_off 1 "${q[@]}" "${dp_rounds[@]}"
for cz in "5 0.003" "5 0.01" "5 0.03" "0.5 0.1" "0.5 0.3" "0.5 1.0"; do
  read -r c z <<<"$cz"
  run "dp_local_c${c}_z${z}" 1 "${q[@]}" "${dp_rounds[@]}" --set dp.mode=local --set dp.noise=seeded \
    --set dp.clip="$c" --set dp.noise_multiplier="$z"
done
central=(--config jobs/configs/private_central_dp.toml --set dp.noise=seeded "${dp_rounds[@]}")
run central_off 2 "${central[@]}" --set dp.mode=off
run central_dp 2 "${central[@]}"
/usr/bin/python3 - "$out" <<'PY'
import os, sys
sys.path.insert(0, "analysis")
import fedload_h5
out = sys.argv[1]
def load(name):
    r = fedload_h5.load(os.path.join(out, name + ".h5"))
    wall = float(open(os.path.join(out, name + ".wall")).read())
    return r, wall
def phase(r, name):
    t = r["tables"]["timing"]
    per_rank = {}
    for ph, rank, s in zip(t["phase"], t["rank"], t["seconds"]):
        if ph == name:
            per_rank[int(rank)] = per_rank.get(int(rank), 0.0) + float(s)
    return max(per_rank.values()) if per_rank else 0.0
def sent(r):
    return sum(int(b) for b in r["tables"]["timing"]["bytes_sent"])
print("\nencrypted aggregation (2 ranks, server hosts no client)")
print(f"  {'run':<10}{'wall s':>8}{'encrypt s':>11}{'aggregate s':>13}{'MB sent':>9}  final_model_sha256")
for name in ("exact", "paillier"):
    r, wall = load(name)
    print(f"  {name:<10}{wall:8.1f}{phase(r, 'update_transform'):11.1f}{phase(r, 'aggregate'):13.1f}"
          f"{sent(r) / 1e6:9.2f}  {r['attrs']['final_model_sha256'][:16]}")
same = load("exact")[0]["attrs"]["final_model_sha256"] == load("paillier")[0]["attrs"]["final_model_sha256"]
print(f"  identical models: {same}")
print("\ndifferential privacy (pooled MAPE of the last round, epsilon at delta 1e-5)")
print(f"  {'run':<24}{'MAPE %':>9}{'epsilon':>12}")
names = ["dp_off"] + sorted(n[:-3] for n in os.listdir(out) if n.startswith("dp_local") and n.endswith(".h5"))
names += ["central_off", "central_dp"]
for name in names:
    r, _ = load(name)
    rounds = r["tables"]["rounds"]
    eps = rounds["epsilon"][-1]
    print(f"  {name:<24}{rounds['mape'][-1]:9.2f}{eps:12.4g}")
sys.exit(0 if same else 1)
PY
