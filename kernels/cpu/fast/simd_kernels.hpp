#pragma once
// The "cpu" backend's kernels that need SIMD: the gate pointwise work and the step's GEMMs,
// compiled once per instruction set (simd_avx512.cpp, simd_avx2.cpp, simd_generic.cpp from
// simd_kernels_impl.hpp) and chosen at run time. Cell buffers are one time step of the
// time-major layouts of lstm_layer.hpp: gates [B][4H] (blocks i, f, g, o of H values per
// sample), c, h, dh, dc [B][H]. All matrices are row-major.
#include <cstddef>
#include <string>

namespace fedload::kernels::cpu_fast {

// The right-hand matrix of the weight-gradient GEMM, [K][n1 + n2 + ones] = [B1 | B2 | 1]
// without copying anything: row k is B1's row k, then B2's row k - skip (zeros for k < skip),
// then a 1 when ones is set. With B1 = x_t, B2 = h_{t-1} (skip = B rows of step 0, where
// h_{-1} = 0) and the ones column, one GEMM over all steps yields [dW_ih | dW_hh | db].
struct ConcatRows {
  int n1 = 0;
  const float* b1 = nullptr;
  int ld1 = 0;
  int n2 = 0;
  const float* b2 = nullptr;
  int ld2 = 0;
  int skip = 0;
  bool ones = false;
  int cols() const { return n1 + n2 + (ones ? 1 : 0); }
};

struct SimdKernels {
  const char* simd;  // "avx512", "avx2", "generic"
  // gates holds the pre-activations a_t on entry and the activations i, f, g, o on return;
  // c = f c_prev + i g, h = o tanh(c). c_prev nullptr means zeros (t = 0).
  void (*cell_forward)(int B, int H, float* gates, const float* c_prev, float* c, float* h);
  // From the activations in gates (overwritten by the pre-activation gradients da_t), the cell
  // state c and c_prev (nullptr: zeros), the full gradient dh into h_t, and dc: on entry the
  // gradient into c_t from step t+1, on return the gradient into c_{t-1}.
  void (*cell_backward)(int B, int H, float* gates, const float* c_prev, const float* c, const float* dh,
                        float* dc);
  // out[c] = sum over rows r of a[r][c] (overwrites out).
  void (*column_sums)(int rows, int cols, const float* a, float* out);
  // a[r][c] = v[c] for every row r (a bias broadcast).
  void (*broadcast_rows)(int rows, int cols, const float* v, float* a);
  // Columns per packed panel of the recurrent GEMM (32 on AVX-512, 16 on AVX2, 8 on SSE).
  int panel;
  // Packs op(W) [K][N] into panels of `panel` columns, Wp[p][k][j] = op(W)[k][p panel + j],
  // zero padded: op(W)[k][n] = W[n ldw + k] when trans, else W[k ldw + n]. Wp holds
  // packed_floats(N, K) floats.
  void (*pack_panels)(bool trans, int N, int K, const float* W, int ldw, float* Wp);
  // C [M][N] += A [M][K] op(W) when accumulate, else C = bias + A op(W) (bias [N] broadcast
  // over rows; nullptr: zeros), op(W) packed by pack_panels. The per-step recurrent GEMMs (the
  // weights packed once per pass instead of once per step as a BLAS call would) and the input
  // projection with its bias.
  void (*gemm_packed)(int M, int N, int K, const float* A, int lda, const float* Wp, const float* bias,
                      bool accumulate, float* C, int ldc);
  // C [M][r.cols()] += A^T R with A stored [K][M] (lda): the weight and bias gradients,
  // summed over the rows of all steps. packed: packed_floats(r.cols(), K) floats of scratch.
  void (*gemm_tn)(int M, int K, const float* A, int lda, const ConcatRows& r, float* packed, float* C, int ldc);

  std::size_t packed_floats(int N, int K) const {
    return static_cast<std::size_t>((N + panel - 1) / panel) * panel * static_cast<std::size_t>(K);
  }
};
// The largest panel of any build: bounds packed_floats for the memory formula.
constexpr int kMaxPanel = 32;

// The three builds; simd_kernels_avx512/avx2 must only be called where the processor has them.
const SimdKernels& simd_kernels_avx512();
const SimdKernels& simd_kernels_avx2();
const SimdKernels& simd_kernels_generic();

// The widest build this processor runs, or the one FEDLOAD_CPU_SIMD names (InputError when the
// name is unknown or the processor lacks it). Chosen once per process.
const SimdKernels& simd_kernels();
// The build of that name for tests (InputError as above).
const SimdKernels& simd_kernels(const std::string& simd);
// Whether the processor can run the named build.
bool simd_supported(const std::string& simd);

}  // namespace fedload::kernels::cpu_fast
