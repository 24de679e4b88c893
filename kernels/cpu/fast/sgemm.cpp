// cpu_sgemm: row-major SGEMM on OpenBLAS (the distribution's build, chosen by CMake) with the
// thread count fedload sets, or a plain loop nest when the build has no BLAS.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "fedload/core/error.hpp"
#include "fedload/kernels/cpu_fast.hpp"

#if defined(FEDLOAD_HAVE_CBLAS)
#include <cblas.h>
#endif

namespace fedload::kernels {
namespace {

std::atomic<int> g_threads{0};  // 0: not yet applied

void apply_threads(int n) {
  g_threads.store(n);
#if defined(FEDLOAD_HAVE_OPENBLAS)
  openblas_set_num_threads(n);
#endif
}

// the first GEMM applies FEDLOAD_CPU_THREADS (or 1): OpenBLAS would otherwise use every core
// of the machine for every client
void ensure_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (g_threads.load() != 0) return;  // set_cpu_threads came first
    int n = 1;
    if (const char* env = std::getenv("FEDLOAD_CPU_THREADS"); env != nullptr && *env != '\0') {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (*end != '\0' || v < 1 || v > 4096) {
        throw_input_error("FEDLOAD_CPU_THREADS must be a positive integer, got '{}'", env);
      }
      n = static_cast<int>(v);
    }
    apply_threads(n);
  });
}

#if !defined(FEDLOAD_HAVE_CBLAS)
// C = alpha op(A) op(B) + beta C with the k loop outside the j loop so the innermost loop runs
// over contiguous rows of C and op(B) and vectorizes.
void loop_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
  for (int m = 0; m < M; ++m) {
    float* c = C + static_cast<std::size_t>(m) * ldc;
    for (int n = 0; n < N; ++n) c[n] = beta == 0.0f ? 0.0f : beta * c[n];
    for (int k = 0; k < K; ++k) {
      const float a = alpha * (ta ? A[static_cast<std::size_t>(k) * lda + m] : A[static_cast<std::size_t>(m) * lda + k]);
      if (tb) {
        for (int n = 0; n < N; ++n) c[n] += a * B[static_cast<std::size_t>(n) * ldb + k];
      } else {
        const float* b = B + static_cast<std::size_t>(k) * ldb;
        for (int n = 0; n < N; ++n) c[n] += a * b[n];
      }
    }
  }
}
#endif

}  // namespace

void cpu_sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    // BLAS leaves this case to the implementation's taste; fedload's contract is C = beta C
    for (int m = 0; m < M; ++m) {
      float* c = C + static_cast<std::size_t>(m) * ldc;
      for (int n = 0; n < N; ++n) c[n] = beta == 0.0f ? 0.0f : beta * c[n];
    }
    return;
  }
  ensure_threads();
#if defined(FEDLOAD_HAVE_CBLAS)
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, lda, B, ldb, beta, C, ldc);
#else
  loop_sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

void set_cpu_threads(int n) {
  if (n < 1) throw_input_error("the cpu backend needs at least one thread, got {}", n);
  ensure_threads();
  apply_threads(n);
}

int cpu_threads() {
  ensure_threads();
  return g_threads.load();
}

std::string cpu_blas_description() {
#if defined(FEDLOAD_HAVE_OPENBLAS)
  std::string config = openblas_get_config();
  // the config string starts with "OpenBLAS 0.3.21 ..." and lists build options; keep it short
  const auto cut = config.find(' ', config.find(' ') + 1);
  return config.substr(0, cut) + " core=" + openblas_get_corename() + " threads=" + std::to_string(cpu_threads());
#elif defined(FEDLOAD_HAVE_CBLAS)
  return "CBLAS threads=" + std::to_string(cpu_threads());
#else
  return "builtin loops";
#endif
}

}  // namespace fedload::kernels
