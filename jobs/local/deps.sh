#!/usr/bin/env bash
# Installs the distribution packages fedload builds and tests with (Debian 12 / Ubuntu).
# Sourced by quickstart.sh and test.sh; safe to run on its own. Nothing is downloaded
# outside the distribution's package manager.
set -euo pipefail

FEDLOAD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools
  libgmp-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libopenblas-dev
  python3-h5py python3-numpy python3-matplotlib python3-torch
)

fedload_missing_packages() {
  local missing=() p
  for p in "${FEDLOAD_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  echo "${missing[@]:-}"
}

fedload_install_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "fedload: this script installs packages with apt-get (Debian 12 / Ubuntu)." >&2
    echo "fedload: on other systems install: MPI, HDF5 (C), GMP, toml++, CLI11, fmt, GoogleTest, Google Benchmark, OpenBLAS, CMake >= 3.25" >&2
    return 1
  fi
  local missing
  missing=$(fedload_missing_packages)
  if [[ -z "${missing// /}" ]]; then
    echo "fedload: all required packages are installed"
    return 0
  fi
  echo "fedload: installing missing packages: $missing"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "fedload: not root and no password-less sudo; install them yourself with:" >&2
      echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  fedload_install_deps
fi
