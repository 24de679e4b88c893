// backend.kind = "auto": a fixed rule from the model's shape to an ordered list of backends, and
// the registry entry that builds the first of them that constructs.
//
// The GPU rule comes from the H100 table (results/reference/gpu_lstm_h100.json, one training
// step, O = 24, one layer, I = 5; repeated in gpu_lstm_h100_2026-11-23.json; bench/README.md
// "GPU backends (H100)"). Ratios below are "time of the other / time of the chosen" there.
//   cuDNN (H <= 128): its persistent algorithms led at every shape with T = 168 and H <= 128
//     (1.4-4.2x over the best hand-written backend) and at B = 32, T = 24 (1.04-1.18x);
//     cuda_cluster led at B <= 8, T = 24 (1.07-1.57x over cuDNN; B = 8, H = 64 is a tie: 0.88x
//     in one run, 1.05x in the other). Each step of T costs cuDNN 0.6-3.5 us and cuda_cluster
//     3.7-6.9 us, so the two cross between the measured T = 24 and T = 168: interpolating each
//     backend's time linearly in T, at T = 19-61. Switching at T = 32 keeps the worst
//     interpolated loss at 1.34x (switching at T = 64 would cost up to 1.9x, at T = 100 2.3x).
//   cuDNN (H > 128): led at B = 1 (1.4-2.5x over the best hand-written backend; T = 24,
//     H = 256 is a tie, within 7 % either way); lost at B = 8 (cuda_persistent 1.2-1.5x faster;
//     T = 168, H = 512 a tie). Linear in B the crossing is at B = 3-8 by shape (already at B = 1
//     for T = 24, H = 256): the rule takes cuDNN up to B = 3.
//   cuda_cluster: also lost at B = 32 (1.3-2.5x slower than cuda_persistent or cuda); linear in B
//     the crossing with the next backend is at B = 9-18, so the rule keeps it to the measured B <= 8.
//   cuda_persistent: led the hand-written backends at H >= 256 up to B = 8 (1.1-1.2x over
//     cuda) and at B = 32 for H = 128-256 (1.02-1.06x, a tie at H = 64); at H = 512 cuda led
//     at B = 32 (1.06-1.11x), crossing at B = 21-23 linearly: the rule takes it to B = 16 there.
//   cuda: led at B = 32, H = 512 and at the larger batches measured (B = 56, H = 128: 1.03x;
//     B = 64, H = 256: 1.10x over cuda_persistent).
// With this rule the first candidate was the measured fastest at 25 of the 26 shapes in each
// run; the two misses cost 1.14x (B = 8, T = 24, H = 64, where the other run had it fastest)
// and 1.07x (B = 1, T = 24, H = 256).
// Where the table has no data the rule assumes: H < 64 behaves like H = 64, 128 < H < 256 like
// H = 256, H > 512 like H = 512 (the plans then refuse what does not fit); B between the
// measured 1, 8, 32, 56 and 64 as said above; layers > 1 and other I like one layer at I = 5 (each
// layer's recurrence has the same shape; I only widens the one input-projection GEMM); other
// GPUs like the H100 (only compute capability, cooperative launch, shared memory and cuDNN's
// presence are checked, on the device's own numbers).
//
// cuDNN is asked for by a fixed algorithm, not by the `cudnn` backend, which times its
// algorithms at construction and keeps the fastest, so that it could differ between ranks and
// runs ("(varied)" in the table). The table's cuDNN winner was PERSIST_STATIC_SMALL_H at H <= 128
// (except B = 1, H = 128, where cuDNN's own tuning took PERSIST_STATIC) and PERSIST_STATIC at
// H >= 256, B = 1.
#include "fedload/kernels/auto_backend.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "fedload/core/error.hpp"
#include "fedload/kernels/gpu_plan.hpp"

namespace fedload::kernels {
namespace {

constexpr int kSmallHidden = 128;        // H <= this: cuDNN's PERSIST_STATIC_SMALL_H, cuda_cluster
constexpr int kMidHidden = 256;          // H <= this: cuda_persistent up to B = 32
constexpr int kLongSequence = 32;        // T >= this: cuDNN ahead of cuda_cluster (H <= 128)
constexpr int kClusterMaxBatch = 8;      // cuda_cluster first up to this B (H <= 128)
constexpr int kCudnnWideMaxBatch = 3;    // cuDNN first up to this B at H > 128
constexpr int kPersistentMaxBatch = 32;  // cuda_persistent ahead of cuda up to this B (H <= 256)
constexpr int kPersistentWideMaxBatch = 16;  // ... and up to this B at H > 256

bool registered_name(const std::vector<std::string>& registered, const std::string& name) {
  return std::find(registered.begin(), registered.end(), name) != registered.end();
}

// Which GPU backends can run shape d on this device, as far as the host can tell; a refusal the
// host cannot foresee (occupancy, a cuDNN algorithm that rejects the shape) happens at
// construction, and choose_backend moves on to the next candidate.
bool fits(const std::string& name, const ForecasterDims& d,
          const std::vector<std::string>& registered, const DeviceInfo& dev) {
  if (!registered_name(registered, name)) return false;
  if (name == "cuda") return true;
  if (name == "cuda_persistent")
    return dev.cooperative_launch &&
           plan_persistent_lstm(d.H, dev.sm_count, dev.smem_per_block_optin).has_value();
  if (name == "cuda_cluster") {
    if (dev.cc_major < 9) return false;  // thread-block clusters and distributed shared memory
    for (int size : cluster_sizes_to_try(d.H))
      if (plan_cluster_lstm(d.H, d.B, size, dev.smem_per_block_optin)) return true;
    return false;
  }
  if (name == "cudnn_persist_small_h") return dev.cudnn_version > 0 && d.H <= kSmallHidden;
  if (name == "cudnn_persist_static") return dev.cudnn_version > 0;
  return false;
}

// The hand-written backends, fastest first at shape d in the H100 table, and why the first.
struct HandOrder {
  std::vector<std::string> names;
  std::string reason;
};

HandOrder hand_written_order(const ForecasterDims& d) {
  const bool small_h = d.H <= kSmallHidden;
  if (small_h && d.B <= kClusterMaxBatch)
    return {
        {"cuda_cluster", "cuda_persistent", "cuda"},
        "B <= 8, H <= 128: cuda_cluster led the hand-written backends at B = 1 and 8 (1.09-1.35x)"};
  if (d.H <= kMidHidden && d.B <= kPersistentMaxBatch) {
    if (d.B <= kClusterMaxBatch)
      return {
          {"cuda_persistent", "cuda_cluster", "cuda"},
          "B <= 8, H = 129..256: cuda_persistent led at H = 256 (1.14-1.19x over cuda at B = 8)"};
    return {{"cuda_persistent", "cuda", "cuda_cluster"},
            "B = 9..32, H <= 256: cuda_persistent led at B = 32 (1.02-1.06x over cuda)"};
  }
  if (d.H > kMidHidden && d.B <= kPersistentWideMaxBatch)
    return {{"cuda_persistent", "cuda", "cuda_cluster"},
            "B <= 16, H > 256: cuda_persistent led at H = 512 up to B = 8 (1.16-1.19x over cuda)"};
  return {{"cuda", "cuda_persistent", "cuda_cluster"},
          d.H > kMidHidden
              ? "B > 16, H > 256: cuda led at B = 32, H = 512 (1.06-1.11x over cuda_persistent)"
              : "B > 32: cuda led at B = 56 and 64 (1.03-1.10x over cuda_persistent)"};
}

// cuDNN's fixed-algorithm backend for shape d, and the reason when it goes first (empty: it goes
// after the hand-written ones).
struct CudnnPlace {
  std::string name;
  std::string first_reason;
};

CudnnPlace cudnn_place(const ForecasterDims& d) {
  if (d.H <= kSmallHidden) {
    // at B = 1, H = 128 cuDNN's own tuning took PERSIST_STATIC (the table's time is that
    // algorithm's), so B = 1 with H > 64 asks for it; elsewhere PERSIST_STATIC_SMALL_H led
    CudnnPlace p{d.B == 1 && d.H > 64 ? "cudnn_persist_static" : "cudnn_persist_small_h", ""};
    if (d.T >= kLongSequence)
      p.first_reason =
          "H <= 128, T >= 32: cuDNN's persistent algorithms led at T = 168 (1.4-4.2x over "
          "hand-written)";
    else if (d.B > kClusterMaxBatch)
      p.first_reason =
          "H <= 128, B > 8: cuDNN's PERSIST_STATIC_SMALL_H led at B = 32, T = 24 (1.04-1.18x)";
    return p;
  }
  CudnnPlace p{"cudnn_persist_static", ""};
  if (d.B <= kCudnnWideMaxBatch)
    p.first_reason =
        "H > 128, B <= 3: cuDNN's PERSIST_STATIC led at B = 1 (1.4-2.5x; a tie at T = 24, H = 256)";
  return p;
}

std::string cpu_backend(const std::vector<std::string>& registered) {
  return registered_name(registered, "cpu") ? "cpu" : "cpu_reference";
}

}  // namespace

std::vector<BackendCandidate> auto_backend_candidates(const ForecasterDims& d,
                                                      const std::vector<std::string>& registered,
                                                      const std::optional<DeviceInfo>& device,
                                                      const std::string& why_no_device) {
  std::vector<BackendCandidate> out;
  const std::string cpu = cpu_backend(registered);
  if (!device) {
    out.push_back(
        {cpu, fmt::format("no GPU visible ({}): the CPU backend",
                          why_no_device.empty() ? std::string("none found") : why_no_device)});
    return out;
  }
  const DeviceInfo& dev = *device;
  const HandOrder hand = hand_written_order(d);
  const CudnnPlace cudnn = cudnn_place(d);
  std::vector<BackendCandidate> order;
  if (!cudnn.first_reason.empty()) order.push_back({cudnn.name, cudnn.first_reason});
  for (std::size_t i = 0; i < hand.names.size(); ++i)
    order.push_back(
        {hand.names[i],
         i == 0 ? hand.reason : "fallback: next hand-written backend in the H100 table's order"});
  if (cudnn.first_reason.empty())
    order.push_back(
        {cudnn.name,
         "fallback: cuDNN, slower than the hand-written backends at this shape on the H100"});
  for (auto& c : order) {
    if (!fits(c.name, d, registered, dev)) continue;
    // the first that fits leads; say so when it leads only because better ones do not fit
    if (out.empty() && c.reason.starts_with("fallback"))
      c.reason = "the first of the H100 table's order that fits this device and build";
    out.push_back(std::move(c));
  }
  out.push_back(
      {cpu, out.empty()
                ? fmt::format("no GPU backend fits {} in this build: the CPU backend", dev.name)
                : std::string("fallback: the CPU backend")});
  return out;
}

BackendChoice choose_backend(const std::string& kind, const ForecasterDims& d) {
  if (kind != kAutoBackendKind)
    return {make_backend(kind, d), kind, fmt::format("backend.kind = {}", kind)};
  check_forecaster_dims(d);
  std::string why_none;
  const auto devices = query_devices(&why_none);
  // GPU backends run on the calling thread's current device: the one bind_device chose for this
  // rank (device 0 when nothing chose one)
  std::optional<DeviceInfo> device;
  const int current = current_device();
  for (const auto& dev : devices)
    if (dev.index == current) device = dev;
  std::string refusals;
  for (const auto& c : auto_backend_candidates(d, backend_names(), device, why_none)) {
    try {
      BackendChoice choice{make_backend(c.name, d), kind, c.reason};
      if (!refusals.empty()) choice.reason += " (refused before it:" + refusals + ")";
      return choice;
    } catch (const Error& e) {
      refusals += fmt::format(" {}: {};", c.name, e.what());
      clear_device_error();  // a CUDA error of this candidate must not fail the next one
    }
  }
  throw_runtime_error("backend.kind = auto: no candidate backend could be constructed:{}",
                      refusals);
}

void register_auto_backend() {
  register_backend(kAutoBackendKind, [](const ForecasterDims& d) {
    return choose_backend(kAutoBackendKind, d).backend;
  });
}

}  // namespace fedload::kernels
