#!/usr/bin/env bash
# The robustness measurements of README "Defective clients": jobs/configs/robustness_defects.toml
# (10 synthetic utilities, 3 defective, 10 rounds) for every defect kind and every aggregation
# strategy that should resist it. Prints the honest clients' pooled MAPE of the final model per
# (defect, strategy); result files go to results/robustness-study/.
# Usage: jobs/local/robustness_study.sh                        (all strategies; minutes: see README)
#        FEDLOAD_STUDY_ROUNDS=1 jobs/local/robustness_study.sh (a quick smoke run)
#        FEDLOAD_STUDY_STRATEGIES="fedavg median" jobs/local/robustness_study.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=jobs/local/env.sh
source jobs/local/env.sh
out=results/robustness-study
mkdir -p "$out"
rounds=${FEDLOAD_STUDY_ROUNDS:-10}
read -r -a strategies <<<"${FEDLOAD_STUDY_STRATEGIES:-fedavg median trimmed_mean krum quality_weighted}"
# defect name -> its settings (magnitudes chosen to be clearly harmful to plain averaging)
defects=(
  "none|--set defects.kind=none"
  "scaling|--set defects.kind=scaling --set defects.magnitude=1 --set defects.coverage=0.5"
  "ramp|--set defects.kind=ramp --set defects.magnitude=1"
  "random|--set defects.kind=random --set defects.magnitude=0.5"
  "noise|--set defects.kind=noise --set defects.magnitude=5"
  "sign_flip|--set defects.kind=sign_flip --set defects.magnitude=4"
)
echo "robustness study: results in $out"
for d in "${defects[@]}"; do
  name=${d%%|*}
  read -r -a args <<<"${d#*|}"
  for s in "${strategies[@]}"; do
    build/fedload run --config jobs/configs/robustness_defects.toml --set fl.rounds="$rounds" \
      --set fl.strategy="$s" "${args[@]}" --set output.overwrite=true --out "$out/${name}_$s.h5" \
      >"$out/${name}_$s.log" 2>&1
  done
done
/usr/bin/python3 - "$out" "${strategies[@]}" <<'PY'
import json, os, sys
sys.path.insert(0, "analysis")
import fedload_h5
out, strategies = sys.argv[1], sys.argv[2:]
defects = ["none", "scaling", "ramp", "random", "noise", "sign_flip"]
summary = {"study": "robustness", "setting": "jobs/configs/robustness_defects.toml (10 clients, 3 defective)",
           "defects": defects, "strategies": strategies, "honest_mape": {}, "all_mape": {}}
print("\nhonest clients' pooled MAPE % of the final model (all clients' pooled MAPE in brackets)")
print(f"  {'defect':<11}" + "".join(f"{s:>24}" for s in strategies))
for name in defects:
    cells = []
    for s in strategies:
        a = fedload_h5.load(os.path.join(out, f"{name}_{s}.h5"))["attrs"]
        honest = a.get("honest_lstm_mape", a["lstm_mape"])
        summary["honest_mape"].setdefault(s, {})[name] = honest
        summary["all_mape"].setdefault(s, {})[name] = a["lstm_mape"]
        for key in ("fedload_version", "git_commit", "rounds"):
            summary.setdefault(key, a.get(key))
        cells.append(f"{honest:10.2f} [{a['lstm_mape']:8.2f}]")
    print(f"  {name:<11}" + "".join(f"{c:>24}" for c in cells))
summary["rounds"] = int(summary["rounds"])
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
print(f"summary: {os.path.join(out, 'summary.json')}")
PY
