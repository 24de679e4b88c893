// The cpu backend's building blocks against the reference kernels, for every SIMD build this
// processor runs: the gate activations over the whole range a cell sees, and one LSTM layer
// (time-major, GEMMs over all steps) forward and backward through time.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cpu_fast_support.hpp"
#include "fedload/core/error.hpp"
#include "fedload/kernels/cpu_fast.hpp"
#include "fedload/kernels/reference.hpp"
#include "lstm_layer.hpp"
#include "model_compare.hpp"
#include "simd_kernels.hpp"

namespace fedload::test {
namespace {

using kernels::LstmDims;
using kernels::cpu_fast::SimdKernels;

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

// Pre-activations from -30 to 30, dense near zero where tanh's relative precision is hardest.
std::vector<float> activation_inputs(int H, int B) {
  auto v = random_vector<float>(static_cast<std::size_t>(4) * H * B, run_seed(), -30.0, 30.0);
  for (std::size_t k = 0; k < v.size(); k += 3) v[k] *= 1e-3f;
  return v;
}

TEST(CpuFastPointwise, GateActivationsMatchDoublePrecisionForEverySimdBuild) {
  FEDLOAD_TRACE_SEED();
  const int B = 3, H = 37;
  const auto a = activation_inputs(H, B);
  const auto c_prev = random_vector<float>(static_cast<std::size_t>(B) * H, run_seed() + 1, -3.0, 3.0);
  for (const auto& simd : runnable_simd_levels()) {
    SCOPED_TRACE("simd " + simd);
    const SimdKernels& k = kernels::cpu_fast::simd_kernels(simd);
    std::vector<float> gates = a, c(c_prev.size()), h(c_prev.size());
    k.cell_forward(B, H, gates.data(), c_prev.data(), c.data(), h.data());
    std::vector<double> want_gates(a.size()), want_c(c.size()), want_h(h.size());
    for (int b = 0; b < B; ++b) {
      for (int j = 0; j < H; ++j) {
        const std::size_t r = static_cast<std::size_t>(b) * 4 * H + j, u = static_cast<std::size_t>(b) * H + j;
        const double i = sigmoid(a[r]), f = sigmoid(a[r + H]), g = std::tanh(static_cast<double>(a[r + 2 * H]));
        const double o = sigmoid(a[r + 3 * H]);
        want_gates[r] = i;
        want_gates[r + H] = f;
        want_gates[r + 2 * H] = g;
        want_gates[r + 3 * H] = o;
        // from the float cell state the kernel computed, so that only tanh is judged in h
        want_c[u] = f * c_prev[u] + i * g;
        want_h[u] = o * std::tanh(static_cast<double>(c[u]));
      }
    }
    EXPECT_TRUE(all_close("gates", gates, want_gates, 2e-6, 1e-30));
    // f c_prev + i g may cancel; the float products carry an error of about ulp(|c_prev| <= 3)
    EXPECT_TRUE(all_close("c", c, want_c, 1e-5, 1e-6));
    EXPECT_TRUE(all_close("h", h, want_h, 2e-6, 1e-30));
  }
}

TEST(CpuFastPointwise, UnknownOrUnsupportedSimdLevelIsAnInputError) {
  EXPECT_THROW(kernels::cpu_fast::simd_kernels("avx9"), InputError);
  EXPECT_NE(kernels::cpu_simd_level(), "");
}

// x [B][T][I] <-> [T][B][I]
std::vector<float> to_time_major(const std::vector<float>& v, int B, int T, int n) {
  std::vector<float> out(v.size());
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int k = 0; k < n; ++k)
        out[(static_cast<std::size_t>(t) * B + b) * n + k] = v[(static_cast<std::size_t>(b) * T + t) * n + k];
  return out;
}

struct LayerCase {
  int B, T, I, H;
};

class CpuFastLayer : public ::testing::TestWithParam<LayerCase> {};

TEST_P(CpuFastLayer, ForwardAndBackwardThroughTimeMatchTheReference) {
  FEDLOAD_TRACE_SEED();
  const auto [B, T, I, H] = GetParam();
  const LstmDims d{B, T, I, H};
  const std::size_t G = 4 * static_cast<std::size_t>(H), bth = static_cast<std::size_t>(B) * T * H;
  const std::uint64_t s = run_seed() + 100;
  const double bound = 1.0 / std::sqrt(static_cast<double>(H));
  const auto w_ih = random_vector<float>(G * I, s, -bound, bound), w_hh = random_vector<float>(G * H, s + 1, -bound, bound);
  const auto b_ih = random_vector<float>(G, s + 2, -bound, bound), b_hh = random_vector<float>(G, s + 3, -bound, bound);
  const auto x = random_vector<float>(static_cast<std::size_t>(B) * T * I, s + 4);
  const auto dh_seq = random_vector<float>(bth, s + 5);  // every step read from above
  const kernels::LstmParams<float> p{w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()};

  std::vector<float> h_ref(bth), c_ref(bth), gates_ref(4 * bth), dx_ref(x.size());
  std::vector<float> gw_ih(w_ih.size()), gw_hh(w_hh.size()), gb_ih(G), gb_hh(G);
  kernels::lstm_forward_reference<float>(d, x.data(), p, nullptr, nullptr, h_ref.data(), c_ref.data(), gates_ref.data());
  kernels::lstm_backward_reference<float>(d, x.data(), p, nullptr, nullptr, h_ref.data(), c_ref.data(), gates_ref.data(),
                                          dh_seq.data(), nullptr, {gw_ih.data(), gw_hh.data(), gb_ih.data(), gb_hh.data()},
                                          dx_ref.data(), nullptr, nullptr);

  for (const auto& simd : runnable_simd_levels()) {
    SCOPED_TRACE("simd " + simd);
    const SimdKernels& k = kernels::cpu_fast::simd_kernels(simd);
    const auto x_tm = to_time_major(x, B, T, I);
    auto dh = to_time_major(dh_seq, B, T, H);
    std::vector<float> h(bth), c(bth), gates(4 * bth), bias(G), dc(static_cast<std::size_t>(B) * H), dx(x.size());
    // scratch sized exactly (no slack), and each slice its own vector so that overruns show
    const auto sizes = kernels::cpu_fast::lstm_scratch_floats(k.panel, I, H, B * T);
    std::vector<float> packed_hh(sizes.packed_w_hh), packed_ih(sizes.packed_w_ih), packed_rows(sizes.packed_rows);
    std::vector<float> dw(sizes.dw);
    const kernels::cpu_fast::LstmScratch scratch{bias.data(), packed_hh.data(), packed_ih.data(), packed_rows.data(),
                                                 dw.data()};
    // gradients start as garbage: the layer must overwrite, not accumulate
    std::vector<float> fw_ih(w_ih.size(), 7.0f), fw_hh(w_hh.size(), 7.0f), fb_ih(G, 7.0f), fb_hh(G, 7.0f);
    kernels::cpu_fast::lstm_layer_forward(k, d, x_tm.data(), p, scratch, h.data(), c.data(), gates.data());
    EXPECT_TRUE(all_close("h", h, to_time_major(h_ref, B, T, H), 1e-4, 1e-6));
    EXPECT_TRUE(all_close("c", c, to_time_major(c_ref, B, T, H), 1e-4, 1e-6));
    EXPECT_TRUE(all_close("gates", gates, to_time_major(gates_ref, B, T, 4 * H), 1e-4, 1e-6));
    kernels::cpu_fast::lstm_layer_backward(k, d, x_tm.data(), p, scratch, h.data(), c.data(), gates.data(), dh.data(), dc.data(),
                                           {fw_ih.data(), fw_hh.data(), fb_ih.data(), fb_hh.data()}, dx.data());
    EXPECT_TRUE(all_close("dW_ih", fw_ih, gw_ih, 1e-4, sum_atol(gw_ih)));
    EXPECT_TRUE(all_close("dW_hh", fw_hh, gw_hh, 1e-4, sum_atol(gw_hh)));
    EXPECT_TRUE(all_close("db_ih", fb_ih, gb_ih, 1e-4, sum_atol(gb_ih)));
    EXPECT_TRUE(all_close("db_hh", fb_hh, gb_hh, 1e-4, sum_atol(gb_hh)));
    const auto dx_want = to_time_major(dx_ref, B, T, I);
    EXPECT_TRUE(all_close("dx", dx, dx_want, 1e-4, sum_atol(dx_want)));
  }
}

INSTANTIATE_TEST_SUITE_P(OddShapes, CpuFastLayer,
                         ::testing::Values(LayerCase{1, 1, 1, 1}, LayerCase{1, 9, 7, 33}, LayerCase{5, 1, 7, 33},
                                           LayerCase{4, 12, 3, 1}, LayerCase{3, 17, 7, 33},
                                           LayerCase{8, 24, 5, 64}),
                         [](const auto& info) {
                           const LayerCase& c = info.param;
                           return "B" + std::to_string(c.B) + "_T" + std::to_string(c.T) + "_I" + std::to_string(c.I) +
                                  "_H" + std::to_string(c.H);
                         });

// The step's own GEMMs against double loops, for every SIMD build, at sizes that leave partial
// row tiles, partial (and half) panels and K blocks: the packed GEMM in its three modes (add,
// bias, zeros) and the weight-gradient GEMM over [B1 | B2 | 1] with B2's first rows skipped.
TEST(CpuFastSimdGemm, PackedAndWeightGradientGemmsMatchLoops) {
  FEDLOAD_TRACE_SEED();
  struct Shape {
    int M, N, K;
  };
  for (const auto& simd : runnable_simd_levels()) {
    const SimdKernels& k = kernels::cpu_fast::simd_kernels(simd);
    for (const Shape sh : {Shape{1, 1, 1}, Shape{13, 70, 9}, Shape{9, 40, 300}, Shape{32, 96, 33}}) {
      const auto [M, N, K] = sh;
      SCOPED_TRACE("simd " + simd + " M " + std::to_string(M) + " N " + std::to_string(N) + " K " + std::to_string(K));
      const auto A = random_vector<float>(static_cast<std::size_t>(M) * K, run_seed() + 21);
      const auto W = random_vector<float>(static_cast<std::size_t>(N) * K, run_seed() + 22);  // [N][K]
      const auto bias = random_vector<float>(N, run_seed() + 23);
      const auto C0 = random_vector<float>(static_cast<std::size_t>(M) * N, run_seed() + 24);
      std::vector<float> packed(k.packed_floats(N, K));
      for (int mode = 0; mode < 3; ++mode) {  // 0: C += A W^T, 1: C = bias + A W^T, 2: C = A W^T
        k.pack_panels(true, N, K, W.data(), K, packed.data());
        auto C = C0;
        k.gemm_packed(M, N, K, A.data(), K, packed.data(), mode == 1 ? bias.data() : nullptr, mode == 0, C.data(), N);
        std::vector<double> want(C.size());
        for (int m = 0; m < M; ++m) {
          for (int n = 0; n < N; ++n) {
            double acc = mode == 0 ? C0[static_cast<std::size_t>(m) * N + n] : (mode == 1 ? bias[n] : 0.0);
            for (int q = 0; q < K; ++q) {
              acc += static_cast<double>(A[static_cast<std::size_t>(m) * K + q]) * W[static_cast<std::size_t>(n) * K + q];
            }
            want[static_cast<std::size_t>(m) * N + n] = acc;
          }
        }
        EXPECT_TRUE(all_close("packed GEMM mode " + std::to_string(mode), C, want, 1e-5, 1e-5));
      }
      // the same op(W) packed from its transpose [K][N] must give the same product
      std::vector<float> Wt(W.size());
      for (int n = 0; n < N; ++n)
        for (int q = 0; q < K; ++q) Wt[static_cast<std::size_t>(q) * N + n] = W[static_cast<std::size_t>(n) * K + q];
      std::vector<float> packed_t(packed.size());
      k.pack_panels(true, N, K, W.data(), K, packed.data());
      k.pack_panels(false, N, K, Wt.data(), N, packed_t.data());
      EXPECT_EQ(packed, packed_t);

      // weight gradient: C [M][n1 + n2 + 1] += A^T [B1 | B2 | 1], A stored [K][M], B2 zero for
      // rows k < skip, the last column the sums of A's columns (the bias gradient)
      const bool ones = N >= 3;
      const int n1 = std::max(1, N / 3), n2 = N - n1 - (ones ? 1 : 0), skip = std::min(K, 3);
      const auto B1 = random_vector<float>(static_cast<std::size_t>(K) * n1, run_seed() + 25);
      const auto B2 = random_vector<float>(static_cast<std::size_t>(K) * std::max(n2, 1), run_seed() + 26);
      const auto At = random_vector<float>(static_cast<std::size_t>(K) * M, run_seed() + 27);
      const kernels::cpu_fast::ConcatRows rows{n1, B1.data(), n1, n2, B2.data(), n2, skip, ones};
      ASSERT_EQ(rows.cols(), N);
      auto C = C0;
      std::vector<float> packed_rows(k.packed_floats(N, K));
      k.gemm_tn(M, K, At.data(), M, rows, packed_rows.data(), C.data(), N);
      std::vector<double> want(C.size());
      for (int m = 0; m < M; ++m) {
        for (int n = 0; n < N; ++n) {
          double acc = C0[static_cast<std::size_t>(m) * N + n];
          for (int q = 0; q < K; ++q) {
            double b = 1.0;  // the ones column
            if (n < n1) {
              b = B1[static_cast<std::size_t>(q) * n1 + n];
            } else if (n < n1 + n2) {
              b = q >= skip ? B2[static_cast<std::size_t>(q - skip) * n2 + n - n1] : 0.0;
            }
            acc += static_cast<double>(At[static_cast<std::size_t>(q) * M + m]) * b;
          }
          want[static_cast<std::size_t>(m) * N + n] = acc;
        }
      }
      EXPECT_TRUE(all_close("weight-gradient GEMM", C, want, 1e-5, 1e-5));
    }
  }
}

TEST(CpuFastSgemm, AllTransposesAndEmptyInnerDimensionMatchLoops) {
  FEDLOAD_TRACE_SEED();
  const int M = 5, N = 19, K = 11;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      SCOPED_TRACE(std::string("trans_a ") + (ta ? "1" : "0") + " trans_b " + (tb ? "1" : "0"));
      const auto A = random_vector<float>(static_cast<std::size_t>(M) * K, run_seed() + 11);
      const auto Bm = random_vector<float>(static_cast<std::size_t>(K) * N, run_seed() + 12);
      auto C = random_vector<float>(static_cast<std::size_t>(M) * N, run_seed() + 13);
      std::vector<double> want(C.size());
      for (int m = 0; m < M; ++m) {
        for (int n = 0; n < N; ++n) {
          double s = 0.0;
          for (int k = 0; k < K; ++k) {
            const double a = ta ? A[static_cast<std::size_t>(k) * M + m] : A[static_cast<std::size_t>(m) * K + k];
            const double b = tb ? Bm[static_cast<std::size_t>(n) * K + k] : Bm[static_cast<std::size_t>(k) * N + n];
            s += a * b;
          }
          want[static_cast<std::size_t>(m) * N + n] = 0.5 * s + 2.0 * C[static_cast<std::size_t>(m) * N + n];
        }
      }
      kernels::cpu_sgemm(ta, tb, M, N, K, 0.5f, A.data(), ta ? M : K, Bm.data(), tb ? K : N, 2.0f, C.data(), N);
      EXPECT_TRUE(all_close("C", C, want, 1e-5, 1e-6));
    }
  }
  std::vector<float> C(6, 3.0f);
  kernels::cpu_sgemm(false, false, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 3, 0.0f, C.data(), 3);
  EXPECT_EQ(C, std::vector<float>(6, 0.0f)) << "K = 0 with beta = 0 must clear C";
}

}  // namespace
}  // namespace fedload::test
