// The gate pointwise loops and the packed recurrent GEMM built for avx2 (compile flags in
// kernels/cpu_fast.cmake; 32-byte registers).
#define FEDLOAD_SIMD_BYTES 32
#include "simd_kernels_impl.hpp"

namespace fedload::kernels::cpu_fast {

const SimdKernels& simd_kernels_avx2() {
  static const SimdKernels table{"avx2",         cell_forward, cell_backward, column_sums,
                                 broadcast_rows, kPanel,       pack_panels,   gemm_packed,
                                 gemm_tn};
  return table;
}

}  // namespace fedload::kernels::cpu_fast
