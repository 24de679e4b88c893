#!/usr/bin/env bash
# Installs what is missing, builds fedload into build/ and runs the test suite with ctest.
# Usage: jobs/local/test.sh [ctest args...]   e.g. jobs/local/test.sh -L unit
# CI (.ci/run) calls exactly this script.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=jobs/local/deps.sh
source "$root/jobs/local/deps.sh"
fedload_install_deps
# shellcheck source=jobs/local/env.sh
source "$root/jobs/local/env.sh"
"$root/jobs/local/build.sh"
cd "$root/build"
ctest --output-on-failure -j "${FEDLOAD_TEST_JOBS:-$(nproc)}" "$@"
