// The flat forecaster layout, the backend registry ("auto" in auto_backend.cpp), the default step
// timer and the default (refusing) proximal center.
#include "fedload/kernels/backend.hpp"

#include <chrono>
#include <mutex>

#include "fedload/core/error.hpp"
#include "fedload/core/named_registry.hpp"
#include "fedload/kernels/auto_backend.hpp"
#include "fedload/kernels/registration.hpp"

namespace fedload::kernels {

std::size_t ParamSlot::size() const {
  std::size_t n = 1;
  for (int s : shape) n *= static_cast<std::size_t>(s);
  return n;
}

void check_forecaster_dims(const ForecasterDims& d) {
  if (d.B < 1 || d.T < 1 || d.I < 1 || d.H < 1 || d.layers < 1 || d.O < 1) {
    throw_input_error(
        "forecaster dimensions must all be positive: B={} T={} I={} H={} layers={} O={}", d.B, d.T,
        d.I, d.H, d.layers, d.O);
  }
}

std::vector<ParamSlot> forecaster_layout(const ForecasterDims& d) {
  ForecasterDims shape = d;
  shape.B = 1;  // the layout does not depend on the batch size
  check_forecaster_dims(shape);
  std::vector<ParamSlot> slots;
  std::size_t offset = 0;
  auto add = [&](std::string name, std::vector<int> shape) {
    ParamSlot s{std::move(name), offset, std::move(shape)};
    offset += s.size();
    slots.push_back(std::move(s));
  };
  for (int l = 0; l < d.layers; ++l) {
    const int in = l == 0 ? d.I : d.H;
    const std::string p = "lstm." + std::to_string(l) + ".";
    add(p + "w_ih", {4 * d.H, in});
    add(p + "w_hh", {4 * d.H, d.H});
    add(p + "b_ih", {4 * d.H});
    add(p + "b_hh", {4 * d.H});
  }
  add("head.w", {d.O, d.H});
  add("head.b", {d.O});
  return slots;
}

std::size_t forecaster_param_count(const ForecasterDims& d) {
  const auto slots = forecaster_layout(d);
  return slots.back().offset + slots.back().size();
}

void ForecasterBackend::set_prox_center(const float* /*flat*/) {
  throw_runtime_error("backend {} does not support a proximal term (FedProx's prox_mu)", name());
}

double ForecasterBackend::time_train_steps(int reps, LossKind loss, const OptimizerOptions& opt) {
  if (reps < 1) throw_input_error("time_train_steps needs at least one repetition, got {}", reps);
  // warm-up: first-touch allocations and caches are not part of a step's cost
  forward_backward(loss);
  optimizer_step(opt);
  synchronize();
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    forward_backward(loss);
    optimizer_step(opt);
  }
  synchronize();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / reps;
}

namespace {

NamedRegistry<BackendFactory>& registry() {
  static NamedRegistry<BackendFactory> r("backend", "built");
  return r;
}

}  // namespace

bool register_backend(const std::string& name, BackendFactory factory) {
  registry().add(name, std::move(factory));
  return true;
}

void register_builtin_backends() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_cpu_reference_backends();
    register_cpu_fast_backends();
    register_gpu_backends();
    register_auto_backend();  // "auto": the first of a fixed order that constructs
  });
}

std::unique_ptr<ForecasterBackend> make_backend(const std::string& name, const ForecasterDims& d) {
  register_builtin_backends();
  check_forecaster_dims(d);
  const BackendFactory factory = registry().find(name);
  return factory(d);
}

std::vector<std::string> backend_names() {
  register_builtin_backends();
  return registry().names();
}

}  // namespace fedload::kernels
