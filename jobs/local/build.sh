#!/usr/bin/env bash
# Configures and builds fedload into build/ (preset "default": CUDA when nvcc is found).
# Usage: jobs/local/build.sh [target ...]   (no target: everything)
# Environment: FEDLOAD_PRESET (default "default"), FEDLOAD_JOBS (default: number of cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
preset=${FEDLOAD_PRESET:-default}
jobs=${FEDLOAD_JOBS:-$(nproc)}
cd "$root"
cmake --preset "$preset"
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$jobs" "${targets[@]}"
