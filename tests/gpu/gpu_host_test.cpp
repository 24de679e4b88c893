// The GPU backends' host-side logic, which CI (no GPU) runs: the persistent kernel's plan and
// hidden-size limit, the cuDNN weight-space map, the cuDNN backend names (algorithms, math,
// graph), when a training step is captured or replayed as a CUDA graph, and what a GPU backend
// does when there is no GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

#include "fedload/core/error.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/cudnn_layout.hpp"
#include "fedload/kernels/device_info.hpp"
#include "fedload/kernels/gpu_plan.hpp"
#include "fedload/kernels/graph_replay.hpp"

namespace fedload::kernels {
namespace {

constexpr int kH100Sms = 132;
constexpr std::size_t kH100SmemOptin = 227 * 1024;

TEST(PersistentPlan, SpreadsUnitsOverAtMostOneBlockPerSm) {
  for (int H : {1, 33, 64, 131, 132, 133, 256, 512, 1000}) {
    const auto p = plan_persistent_lstm(H, kH100Sms, kH100SmemOptin);
    ASSERT_TRUE(p) << H;
    EXPECT_LE(p->blocks, kH100Sms) << H;
    EXPECT_GE(p->blocks * p->units_per_block, H) << H;               // every unit owned
    EXPECT_LT((p->blocks - 1) * p->units_per_block, H) << H;         // no empty block
    EXPECT_EQ(p->smem_bytes, 4u * p->units_per_block * H * sizeof(float) + kPersistentSmemReserve) << H;
  }
}

TEST(PersistentPlan, H100LimitIsWhereTheWeightsStopFittingInSharedMemory) {
  const int limit = max_persistent_hidden(kH100Sms, kH100SmemOptin);
  // 10 units x 4 gates x 1320 floats = 211200 B fits in 227 KiB; H = 1321 needs 11 units/block
  EXPECT_EQ(limit, 1320);
  EXPECT_TRUE(plan_persistent_lstm(limit, kH100Sms, kH100SmemOptin));
  std::string why;
  EXPECT_FALSE(plan_persistent_lstm(limit + 1, kH100Sms, kH100SmemOptin, &why));
  EXPECT_NE(why.find("limit H=1320"), std::string::npos) << why;
  // a smaller GPU (e.g. 46 SMs, 99 KiB per block) has a much lower limit
  EXPECT_LT(max_persistent_hidden(46, 99 * 1024), 600);
}

TEST(ClusterPlan, FitsTheClientShapesUpToH256AndRefusesH512) {
  for (int H : {33, 64, 128, 256}) {
    const auto p = plan_cluster_lstm(H, 32, 16, kH100SmemOptin);
    ASSERT_TRUE(p) << H;
    EXPECT_GE(p->cluster * p->units_per_block, H);
    EXPECT_LE(p->smem_forward, kH100SmemOptin);
    EXPECT_LE(p->smem_backward, kH100SmemOptin);
  }
  // H = 256, B = 32: 16 units x 4 x 256 weights + 2 x 32 x 256 h + 4 x 16 bias + 11 x 32 x 16
  // per-cell floats
  EXPECT_EQ(plan_cluster_lstm(256, 32, 16, kH100SmemOptin)->smem_forward, (16384u + 16384u + 64u + 5632u) * 4u);
  std::string why;
  EXPECT_FALSE(plan_cluster_lstm(512, 1, 16, kH100SmemOptin, &why));
  EXPECT_NE(why.find("shared memory"), std::string::npos) << why;
  // a portable cluster of 8 holds twice the weights per CTA: H = 256 fits with B = 8, not B = 32
  const auto eight = plan_cluster_lstm(256, 8, 8, kH100SmemOptin);
  ASSERT_TRUE(eight);
  EXPECT_EQ(eight->units_per_block, 32);
  EXPECT_FALSE(plan_cluster_lstm(256, 32, 8, kH100SmemOptin));
}

TEST(ClusterPlan, TriesHoppersLargestClusterFirstThenThePortableSize) {
  EXPECT_EQ(cluster_sizes_to_try(64), (std::vector<int>{16, 8}));
}

TEST(RegisterPlan, PadsHToABucketAndHoldsEveryWeightInRegisters) {
  for (int H = 1; H <= kRegisterMaxHidden; ++H) {
    const auto p = plan_register_lstm(H, 8, kH100Sms);
    ASSERT_TRUE(p) << H;
    EXPECT_GE(p->bucket, H) << H;
    EXPECT_TRUE(p->bucket == 32 || p->bucket == 64 || p->bucket == 128) << H;
    EXPECT_TRUE(p->bucket == 32 || p->bucket / 2 < H) << H;  // the smallest bucket that holds H
    EXPECT_EQ(p->cluster, p->bucket == 128 ? 2 : 1) << H;
    // the 4 (HP/C) rows of length HP of a CTA, spread over its threads without remainder
    EXPECT_EQ(p->threads * p->weight_registers, 4 * (p->bucket / p->cluster) * p->bucket) << H;
    EXPECT_LE(p->threads, 1024) << H;
    // the weights take at most half of the 64K-register file at one CTA per SM
    EXPECT_LE(p->threads * p->weight_registers, 32 * 1024) << H;
  }
  const auto odd = plan_register_lstm(33, 3, kH100Sms);
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->bucket, 64);
  EXPECT_EQ(odd->threads, 512);
  EXPECT_EQ(odd->weight_registers, 32);
  const auto top = plan_register_lstm(128, 32, kH100Sms);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->cluster, 2);
  EXPECT_EQ(top->weight_registers, 64);
  EXPECT_EQ(plan_register_lstm(32, 1, kH100Sms)->weight_registers, 16);
}

TEST(RegisterPlan, RefusesHAbove128WithTheLimitAndTheReason) {
  std::string why;
  EXPECT_FALSE(plan_register_lstm(129, 1, kH100Sms, &why));
  EXPECT_NE(why.find("limit H=128"), std::string::npos) << why;
  EXPECT_NE(why.find("register file"), std::string::npos) << why;
  EXPECT_FALSE(plan_register_lstm(256, 32, kH100Sms));
  EXPECT_FALSE(plan_register_lstm(0, 1, kH100Sms, &why));
  EXPECT_FALSE(plan_register_lstm(64, 0, kH100Sms, &why));
  EXPECT_NE(why.find("B=0"), std::string::npos) << why;
  // a cluster of 2 cannot run on one SM
  EXPECT_FALSE(plan_register_lstm(100, 1, 1, &why));
  EXPECT_TRUE(plan_register_lstm(64, 1, 1));
}

// every sample of a batch of b lies in exactly one slice, and no slice is empty
void expect_slices_cover(const RegisterPlan& p, int b) {
  const int S = register_slices(p, b);
  std::vector<int> owner(b, 0);
  for (int s = 0; s < S; ++s) {
    const int first = s * p.slice_batch, last = std::min(b, (s + 1) * p.slice_batch);
    EXPECT_LT(first, last) << "empty slice " << s << " of " << S << " at b=" << b;
    for (int k = first; k < last; ++k) ++owner[k];
  }
  for (int k = 0; k < b; ++k) EXPECT_EQ(owner[k], 1) << "sample " << k << " of b=" << b;
}

TEST(RegisterPlan, SlicesCoverEverySampleOnceAndFillTheSmsWithoutASecondWave) {
  for (int sms : {kH100Sms, 16, 3}) {
    for (int H : {33, 64, 128}) {
      for (int B = 1; B <= 1200; B += (B < 64 ? 1 : 37)) {
        SCOPED_TRACE(::testing::Message() << "SMs=" << sms << " H=" << H << " B=" << B);
        const auto p = plan_register_lstm(H, B, sms);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->slices, register_slices(*p, B));
        EXPECT_GE(p->slice_batch, 1);
        EXPECT_LE(p->slice_batch, kRegisterMaxSliceBatch);
        EXPECT_GE(p->batch_chunk, p->slice_batch);
        EXPECT_TRUE(p->batch_chunk == 1 || p->batch_chunk == 2 || p->batch_chunk == 4);
        const int fit = sms / p->cluster;
        if (B <= kRegisterMaxSliceBatch * fit) {
          EXPECT_LE(p->slices * p->cluster, sms);  // one wave
          EXPECT_EQ(p->waves, 1);
          // the fewest samples per slice one wave allows
          EXPECT_EQ(p->slice_batch, (B + fit - 1) / fit);
        } else {
          EXPECT_EQ(p->slice_batch, kRegisterMaxSliceBatch);
          EXPECT_GT(p->waves, 1);
        }
        expect_slices_cover(*p, B);
        // a partial batch loaded into a backend built for B runs on fewer slices of the same size
        expect_slices_cover(*p, (B + 1) / 2);
      }
    }
  }
}

TEST(RegisterPlan, ClientShapesRunOneSamplePerSlice) {
  // B = 32 at H = 128: 32 clusters of 2 (64 of 132 SMs); B = 56: 112 SMs; B = 3 at H = 33: 3 CTAs
  for (const auto& [H, B, S] : std::vector<std::tuple<int, int, int>>{{128, 32, 32}, {128, 56, 56}, {33, 3, 3},
                                                                      {64, 1, 1}, {64, 132, 132}}) {
    const auto p = plan_register_lstm(H, B, kH100Sms);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->slices, S) << H << " " << B;
    EXPECT_EQ(p->slice_batch, 1) << H << " " << B;
    EXPECT_EQ(p->batch_chunk, 1) << H << " " << B;
  }
  // B = 200 at H = 128: 66 clusters fit, 4 samples each -> 50 slices; B = 133 at H = 64: 2 each
  const auto p200 = plan_register_lstm(128, 200, kH100Sms);
  EXPECT_EQ(p200->slice_batch, 4);
  EXPECT_EQ(p200->slices, 50);
  const auto p133 = plan_register_lstm(64, 133, kH100Sms);
  EXPECT_EQ(p133->slice_batch, 2);
  EXPECT_EQ(p133->slices, 67);
  EXPECT_EQ(p133->batch_chunk, 2);
  EXPECT_EQ(plan_register_lstm(64, 300, kH100Sms)->batch_chunk, 4);  // 3 per slice
  // beyond 4 samples per SM the slices take a second wave rather than more samples each
  const auto big = plan_register_lstm(128, 1000, kH100Sms);
  EXPECT_EQ(big->slice_batch, 4);
  EXPECT_EQ(big->slices, 250);
  EXPECT_EQ(big->waves, 4);
}

TEST(StepKernel, BatchChunkNeverExceedsTheBatch) {
  for (int B = 1; B <= 64; ++B) {
    const int c = step_batch_chunk(B);
    EXPECT_LE(c, B);
    EXPECT_TRUE(c == 1 || c == 2 || c == 4 || c == 8);
  }
  EXPECT_EQ(step_batch_chunk(32), 8);
}

// A weight space laid out the way cuDNN does it for LSTM (per layer: 8 matrices, then 8 bias
// vectors), with gaps and the layers in reverse order, to show the map follows the reported
// offsets and not an assumed order.
std::vector<CudnnParamRegion> fake_cudnn_regions(const ForecasterDims& d, std::size_t* total) {
  std::vector<CudnnParamRegion> r;
  std::size_t off = 0;
  for (int layer = d.layers - 1; layer >= 0; --layer) {
    const int in = layer == 0 ? d.I : d.H;
    for (int id = 0; id < 8; ++id) {
      r.push_back({layer, id, false, off, d.H, id < 4 ? in : d.H});
      off += std::size_t(d.H) * (id < 4 ? in : d.H) + 3;  // 3 floats of padding
    }
    for (int id = 0; id < 8; ++id) {
      r.push_back({layer, id, true, off, d.H, 1});
      off += d.H;
    }
  }
  *total = off;
  return r;
}

TEST(CudnnWeightMap, PutsEveryGateRowWhereCudnnSaysItLives) {
  const ForecasterDims d{3, 5, 7, 33, 2, 11};
  std::size_t total = 0;
  const auto regions = fake_cudnn_regions(d, &total);
  const auto index = cudnn_weight_index(d, regions, total);
  ASSERT_EQ(index.size(), lstm_param_count(d));
  // a bijection into the weight space
  std::set<std::int64_t> distinct(index.begin(), index.end());
  EXPECT_EQ(distinct.size(), index.size());
  // lstm.1.w_hh row 2H+5 (gate g, unit 5), column 7 is id 6's matrix at row 5, column 7
  const auto layout = forecaster_layout(d);
  const ParamSlot& whh1 = layout[5];
  ASSERT_EQ(whh1.name, "lstm.1.w_hh");
  const auto it = std::find_if(regions.begin(), regions.end(),
                               [](const CudnnParamRegion& r) { return r.layer == 1 && r.lin_id == 6 && !r.bias; });
  EXPECT_EQ(index[whh1.offset + std::size_t(2 * d.H + 5) * d.H + 7], std::int64_t(it->offset + 5 * d.H + 7));
  // lstm.0.b_ih[H + 4] (forget gate, unit 4) is id 1's bias at 4
  const ParamSlot& bih0 = layout[2];
  ASSERT_EQ(bih0.name, "lstm.0.b_ih");
  const auto bt = std::find_if(regions.begin(), regions.end(),
                               [](const CudnnParamRegion& r) { return r.layer == 0 && r.lin_id == 1 && r.bias; });
  EXPECT_EQ(index[bih0.offset + d.H + 4], std::int64_t(bt->offset + 4));
}

TEST(CudnnWeightMap, RefusesMissingWrongShapedOrOverlappingRegions) {
  const ForecasterDims d{2, 3, 4, 8, 1, 2};
  std::size_t total = 0;
  auto regions = fake_cudnn_regions(d, &total);
  auto missing = regions;
  missing.pop_back();
  EXPECT_THROW(cudnn_weight_index(d, missing, total), Error);
  auto wrong = regions;
  wrong[0].cols += 1;
  EXPECT_THROW(cudnn_weight_index(d, wrong, total), Error);
  auto overlap = regions;
  overlap[1].offset = overlap[0].offset + 1;
  EXPECT_THROW(cudnn_weight_index(d, overlap, total), Error);
  EXPECT_THROW(cudnn_weight_index(d, regions, total - 1), Error);  // past the end
}

TEST(CudnnBackendNames, NameTheAlgorithmsTheyTry) {
  EXPECT_EQ(cudnn_algorithm_candidates("cudnn").size(), 3u);
  EXPECT_EQ(cudnn_algorithm_candidates("cudnn_standard"), std::vector<CudnnRnnAlgo>{CudnnRnnAlgo::kStandard});
  EXPECT_EQ(cudnn_algorithm_candidates("cudnn_persist_static"),
            std::vector<CudnnRnnAlgo>{CudnnRnnAlgo::kPersistStatic});
  EXPECT_EQ(cudnn_algorithm_candidates("cudnn_persist_small_h"),
            std::vector<CudnnRnnAlgo>{CudnnRnnAlgo::kPersistStaticSmallH});
  EXPECT_THROW(cudnn_algorithm_candidates("cudnn_fastest"), InputError);
}

TEST(CudnnBackendNames, EagerTf32AndGraphVariantsDifferOnlyWhereTheirNamesSay) {
  const CudnnBackendPlan cudnn = cudnn_backend_plan("cudnn");
  const CudnnBackendPlan eager = cudnn_backend_plan("cudnn_eager");
  const CudnnBackendPlan tf32 = cudnn_backend_plan("cudnn_tf32");
  // the eager variant makes the same algorithm choice as `cudnn`, only without the graph
  EXPECT_EQ(eager.algorithms, cudnn.algorithms);
  EXPECT_EQ(eager.math, cudnn.math);
  EXPECT_TRUE(cudnn.graph);
  EXPECT_FALSE(eager.graph);
  EXPECT_EQ(tf32.algorithms, cudnn.algorithms);
  EXPECT_TRUE(tf32.graph);
  EXPECT_EQ(cudnn.math, CudnnMath::kFp32);
  EXPECT_EQ(tf32.math, CudnnMath::kTf32);
  // every single-algorithm backend is strict FP32 and replayed as a graph
  for (const char* name : {"cudnn_standard", "cudnn_persist_static", "cudnn_persist_small_h"}) {
    const CudnnBackendPlan p = cudnn_backend_plan(name);
    EXPECT_EQ(p.algorithms.size(), 1u) << name;
    EXPECT_EQ(p.math, CudnnMath::kFp32) << name;
    EXPECT_TRUE(p.graph) << name;
  }
}

TEST(CudnnBackendNames, MathTypesAreCudnnsFmaAndDefaultMath) {
  // cudnnMathType_t: CUDNN_DEFAULT_MATH = 0 (TF32 allowed for FP32 data), CUDNN_FMA_MATH = 3
  EXPECT_EQ(static_cast<int>(CudnnMath::kTf32), 0);
  EXPECT_EQ(static_cast<int>(CudnnMath::kFp32), 3);
  EXPECT_EQ(math_name(CudnnMath::kFp32), "fp32 (CUDNN_FMA_MATH)");
  EXPECT_EQ(math_name(CudnnMath::kTf32), "tf32 (CUDNN_DEFAULT_MATH)");
}

TEST(CudnnBackendNames, EveryListedNameHasAPlanAndUnknownOnesAreRefusedWithTheList) {
  for (const std::string& name : cudnn_backend_names()) EXPECT_NO_THROW(cudnn_backend_plan(name)) << name;
  for (const char* bad : {"cudnn_bf16", "cudnn_persist_dynamic", "CUDNN", "cudnn_tf32_eager", ""}) {
    try {
      cudnn_backend_plan(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + std::string(bad) + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("cudnn_eager"), std::string::npos) << what;
      EXPECT_NE(what.find("cudnn_tf32"), std::string::npos) << what;
    }
  }
}

TEST(GraphReplay, WarmsUpEagerlyThenCapturesThenReplays) {
  GraphReplayPolicy p(true);
  EXPECT_EQ(p.describe(), "graph");
  EXPECT_EQ(p.next(8, 0), StepAction::kWarmUp);
  EXPECT_EQ(p.next(8, 0), StepAction::kCapture);
  p.captured(8, 0);
  EXPECT_EQ(p.next(8, 0), StepAction::kReplay);
  EXPECT_EQ(p.next(8, 0), StepAction::kReplay);
}

TEST(GraphReplay, KeepsOneGraphPerBatchSizeAndLoss) {
  GraphReplayPolicy p(true);
  for (int b : {8, 5}) {
    EXPECT_EQ(p.next(b, 0), StepAction::kWarmUp) << b;
    EXPECT_EQ(p.next(b, 0), StepAction::kCapture) << b;
    p.captured(b, 0);
  }
  // a partial batch does not throw away the full batch's graph, nor the other way round
  EXPECT_EQ(p.next(8, 0), StepAction::kReplay);
  EXPECT_EQ(p.next(5, 0), StepAction::kReplay);
  // the other loss is another graph (the loss kernel is captured with its kind)
  EXPECT_EQ(p.next(8, 1), StepAction::kWarmUp);
}

TEST(GraphReplay, ResetForgetsEveryGraphWhenTheSetupChanges) {
  GraphReplayPolicy p(true);
  p.next(8, 0);
  p.next(8, 0);
  p.captured(8, 0);
  p.reset();
  EXPECT_EQ(p.next(8, 0), StepAction::kWarmUp);
  EXPECT_EQ(p.describe(), "graph");
}

TEST(GraphReplay, ARefusedCaptureRunsEagerForGoodAndSaysWhy) {
  GraphReplayPolicy p(true);
  p.next(8, 0);
  EXPECT_EQ(p.next(8, 0), StepAction::kCapture);
  p.refuse("/work/x/kernels/cudnn/cudnn_forecaster.cpp:123: cuDNN error CUDNN_STATUS_EXECUTION_FAILED in "
           "cudnnRNNForward(...)");
  EXPECT_TRUE(p.refused());
  for (int b : {8, 5, 8}) EXPECT_EQ(p.next(b, 0), StepAction::kEager) << b;
  EXPECT_EQ(p.describe(),
            "eager (capture refused: cudnn_forecaster.cpp:123: cuDNN error CUDNN_STATUS_EXECUTION_FAILED in "
            "cudnnRNNForward(...))");
  // a reset that carries the refusal on (the chosen cuDNN setup's own) keeps it eager
  p.reset(p.refusal());
  EXPECT_EQ(p.next(8, 0), StepAction::kEager);
  // a reset without one (a new setup to probe) captures again
  p.reset();
  EXPECT_EQ(p.next(8, 0), StepAction::kWarmUp);
}

TEST(GraphReplay, RefusalReasonsAreCutForLabels) {
  GraphReplayPolicy p(true);
  p.refuse("cudaStreamEndCapture: cudaErrorStreamCaptureInvalidated (operation failed due to a previous error "
           "during capture)");
  EXPECT_EQ(p.refusal(), "cudaStreamEndCapture: cudaErrorStreamCaptureInvalidated (operation failed due to a "
                         "previous error during capture)");
  p.refuse(std::string(1000, 'x'));
  EXPECT_EQ(p.refusal().size(), 240u);
  p.refuse("");
  EXPECT_EQ(p.describe(), "eager (capture refused: unknown reason)");
}

TEST(GraphReplay, DisabledRunsEagerAndNamesTheSwitch) {
  GraphReplayPolicy p(false, "FEDLOAD_CUDA_GRAPH=0");
  EXPECT_EQ(p.next(8, 0), StepAction::kEager);
  EXPECT_EQ(p.next(8, 0), StepAction::kEager);
  EXPECT_EQ(p.describe(), "eager (FEDLOAD_CUDA_GRAPH=0)");
  EXPECT_EQ(GraphReplayPolicy(false).describe(), "eager");
}

TEST(Tf32Environment, OnlyZeroSwitchesTf32Off) {
  EXPECT_TRUE(tf32_disabled_by_environment("0"));
  EXPECT_FALSE(tf32_disabled_by_environment(nullptr));
  EXPECT_FALSE(tf32_disabled_by_environment("1"));
  EXPECT_FALSE(tf32_disabled_by_environment(""));
}

TEST(GpuWithoutDevice, QueryIsEmptyAndBackendsSayWhy) {
  std::string why;
  const auto devices = query_devices(&why);
  if (!devices.empty()) GTEST_SKIP() << "a GPU is visible: " << describe(devices[0]);
  EXPECT_FALSE(why.empty());
  std::cout << "[ no gpu   ] " << why << "\n";
  const auto names = backend_names();
  if (std::find(names.begin(), names.end(), "cuda") == names.end()) {
    EXPECT_EQ(why, "built without CUDA");
    return;
  }
  // the precision and eager variants are registered beside the backends they vary
  EXPECT_NE(std::find(names.begin(), names.end(), "cuda_tf32"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "cuda_register"), names.end());
  const bool cudnn = std::find(names.begin(), names.end(), "cudnn") != names.end();
  for (const std::string& n : cudnn_backend_names())
    EXPECT_EQ(std::find(names.begin(), names.end(), n) != names.end(), cudnn) << n;
  for (const char* name : {"cuda", "cuda_persistent", "cuda_register", "cuda_tf32", "cudnn_eager", "cudnn_tf32"}) {
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;  // built without cuDNN
    try {
      make_backend(name, {2, 3, 4, 8, 1, 2});
      ADD_FAILURE() << name << " was constructed without a GPU";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace fedload::kernels
