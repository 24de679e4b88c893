#pragma once
// ParamStore: ONE contiguous parameter buffer and ONE gradient buffer of the same layout, with
// the layout table (name, offset, shape). Layers register their groups here when they are
// built and keep only slot indices, so the buffers can grow while a model is composed and can
// be handed whole to communication, privacy and checkpoints, none of which know the layers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fedload/kernels/backend.hpp"

namespace fedload::model {

using kernels::ParamSlot;

// How a group is initialized; every group g draws from CounterRng(seed, g) (its index in the
// layout), so adding a layer does not change the values of the others.
struct InitRule {
  enum class Kind { kUniform, kNormal } kind = Kind::kUniform;
  double scale = 0.0;  // uniform bound (values in [-scale, scale)) or normal standard deviation
};

template <typename S>
class ParamStore {
 public:
  // Adds a group after the existing ones; returns its slot index. after_init (optional) adjusts
  // the drawn values, e.g. the LSTM's forget-gate bias.
  std::size_t add(const std::string& name, std::vector<int> shape, InitRule rule,
                  std::function<void(S*)> after_init = {});

  void init(std::uint64_t seed);
  void zero_grads();

  S* param(std::size_t slot) { return params_.data() + layout_[slot].offset; }
  const S* param(std::size_t slot) const { return params_.data() + layout_[slot].offset; }
  S* grad(std::size_t slot) { return grads_.data() + layout_[slot].offset; }

  const std::vector<ParamSlot>& layout() const { return layout_; }
  std::size_t size() const { return params_.size(); }
  std::vector<S>& params() { return params_; }
  const std::vector<S>& params() const { return params_; }
  std::vector<S>& grads() { return grads_; }
  const std::vector<S>& grads() const { return grads_; }

 private:
  std::vector<ParamSlot> layout_;
  std::vector<InitRule> rules_;
  std::vector<std::function<void(S*)>> after_init_;
  std::vector<S> params_, grads_;
};

}  // namespace fedload::model
