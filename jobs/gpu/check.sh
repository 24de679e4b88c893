#!/usr/bin/env bash
# Checks fedload's GPU backends on any machine with an NVIDIA GPU, in one go:
#   versions (nvidia-smi, CUDA, cuBLAS, cuDNN)  ->  host and GPU tests (every GPU backend against
#   the CPU reference)  ->  fedload_bench_lstm for the GPU backends  ->  PyTorch (cuDNN) on the
#   same shapes  ->  one JSON file with the table (bench/README.md, "GPU").
# A backend is only timed when its tests passed: no timing without a correctness gate.
#
#   jobs/gpu/check.sh [OUTDIR]            default OUTDIR: $OUT, else results/gpu-check
# Environment:
#   FEDLOAD_GPU_BUILD   build folder (default build-gpu; configured with the gpu-only preset and
#                       built here when its binaries are missing)
#   FEDLOAD_GPU_STAGES  subset of "tests bench torch profile" (default: all four; profile needs
#                       Nsight Compute's ncu and records single-kernel durations)
#   FEDLOAD_GPU_BACKENDS backends to test and time (default: cuda cuda_cluster cuda_persistent cudnn
#                       cudnn_eager cudnn_standard cuda_tf32 cudnn_tf32 cuda_register; cuda_stream and
#                       the single cuDNN algorithms are tested too; the *_tf32 ones against their own
#                       tolerance, and PyTorch is then timed with TF32 allowed too; cuda_register
#                       takes H <= 128, its timed rows above that say it refuses the shape)
#   FEDLOAD_GPU_NAME    device tag for the result file name (default: from nvidia-smi, e.g. h100)
#   FEDLOAD_BENCH_ARGS  extra flags for fedload_bench_lstm (e.g. --benchmark_filter=...)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-${OUT:-$root/results/gpu-check}}
build=${FEDLOAD_GPU_BUILD:-$root/build-gpu}
stages=${FEDLOAD_GPU_STAGES:-tests bench torch profile}
mkdir -p "$out"
log() { printf '[check.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# libraries a machine may lack: ones carried in .device/lib (fmt, toml++, benchmark), and
# cuDNN/cuBLAS from the PyTorch wheels when the CUDA toolkit has none
libs="$root/.device/lib"
for mod in nvidia.cudnn nvidia.cublas; do
  d=$(python3 -c "import $mod, os; print(os.path.join(list($mod.__path__)[0], 'lib'))" 2>/dev/null || true)
  [ -n "$d" ] && [ -d "$d" ] && libs="$libs:$d"
done
export LD_LIBRARY_PATH="$libs:${LD_LIBRARY_PATH:-}"

if [ ! -x "$build/tests/fedload_gpu_tests" ] || [ ! -x "$build/bench/fedload_bench_lstm" ]; then
  log "building GPU targets in $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFEDLOAD_CUDA=ON -DFEDLOAD_MPI=OFF \
    -DFEDLOAD_HDF5=OFF -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}"
  cmake --build "$build" --target fedload_gpu_tests fedload_gpu_host_tests fedload_bench_lstm
fi

log "versions"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,power.limit --format=csv \
  | tee "$out/nvidia_smi.csv"
tag=${FEDLOAD_GPU_NAME:-$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | grep -oiE 'h100|h200|a100|l40s|l4|v100|gh200|b200' | head -1 | tr 'A-Z' 'a-z')}
tag=${tag:-gpu}

backends=${FEDLOAD_GPU_BACKENDS:-cuda cuda_cluster cuda_persistent cuda_register cudnn cudnn_eager cudnn_standard cuda_tf32 cudnn_tf32}
failed=""
if [[ " $stages " == *" tests "* ]]; then
  log "tests"
  "$build/tests/fedload_gpu_host_tests" --gtest_brief=1
  # every backend is gated on its own tests: a failing one is reported and left out of the
  # benchmark, the others are still timed
  tests="$build/tests/fedload_gpu_tests"
  "$tests" --gtest_filter='GpuDevice.*:GpuBackendInput.*' 2>&1 | tee "$out/gpu_tests.log"
  passed=""
  untested=""
  for b in $backends cuda_stream cudnn_persist_static cudnn_persist_small_h; do
    filter="*GpuBackend.*/$b"
    case $b in
      cuda_persistent) filter="$filter:GpuPersistent.*" ;;
      cuda_cluster) filter="$filter:GpuCluster.*" ;;
      cuda_register) filter="$filter:GpuRegister.*" ;;
      cudnn) filter="$filter:GpuGraph.*" ;;
      *_tf32) filter="*GpuPrecisionVariant.*/$b" ;;  # their own tolerance (tests/gpu/gpu_backend_test.cpp)
    esac
    # a filter that matches no test (or tests that all skipped) also exits 0: such a backend is
    # "untested", neither timed nor counted as a failure
    if ! "$tests" --gtest_filter="$filter" >"$out/gpu_tests_$b.log" 2>&1; then
      failed="$failed $b"
    elif grep -qE '^\[  PASSED  \] [1-9]' "$out/gpu_tests_$b.log"; then
      passed="$passed $b"
    else
      untested="$untested $b"
    fi
    cat "$out/gpu_tests_$b.log" >>"$out/gpu_tests.log"
  done
  grep -E '^\[ +(device|limit|detail|worst|tol|PASSED|FAILED|SKIPPED) ' "$out/gpu_tests.log" | sort | uniq -c | sort -rn | cut -c1-220 | head -60
  log "tests passed:$passed; failed:${failed:- none}; untested (no test ran):${untested:- none}"
  keep=""
  for b in $backends; do [[ " $passed " == *" $b "* ]] && keep="$keep $b"; done
  backends=$keep
fi

if [[ " $stages " == *" bench "* ]] && [ -n "$backends" ]; then
  log "fedload_bench_lstm:$backends"
  # each iteration times 3 steps with CUDA events after an untimed warm-up step; iterations
  # for >= 0.05 s of GPU time, 3 repetitions, median reported
  "$build/bench/fedload_bench_lstm" --backends="$(echo $backends | tr ' ' ',')" \
    --benchmark_min_time=0.05 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/bench_lstm.json" --benchmark_out_format=json ${FEDLOAD_BENCH_ARGS:-} >"$out/bench.log" 2>&1 || true
  grep -c median "$out/bench.log" || true
fi

if [[ " $stages " == *" torch "* ]]; then
  log "PyTorch comparison"
  device_line=$(grep -m1 '\[ device' "$out/gpu_tests.log" 2>/dev/null | sed 's/^\[ device *\] //' || true)
  tf32_flag=""
  [[ " $backends " == *"_tf32 "* ]] && tf32_flag="--tf32"
  PYTHONUNBUFFERED=1 python3 "$root/bench/compare_pytorch_gpu.py" --bench "$out/bench_lstm.json" \
    --device-line "$device_line" --out "$out/gpu_lstm_$tag.json" $tf32_flag
fi
if [[ " $stages " == *" profile "* ]] && command -v ncu >/dev/null; then
  # the recurrence kernels' own durations at a latency-bound client shape (B=1, T=168, H=64):
  # what one grid-wide or cluster barrier per step costs, without launch gaps
  log "ncu kernel durations"
  for spec in "cuda_persistent:persistent" "cuda_cluster:cluster" "cuda:step_(forward|backward)" "cuda_register:register"; do
    b=${spec%%:*}
    ncu --metrics gpu__time_duration.sum -k "regex:${spec#*:}" -c 4 "$build/bench/fedload_bench_lstm" \
      --backends="$b" --benchmark_filter='/B:1/T:168/I:5/H:64/' --benchmark_min_time=0.001 2>&1 \
      | grep -E "lstm_|gpu__time_duration" | sed "s/^/$b: /" | tee -a "$out/ncu.log" || true
  done
fi
log "done: $out"
[ -z "$failed" ] || { log "FAILED backends:$failed"; exit 1; }
