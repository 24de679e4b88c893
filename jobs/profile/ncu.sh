#!/usr/bin/env bash
# Nsight Compute profile of the kernels of ONE round's local training: only kernels launched
# inside the NVTX push/pop range "local_train rN" of the domain "fedload" (round N =
# $FEDLOAD_NCU_ROUND, default 1; 0 = the range "local_train" of a centralized run), every process
# of the job, into
# results/profile/NAME-STAMP.ncu-rep. Run from the repository root:
#   jobs/profile/ncu.sh build/fedload run --config jobs/configs/quickstart.toml --set backend.kind=cuda
#   FEDLOAD_NCU_ROUND=3 jobs/profile/ncu.sh --set full -- build/fedload run --config ...
# Arguments before `--` go to ncu after fedload's own (--nvtx, --nvtx-include, -o).
# Exit 2 with a message when ncu is missing.
set -euo pipefail
# shellcheck source=jobs/profile/profile_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/profile_common.sh"
profile_setup "$0" ncu NCU "$@"
round=${FEDLOAD_NCU_ROUND:-1}
if [[ ! $round =~ ^[0-9]+$ ]]; then
  echo "ncu.sh: FEDLOAD_NCU_ROUND = '$round' must be a round number (1, 2, ...; 0 = a centralized run's training)" >&2
  exit 2
fi
# round 0 is outside the federated rounds: the range is named after the phase alone
range="local_train r$round"
[ "$round" -eq 0 ] && range="local_train"
echo "ncu.sh: kernels of range 'fedload@$range' -> $report.ncu-rep" >&2
# trailing slash: a push/pop range (NVTX filtering in the Nsight Compute CLI documentation)
exec "$tool_bin" --nvtx --nvtx-include "fedload@$range/" --target-processes all \
  -o "$report" "${tool_args[@]}" "${command[@]}"
