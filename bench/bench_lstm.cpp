// fedload_bench_lstm: one training step (forward, backward, Adam) of the default forecaster for
// every registered backend and a list of shapes. Each backend's step time comes from
// ForecasterBackend::time_train_steps (steady_clock on the CPU, CUDA events on GPUs), reported
// through UseManualTime. FLOP formula: bench/README.md.
//
//   fedload_bench_lstm [--backends=cpu_reference,cuda] [--benchmark_* flags]
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "fedload/core/rng.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/cpu_fast.hpp"
#include "fedload/kernels/gpu_backends.hpp"
#include "fedload/kernels/init.hpp"

namespace {

using fedload::kernels::ForecasterDims;

constexpr int kHorizon = 24;
constexpr int kStepsPerMeasurement = 3;

// Shapes every backend runs: {B, T, I, H}.
const std::vector<std::vector<int64_t>> kCommonShapes = {
    {32, 24, 5, 128}, {56, 168, 10, 128}, {32, 24, 5, 512}, {64, 168, 34, 256}};
// Extra shapes only for GPU backends (names starting with "cuda" or "cudnn"); extend here.
// The federated clients' shapes: B in {1, 8, 32} x T in {24, 168} x H in {64 .. 512}, I = 5.
const std::vector<std::vector<int64_t>> kGpuShapes = [] {
  std::vector<std::vector<int64_t>> s;
  for (int64_t B : {1, 8, 32})
    for (int64_t T : {24, 168})
      for (int64_t H : {64, 128, 256, 512}) s.push_back({B, T, 5, H});
  return s;
}();

bool is_gpu_backend(const std::string& name) { return name.rfind("cuda", 0) == 0 || name.rfind("cudnn", 0) == 0; }

// FLOPs of one training step (bench/README.md): forward GEMMs 2*M*N*K, backward twice forward.
double step_flops(const ForecasterDims& d) {
  double fwd = 0.0;
  for (int l = 0; l < d.layers; ++l) {
    const double in = l == 0 ? d.I : d.H;
    fwd += 2.0 * d.B * d.T * 4.0 * d.H * in;   // input projection
    fwd += 2.0 * d.B * d.T * 4.0 * d.H * d.H;  // recurrent projection
  }
  fwd += 2.0 * d.B * d.H * d.O;  // head
  return 3.0 * fwd;
}

// Peak resident memory (getrusage ru_maxrss, KiB on Linux) against the memory formula of
// bench/README.md: the process's peak at start plus the largest backend built so far (the
// "cpu" backend: cpu_backend_bytes) plus this program's copies of parameters and batch plus a
// 16 MiB allowance for OpenBLAS's packing buffers and the allocator. Exceeding it is an error
// row. Other backends report the peak only.
double max_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024.0;
}
const double kStartRss = max_rss_bytes();

void report_memory(benchmark::State& state, const std::string& backend, const ForecasterDims& d, std::size_t bench_floats) {
  constexpr double kMiB = 1024.0 * 1024.0;
  const double rss = max_rss_bytes();
  state.counters["maxrss_MiB"] = rss / kMiB;
  if (backend != "cpu") return;
  static double largest = 0.0;
  largest = std::max(largest, static_cast<double>(fedload::kernels::cpu_backend_bytes(d) + 4 * bench_floats));
  const double formula = kStartRss + largest + 16 * kMiB;
  state.counters["formula_MiB"] = formula / kMiB;
  state.counters["threads"] = fedload::kernels::cpu_threads();
  if (rss > formula) state.SkipWithError("peak RSS exceeds the memory formula of bench/README.md");
}

// The machine's SGEMM rate (cpu_sgemm: OpenBLAS, FEDLOAD_CPU_THREADS threads, 1 by default) at
// the GEMM shapes of one training step of the "cpu" backend, C [M][N] = op(A) op(B) with
// op = transpose where TA / TB is 1, so that step times can be read as a fraction of it.
void bench_sgemm(benchmark::State& state) {
  const int M = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)), K = static_cast<int>(state.range(2));
  const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
  fedload::CounterRng rng(11, 0);
  std::vector<float> a(static_cast<std::size_t>(M) * K), b(static_cast<std::size_t>(K) * N), c(static_cast<std::size_t>(M) * N, 0.0f);
  for (auto& v : a) v = static_cast<float>(rng.uniform(-1, 1));
  for (auto& v : b) v = static_cast<float>(rng.uniform(-1, 1));
  for (auto _ : state) {
    fedload::kernels::cpu_sgemm(ta, tb, M, N, K, 1.0f, a.data(), ta ? M : K, b.data(), tb ? K : N, 1.0f, c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetLabel(fedload::kernels::cpu_blas_description());
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * N * K * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// {M, N, K, TA, TB} of every GEMM in a "cpu" training step of one layer at shape {B, T, I, H}
// (kernels/cpu/fast/lstm_layer.cpp): input projection, per-step recurrent forward, per-step
// recurrent backward, and [dW_ih | dW_hh | db] over all steps.
std::vector<std::vector<int64_t>> step_gemm_shapes(const std::vector<int64_t>& s) {
  const int64_t B = s[0], T = s[1], I = s[2], H = s[3];
  return {{T * B, 4 * H, I, 0, 1}, {B, 4 * H, H, 0, 1}, {B, H, 4 * H, 0, 0}, {4 * H, I + H + 1, T * B, 1, 0}};
}

void bench_train_step(benchmark::State& state, const std::string& backend) {
  ForecasterDims d;
  d.B = static_cast<int>(state.range(0));
  d.T = static_cast<int>(state.range(1));
  d.I = static_cast<int>(state.range(2));
  d.H = static_cast<int>(state.range(3));
  d.layers = 1;
  d.O = kHorizon;
  std::unique_ptr<fedload::kernels::ForecasterBackend> b;
  try {
    b = fedload::kernels::make_backend(backend, d);
  } catch (const std::exception& e) {
    // e.g. a GPU backend on a machine without a visible device
    state.SkipWithError(("backend " + backend + " unavailable: " + e.what()).c_str());
    return;
  }
  std::vector<float> params(fedload::kernels::forecaster_param_count(d));
  fedload::kernels::init_forecaster_params(d, 42, params.data());
  fedload::CounterRng rng(7, 0);
  std::vector<float> x(static_cast<std::size_t>(d.B) * d.T * d.I), y(static_cast<std::size_t>(d.B) * d.O);
  for (auto& v : x) v = static_cast<float>(rng.uniform(-1, 1));
  for (auto& v : y) v = static_cast<float>(rng.uniform(-1, 1));
  b->set_params(params.data());
  b->load_batch(x.data(), y.data(), d.B);
  state.SetLabel((b->name() == backend ? "" : b->name() + " ") + fedload::kernels::backend_detail(*b));  // "auto": what it chose; the cuDNN algorithm
  const fedload::kernels::OptimizerOptions adam;  // Adam, lr 1e-3
  for (auto _ : state) {
    state.SetIterationTime(b->time_train_steps(kStepsPerMeasurement, fedload::kernels::LossKind::kMse, adam));
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(d.B), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(step_flops(d) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["params"] = static_cast<double>(params.size());
  report_memory(state, backend, d, params.size() + x.size() + y.size());
}

// Removes --backends=a,b from argv (Google Benchmark rejects unknown flags) and returns the list.
std::vector<std::string> take_backends_flag(int& argc, char** argv) {
  std::vector<std::string> chosen;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const char* prefix = "--backends=";
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0) {
      std::stringstream list(argv[i] + std::strlen(prefix));
      for (std::string name; std::getline(list, name, ',');) {
        if (!name.empty()) chosen.push_back(name);
      }
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return chosen;
}

}  // namespace

int main(int argc, char** argv) {
  const auto all = fedload::kernels::backend_names();
  auto chosen = take_backends_flag(argc, argv);
  if (chosen.empty()) chosen = all;
  for (const auto& name : chosen) {
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      std::string known;
      for (const auto& n : all) known += " " + n;
      std::fprintf(stderr, "fedload_bench_lstm: unknown backend '%s' (built:%s)\n", name.c_str(), known.c_str());
      return 2;
    }
    auto* bench = benchmark::RegisterBenchmark(("train_step/" + name).c_str(), bench_train_step, name);
    bench->ArgNames({"B", "T", "I", "H"})->UseManualTime()->Unit(benchmark::kMillisecond);
    for (const auto& shape : kCommonShapes) bench->Args(shape);
    if (is_gpu_backend(name)) {
      for (const auto& shape : kGpuShapes) bench->Args(shape);
    }
  }
  if (std::any_of(chosen.begin(), chosen.end(), [](const std::string& n) { return !is_gpu_backend(n); })) {
    auto* gemm = benchmark::RegisterBenchmark("sgemm", bench_sgemm);
    gemm->ArgNames({"M", "N", "K", "TA", "TB"});
    for (const auto& shape : kCommonShapes) {
      for (const auto& g : step_gemm_shapes(shape)) gemm->Args(g);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
