// Run-time choice of the pointwise build: the widest the processor supports, unless
// FEDLOAD_CPU_SIMD names one.
#include <cstdlib>
#include <string>

#include "fedload/core/error.hpp"
#include "fedload/kernels/cpu_fast.hpp"
#include "simd_kernels.hpp"

namespace fedload::kernels::cpu_fast {

bool simd_supported(const std::string& simd) {
  if (simd == "generic") return true;
  __builtin_cpu_init();
  if (simd == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (simd == "avx512") {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  }
  return false;
}

const SimdKernels& simd_kernels(const std::string& simd) {
  if (simd != "avx512" && simd != "avx2" && simd != "generic") {
    throw_input_error("unknown SIMD level '{}' (FEDLOAD_CPU_SIMD takes avx512, avx2 or generic)", simd);
  }
  if (!simd_supported(simd)) throw_input_error("this processor cannot run the {} build of the cpu backend", simd);
  if (simd == "avx512") return simd_kernels_avx512();
  if (simd == "avx2") return simd_kernels_avx2();
  return simd_kernels_generic();
}

const SimdKernels& simd_kernels() {
  static const SimdKernels& chosen = [] () -> const SimdKernels& {
    if (const char* env = std::getenv("FEDLOAD_CPU_SIMD"); env != nullptr && *env != '\0') return simd_kernels(env);
    for (const char* simd : {"avx512", "avx2"}) {
      if (simd_supported(simd)) return simd_kernels(simd);
    }
    return simd_kernels_generic();
  }();
  return chosen;
}

}  // namespace fedload::kernels::cpu_fast

namespace fedload::kernels {

std::string cpu_simd_level() { return cpu_fast::simd_kernels().simd; }

}  // namespace fedload::kernels
