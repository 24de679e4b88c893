#!/usr/bin/env bash
# First run on a new machine: installs what is missing, builds fedload into build/, runs the
# quickstart experiment (jobs/configs/quickstart.toml) and prints the result file's summary.
# Extra arguments go to `fedload run` (e.g. --set train.epochs=5).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=jobs/local/deps.sh
source "$root/jobs/local/deps.sh"
fedload_install_deps
# shellcheck source=jobs/local/env.sh
source "$root/jobs/local/env.sh"
"$root/jobs/local/build.sh" fedload
cd "$root"
mkdir -p results
out="results/quickstart-$(date -u +%Y%m%dT%H%M%SZ).h5"
build/fedload run --config jobs/configs/quickstart.toml --out "$out" "$@"
echo
build/fedload report "$out"
echo
echo "result file: $root/$out"
