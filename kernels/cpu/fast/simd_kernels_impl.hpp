// The "cpu" backend's SIMD kernels (gate loops and the step's GEMMs), included by exactly one
// translation unit per instruction set (simd_<simd>.cpp), each compiled with its own -m flags.
// Everything here has internal linkage so that the three copies never meet at link time. The
// gate loops are plain C++ that GCC vectorizes; the GEMM tiles use GCC vector types whose width
// the including file sets (FEDLOAD_SIMD_BYTES).
//
// exp and tanh are approximations accurate to a few float ulp (std::exp would be a scalar call
// per value). Cell state gradients and activations stay in float like the reference.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fedload/kernels/cpu_fast.hpp"
#include "simd_kernels.hpp"

// Threads (set_cpu_threads / FEDLOAD_CPU_THREADS) split the panels of each GEMM and the
// samples of each step's cell update, when OpenMP is built in and the call is big enough to
// pay for a fork and join (a few microseconds).
#if defined(_OPENMP)
#define FEDLOAD_PARALLEL_FOR _Pragma("omp parallel for num_threads(nt) schedule(static)")
#else
#define FEDLOAD_PARALLEL_FOR
#endif

namespace fedload::kernels::cpu_fast {
namespace {

// threads for a call of `work` multiply-adds (or units) split into `parts` pieces
inline int team(double work, int parts) {
  if (work < 1e6 || parts < 2) return 1;
  return std::min(cpu_threads(), parts);
}

// e^x for x in float range: x = n ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^7
// (truncation below 6e-9 relative), 2^n built in the exponent bits.
inline float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  // round x log2(e) to the nearest integer by adding 1.5 * 2^23: the integer lands in the low
  // mantissa bits of t
  const float t = x * 1.44269504088896341f + 12582912.0f;
  const float n = t - 12582912.0f;
  const std::int32_t ni = std::bit_cast<std::int32_t>(t) - 0x4B400000;
  // ln2 split in a part exact in float and a remainder so that n ln2_hi is exact
  const float r = (x - n * 0.693145751953125f) - n * 1.428606820309417232e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p * std::bit_cast<float>((ni + 127) << 23);
}

inline float sigmoid_approx(float a) { return 1.0f / (1.0f + exp_approx(-a)); }

// tanh from e^{-2|a|} loses relative precision near zero (1 - e cancels), so below |a| = 0.3
// its odd Taylor series to a^9 is used (truncation below 6e-8 relative there).
inline float tanh_approx(float a) {
  const float ax = std::abs(a);
  const float e = exp_approx(-2.0f * ax);
  const float far = (1.0f - e) / (1.0f + e);
  const float a2 = a * a;
  const float near =
      ax * (1.0f + a2 * (-1.0f / 3.0f + a2 * (2.0f / 15.0f + a2 * (-17.0f / 315.0f + a2 * (62.0f / 2835.0f)))));
  return std::copysign(ax < 0.3f ? near : far, a);
}

// One sample's H units. The gate blocks are passed as separate restrict pointers: GCC only
// vectorizes these loops when it can see that the blocks do not overlap.
template <bool kHasPrev>
__attribute__((noinline)) void unit_forward(std::size_t H, float* __restrict ai, float* __restrict af,
                                            float* __restrict ag, float* __restrict ao,
                                            const float* __restrict cp, float* __restrict c,
                                            float* __restrict h) {
  for (std::size_t j = 0; j < H; ++j) {
    const float i = sigmoid_approx(ai[j]);
    const float f = sigmoid_approx(af[j]);
    const float g = tanh_approx(ag[j]);
    const float o = sigmoid_approx(ao[j]);
    ai[j] = i;
    af[j] = f;
    ag[j] = g;
    ao[j] = o;
    const float cn = kHasPrev ? f * cp[j] + i * g : i * g;
    c[j] = cn;
    h[j] = o * tanh_approx(cn);
  }
}

void cell_forward(int B, int H, float* gates, const float* c_prev, float* c, float* h) {
  const std::size_t n = static_cast<std::size_t>(H);
  const auto sample = [&](std::size_t b) {
    float* a = gates + b * 4 * n;
    if (c_prev) {
      unit_forward<true>(n, a, a + n, a + 2 * n, a + 3 * n, c_prev + b * n, c + b * n, h + b * n);
    } else {
      unit_forward<false>(n, a, a + n, a + 2 * n, a + 3 * n, nullptr, c + b * n, h + b * n);
    }
  };
  const int nt = team(20.0 * B * H, B);
  if (nt > 1) {
    FEDLOAD_PARALLEL_FOR
    for (int b = 0; b < B; ++b) sample(static_cast<std::size_t>(b));
  } else {
    for (int b = 0; b < B; ++b) sample(static_cast<std::size_t>(b));
  }
}

template <bool kHasPrev>
__attribute__((noinline)) void unit_backward(std::size_t H, float* __restrict ai, float* __restrict af,
                                             float* __restrict ag, float* __restrict ao,
                                             const float* __restrict cp, const float* __restrict c,
                                             const float* __restrict dh, float* __restrict dc) {
  for (std::size_t j = 0; j < H; ++j) {
    const float i = ai[j], f = af[j], g = ag[j], o = ao[j];
    const float tc = tanh_approx(c[j]);
    const float dhv = dh[j];
    // h = o tanh(c) feeds o and, through tanh, c; c = f c_prev + i g
    const float dcv = dc[j] + dhv * o * (1.0f - tc * tc);
    const float cpv = kHasPrev ? cp[j] : 0.0f;
    ai[j] = dcv * g * i * (1.0f - i);
    af[j] = dcv * cpv * f * (1.0f - f);
    ag[j] = dcv * i * (1.0f - g * g);
    ao[j] = dhv * tc * o * (1.0f - o);
    dc[j] = dcv * f;
  }
}

void cell_backward(int B, int H, float* gates, const float* c_prev, const float* c, const float* dh, float* dc) {
  const std::size_t n = static_cast<std::size_t>(H);
  const auto sample = [&](std::size_t b) {
    float* a = gates + b * 4 * n;
    if (c_prev) {
      unit_backward<true>(n, a, a + n, a + 2 * n, a + 3 * n, c_prev + b * n, c + b * n, dh + b * n, dc + b * n);
    } else {
      unit_backward<false>(n, a, a + n, a + 2 * n, a + 3 * n, nullptr, c + b * n, dh + b * n, dc + b * n);
    }
  };
  const int nt = team(10.0 * B * H, B);
  if (nt > 1) {
    FEDLOAD_PARALLEL_FOR
    for (int b = 0; b < B; ++b) sample(static_cast<std::size_t>(b));
  } else {
    for (int b = 0; b < B; ++b) sample(static_cast<std::size_t>(b));
  }
}

__attribute__((noinline)) void add_row(std::size_t n, const float* __restrict row, float* __restrict sum) {
  for (std::size_t k = 0; k < n; ++k) sum[k] += row[k];
}

void column_sums(int rows, int cols, const float* a, float* out) {
  const std::size_t n = static_cast<std::size_t>(cols);
  std::fill(out, out + n, 0.0f);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) add_row(n, a + r * n, out);
}

void broadcast_rows(int rows, int cols, const float* v, float* a) {
  for (int r = 0; r < rows; ++r) std::copy(v, v + cols, a + static_cast<std::size_t>(r) * cols);
}

// ---- the recurrent GEMM on a packed right-hand matrix --------------------------------------
// FEDLOAD_SIMD_BYTES (set by the including file) is the register width. A tile is kRows rows
// of C by one panel of two registers of columns; its 2 kRows accumulators stay in registers
// for the whole K loop (16 of AVX-512's 32, 12 of AVX2's 16, 8 of SSE's 16), each k loading
// two packed weight registers and broadcasting one A value per row.
constexpr int kLanes = FEDLOAD_SIMD_BYTES / 4;
constexpr int kPanel = 2 * kLanes;
constexpr int kRows = FEDLOAD_SIMD_BYTES == 64 ? 8 : (FEDLOAD_SIMD_BYTES == 32 ? 6 : 4);
typedef float vec __attribute__((vector_size(FEDLOAD_SIMD_BYTES)));

inline vec load(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, const vec& v) { std::memcpy(p, &v, sizeof v); }

void pack_panels(bool trans, int N, int K, const float* W, int ldw, float* Wp) {
  const int panels = (N + kPanel - 1) / kPanel;
  for (int p = 0; p < panels; ++p) {
    float* out = Wp + static_cast<std::size_t>(p) * K * kPanel;
    const int cols = std::min(kPanel, N - p * kPanel);
    if (trans) {
      // op(W)[k][n] = W[n][k]: read rows of W, write columns of the panel, in blocks of k so
      // that the block of the panel being written (kBlock x kPanel) stays in L1
      constexpr int kBlock = 64;
      for (int k0 = 0; k0 < K; k0 += kBlock) {
        const int kc = std::min(kBlock, K - k0);
        for (int j = 0; j < kPanel; ++j) {
          float* o = out + static_cast<std::size_t>(k0) * kPanel + j;
          if (j < cols) {
            const float* w = W + static_cast<std::size_t>(p * kPanel + j) * ldw + k0;
            for (int k = 0; k < kc; ++k) o[static_cast<std::size_t>(k) * kPanel] = w[k];
          } else {
            for (int k = 0; k < kc; ++k) o[static_cast<std::size_t>(k) * kPanel] = 0.0f;  // padding
          }
        }
      }
    } else {
      for (int k = 0; k < K; ++k) {
        const float* w = W + static_cast<std::size_t>(k) * ldw + static_cast<std::size_t>(p) * kPanel;
        float* o = out + static_cast<std::size_t>(k) * kPanel;
        for (int j = 0; j < kPanel; ++j) o[j] = j < cols ? w[j] : 0.0f;  // the last panel is zero-padded
      }
    }
  }
}

// One tile: C [R][cols] += A [R][K] wp, or = bias + A wp when init is set (bias nullptr:
// zeros). A(r, k) is A[r lda + k], or A[k lda + r] when kTransA (the weight-gradient GEMMs
// read the activations of all steps, stored [K][M]). V registers of columns (2, or 1 for a
// last panel of at most kLanes columns, which would otherwise compute zeros).
template <int R, bool kTransA, int V>
inline void tile(int K, const float* __restrict A, std::size_t lda, const float* __restrict wp, float* __restrict C,
                 std::size_t ldc, int cols, bool init, const float* __restrict bias, const float* ahead = nullptr) {
  vec acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = vec{};
  for (int k = 0; k < K; ++k) {
    // stored [K][M], A is read a whole row apart at every k, a stride the hardware prefetchers
    // do not follow across pages: fetch the lines of the tile after next meanwhile
    if constexpr (kTransA) {
      if (ahead) __builtin_prefetch(ahead + k * lda);
    }
    vec w[V];
    for (int v = 0; v < V; ++v) w[v] = load(wp + static_cast<std::size_t>(k) * kPanel + v * kLanes);
    for (int r = 0; r < R; ++r) {
      const float a = kTransA ? A[k * lda + r] : A[r * lda + k];
      for (int v = 0; v < V; ++v) acc[r][v] += a * w[v];
    }
  }
  for (int r = 0; r < R; ++r) {
    float* c = C + r * ldc;
    if (cols == V * kLanes) {
      for (int v = 0; v < V; ++v) {
        const vec c0 = init ? (bias ? load(bias + v * kLanes) : vec{}) : load(c + v * kLanes);
        store(c + v * kLanes, c0 + acc[r][v]);
      }
    } else {
      for (int j = 0; j < cols; ++j) {
        const float c0 = init ? (bias ? bias[j] : 0.0f) : c[j];
        c[j] = c0 + acc[r][j / kLanes][j % kLanes];
      }
    }
  }
}

// the last M % kRows rows: a tile of exactly that many rows
template <int R, bool kTransA, int V>
void tile_rows(int rows, int K, const float* A, std::size_t lda, const float* wp, float* C, std::size_t ldc, int cols,
               bool init, const float* bias) {
  if constexpr (R > 0) {
    if (rows == R) {
      tile<R, kTransA, V>(K, A, lda, wp, C, ldc, cols, init, bias);
    } else {
      tile_rows<R - 1, kTransA, V>(rows, K, A, lda, wp, C, ldc, cols, init, bias);
    }
  }
}

// every row block of C against one panel
template <bool kTransA, int V>
void panel_rows_v(int M, int K, const float* A, std::size_t lda, const float* wp, float* C, std::size_t ldc, int cols,
                  bool init, const float* bias) {
  const auto row = [&](int m) { return kTransA ? A + m : A + m * lda; };
  int m = 0;
  for (; m + kRows <= M; m += kRows) {
    // two tiles share each cache line of A (kRows floats is half a line on AVX-512)
    const float* ahead = kTransA && m + 2 * kRows < M ? row(m + 2 * kRows) : nullptr;
    tile<kRows, kTransA, V>(K, row(m), lda, wp, C + m * ldc, ldc, cols, init, bias, ahead);
  }
  if (m < M) tile_rows<kRows - 1, kTransA, V>(M - m, K, row(m), lda, wp, C + m * ldc, ldc, cols, init, bias);
}

template <bool kTransA>
void panel_rows(int M, int K, const float* A, std::size_t lda, const float* wp, float* C, std::size_t ldc, int cols,
                bool init, const float* bias) {
  if (cols <= kLanes) {
    panel_rows_v<kTransA, 1>(M, K, A, lda, wp, C, ldc, cols, init, bias);
  } else {
    panel_rows_v<kTransA, 2>(M, K, A, lda, wp, C, ldc, cols, init, bias);
  }
}

void gemm_packed(int M, int N, int K, const float* A, int lda, const float* Wp, const float* bias, bool accumulate,
                 float* C, int ldc) {
  const int panels = (N + kPanel - 1) / kPanel;
  const std::size_t la = static_cast<std::size_t>(lda), lc = static_cast<std::size_t>(ldc);
  // panel-outer: one panel (K x kPanel floats: 16 KiB at K = 128 on AVX-512) stays in L1/L2
  // while every row block of A passes over it
  const auto panel = [&](int p) {
    const float* wp = Wp + static_cast<std::size_t>(p) * K * kPanel;
    const int cols = std::min(kPanel, N - p * kPanel);
    panel_rows<false>(M, K, A, la, wp, C + static_cast<std::size_t>(p) * kPanel, lc, cols, !accumulate,
                      bias ? bias + static_cast<std::size_t>(p) * kPanel : nullptr);
  };
  const int nt = team(static_cast<double>(M) * N * K, panels);
  if (nt > 1) {
    FEDLOAD_PARALLEL_FOR
    for (int p = 0; p < panels; ++p) panel(p);
  } else {
    for (int p = 0; p < panels; ++p) panel(p);
  }
}

// C [M][N] += A^T R with A stored [K][M] and R = [B1 | B2 | 1] [K][N]: sums over K = all
// steps' rows, which is long (T*B) while M and N are the weights' shape. R is packed once into
// panels; then, block by block of C rows, K is walked in blocks of kKBlock rows; the C block
// and the A block together take about kBlockBytes, so that they and one R panel block stay in
// L2 (1 MiB on the machines this was tuned on) while the tiles pass over them.
constexpr int kKBlock = 256;
constexpr std::size_t kBlockBytes = 384 * 1024;

// Rows k0..k0+kc of columns [c0, c0 + kPanel) of R: a slice of B1's rows, a slice of B2's
// rows (zeros for rows < skip), the ones column, zeros past it. Each of the three segments is a
// plain copy per row; interior panels come whole from one source and move as two registers.
void pack_concat_rows(const ConcatRows& r, int k0, int kc, int c0, float* buf) {
  const int n = r.n1 + r.n2;
  const int e1 = std::clamp(r.n1 - c0, 0, kPanel);  // columns [0, e1) from B1
  const int e2 = std::clamp(n - c0, 0, kPanel);     // columns [e1, e2) from B2
  float tail[kPanel] = {};                          // columns [e2, kPanel): the ones column, zeros
  if (r.ones && n - c0 >= 0 && n - c0 < kPanel) tail[n - c0] = 1.0f;
  for (int k = 0; k < kc; ++k) {
    const int row = k0 + k;
    float* out = buf + static_cast<std::size_t>(k) * kPanel;
    const float* b1 = r.b1 + static_cast<std::size_t>(row) * r.ld1 + c0;
    const float* b2 = row < r.skip ? nullptr : r.b2 + static_cast<std::size_t>(row - r.skip) * r.ld2 + (c0 - r.n1);
    if (e1 == kPanel) {
      store(out, load(b1));
      store(out + kLanes, load(b1 + kLanes));
    } else if (e1 == 0 && e2 == kPanel && b2) {
      store(out, load(b2));
      store(out + kLanes, load(b2 + kLanes));
    } else {
      for (int j = 0; j < e1; ++j) out[j] = b1[j];
      if (b2) {
        for (int j = e1; j < e2; ++j) out[j] = b2[j];
      } else {
        for (int j = e1; j < e2; ++j) out[j] = 0.0f;
      }
      for (int j = e2; j < kPanel; ++j) out[j] = tail[j];
    }
  }
}

void gemm_tn(int M, int K, const float* A, int lda, const ConcatRows& r, float* packed, float* C, int ldc) {
  const int N = r.cols();
  const int panels = (N + kPanel - 1) / kPanel;
  const std::size_t la = static_cast<std::size_t>(lda), lc = static_cast<std::size_t>(ldc);
  const std::size_t panel_floats = static_cast<std::size_t>(K) * kPanel;
  // R is packed once, whole: every block of C rows reads all of it
  {
    const auto pack = [&](int p) { pack_concat_rows(r, 0, K, p * kPanel, packed + p * panel_floats); };
    const int nt = team(static_cast<double>(M) * N * K, panels);
    if (nt > 1) {
      FEDLOAD_PARALLEL_FOR
      for (int p = 0; p < panels; ++p) pack(p);
    } else {
      for (int p = 0; p < panels; ++p) pack(p);
    }
  }
  // a row of the C block costs its panels' width, and a column of the A block kKBlock floats
  const std::size_t row_bytes = sizeof(float) * (static_cast<std::size_t>(panels) * kPanel + kKBlock);
  const int m_block = std::max(kRows, static_cast<int>(kBlockBytes / row_bytes) / kRows * kRows);
  for (int m0 = 0; m0 < M; m0 += m_block) {
    const int mc = std::min(m_block, M - m0);
    for (int k0 = 0; k0 < K; k0 += kKBlock) {
      const int kc = std::min(kKBlock, K - k0);
      const float* Ab = A + static_cast<std::size_t>(k0) * la + m0;
      const auto panel = [&](int p) {
        panel_rows<true>(mc, kc, Ab, la, packed + p * panel_floats + static_cast<std::size_t>(k0) * kPanel,
                         C + m0 * lc + static_cast<std::size_t>(p) * kPanel, lc, std::min(kPanel, N - p * kPanel), false,
                         nullptr);
      };
      const int nt = team(static_cast<double>(mc) * N * kc, panels);
      if (nt > 1) {
        FEDLOAD_PARALLEL_FOR
        for (int p = 0; p < panels; ++p) panel(p);
      } else {
        for (int p = 0; p < panels; ++p) panel(p);
      }
    }
  }
}

}  // namespace
}  // namespace fedload::kernels::cpu_fast
