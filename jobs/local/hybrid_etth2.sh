#!/usr/bin/env bash
# LSTM vs hybrid (Lu et al. 2024) vs each with online correction on ETTh2, centralized (MUFL,
# etth2_mufl_28d.toml and etth2_mufl_91d.toml) and federated (the seven columns as clients,
# etth2_fl_lstm.toml with fl.rounds=$ROUNDS), seed 1. Each run records its model and the model corrected online
# (model.correction = true adds the "<kind>_corrected" method). Prints MAPE (MUFL) and pooled
# RMSE / MAE. Run from anywhere; needs ../shared/data/ett.
# Usage: jobs/local/hybrid_etth2.sh [extra fedload run args]    (ROUNDS=10 by default)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=results/hybrid-etth2
rounds=${ROUNDS:-10}
mkdir -p "$out"
for kind in lstm hybrid; do
  build/fedload run --config jobs/configs/etth2_mufl_28d.toml --set run.seed=1 --set model.kind=$kind \
    --set model.correction=true --set output.overwrite=true --out "$out/central-$kind.h5" "$@" | tail -8
  build/fedload run --config jobs/configs/etth2_mufl_91d.toml --set run.seed=1 --set model.kind=$kind \
    --set model.correction=true --set output.overwrite=true --out "$out/central91-$kind.h5" "$@" | tail -8
  build/fedload run --config jobs/configs/etth2_fl_lstm.toml --set fl.rounds=$rounds --set model.kind=$kind \
    --set model.correction=true --set output.overwrite=true --out "$out/federated-$kind.h5" "$@" | tail -8
done
/usr/bin/python3 - "$out" <<'PY'
import os, sys
import numpy as np
sys.path.insert(0, "analysis")
import fedload_h5
print(f"{'run':<12}{'method':<18}{'MUFL MAPE %':>12}{'pooled RMSE':>13}{'pooled MAE':>12}")
for setting in ("central", "central91", "federated"):
    for kind in ("lstm", "hybrid"):
        r = fedload_h5.load(os.path.join(sys.argv[1], f"{setting}-{kind}.h5"))
        m = r["tables"]["metrics"]
        cols = list(r["attrs"]["data_columns"])
        mufl = cols.index("MUFL")
        for method in (kind, kind + "_corrected"):
            pick = lambda client: [i for i in range(len(m["method"])) if m["method"][i] == method and m["client"][i] == client][0]
            one, pooled = pick(mufl), pick(-1)
            print(f"{setting:<12}{method:<18}{m['mape'][one]:>12.2f}{m['rmse'][pooled]:>13.3f}{m['mae'][pooled]:>12.3f}")
PY
