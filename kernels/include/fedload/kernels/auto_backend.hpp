#pragma once
// backend.kind = "auto": the fastest backend this build and machine can run for a model's
// shape, chosen by a fixed rule from the shape, the registered backends and the device's
// properties. Never by timing: the same build, device and shape give the same choice on every
// rank and in every run. The rule and the measurements it comes from: auto_backend.cpp and
// bench/README.md ("GPU backends (H100)"); the GPU part was derived from one H100 table and has
// not been checked on other GPUs.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/device_info.hpp"

namespace fedload::kernels {

// The registry name of the choice; make_backend("auto", d) returns the chosen backend, whose
// name() is the concrete one ("cpu", "cuda_cluster", ...).
inline constexpr const char* kAutoBackendKind = "auto";

struct BackendCandidate {
  std::string name;    // a registered backend
  std::string reason;  // one line: why it is at this place in the order
};

// The candidates for shape d, best first, each registered in `registered` and each fitting the
// device as far as the host can tell (compute capability, cooperative launch, the persistent and
// cluster plans' shared memory, cuDNN present); the CPU backend is always last. device =
// nullopt: no GPU is visible, the list is the CPU backend alone (why_no_device says why, for the
// reason). Backends the rule does not know (cuda_stream, cudnn, cpu_reference, TF32 variants,
// any added later) are never candidates.
std::vector<BackendCandidate> auto_backend_candidates(const ForecasterDims& d,
                                                      const std::vector<std::string>& registered,
                                                      const std::optional<DeviceInfo>& device,
                                                      const std::string& why_no_device = "");

// A constructed backend and how it was chosen.
struct BackendChoice {
  std::unique_ptr<ForecasterBackend> backend;
  std::string kind;    // what was asked for: "auto" or a backend name
  std::string reason;  // "backend.kind = cpu" for a named backend; for auto, the chosen candidate's
                       // reason and the refusals of the candidates before it
};

// kind == "auto": tries auto_backend_candidates(d, backend_names(), the thread's current CUDA
// device: bind_device's choice, else device 0)
// in order and returns the first that constructs (a construction can refuse: no device, a plan
// that does not fit, no cluster support). Any other kind: make_backend(kind, d).
BackendChoice choose_backend(const std::string& kind, const ForecasterDims& d);

// Registers "auto" (called by register_builtin_backends).
void register_auto_backend();

}  // namespace fedload::kernels
