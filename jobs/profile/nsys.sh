#!/usr/bin/env bash
# Nsight Systems timeline of any fedload command: CUDA API and kernels, NVTX (every phase is a
# range in the domain "fedload", named like "local_train r3") and MPI calls, into
# results/profile/NAME-STAMP.nsys-rep. Run from the repository root:
#   jobs/profile/nsys.sh build/fedload run --config jobs/configs/quickstart.toml
#   jobs/profile/nsys.sh --stats=true -- mpirun -np 4 build/fedload run --config ...
# Arguments before `--` go to `nsys profile` after fedload's own (--trace, --mpi-impl, -o).
# Exit 2 with a message when nsys is missing.
set -euo pipefail
# shellcheck source=jobs/profile/profile_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/profile_common.sh"
profile_setup "$0" nsys NSYS "$@"
echo "nsys.sh: writing $report.nsys-rep" >&2
exec "$tool_bin" profile --trace=cuda,nvtx,mpi --mpi-impl="${FEDLOAD_MPI_IMPL:-openmpi}" \
  -o "$report" "${tool_args[@]}" "${command[@]}"
