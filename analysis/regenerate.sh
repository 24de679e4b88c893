#!/usr/bin/env bash
# Rebuilds every figure from committed reference results, without a GPU, MPI or a build:
#   analysis/regenerate.sh [REFDIR] [OUTDIR]      (defaults: results/reference results/figures)
# Every *.json in REFDIR that analysis/plot_reference.py knows becomes OUTDIR/<name>.png.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ref=${1:-$root/results/reference}
out=${2:-$root/results/figures}
shopt -s nullglob
files=("$ref"/*.json)
if [ ${#files[@]} -eq 0 ]; then
  echo "regenerate: no *.json under $ref" >&2
  exit 2
fi
exec /usr/bin/python3 "$root/analysis/plot_reference.py" "$out" "${files[@]}"
