#include "fedload/model/param_store.hpp"

#include <algorithm>

#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/kernels/init.hpp"

namespace fedload::model {

template <typename S>
std::size_t ParamStore<S>::add(const std::string& name, std::vector<int> shape, InitRule rule,
                               std::function<void(S*)> after_init) {
  for (const auto& s : layout_) {
    if (s.name == name) throw_input_error("parameter group '{}' is defined twice", name);
  }
  for (int v : shape) {
    if (v < 1) throw_input_error("parameter group '{}' has a dimension {} < 1", name, v);
  }
  ParamSlot slot{name, params_.size(), std::move(shape)};
  params_.resize(params_.size() + slot.size(), S(0));
  grads_.resize(params_.size(), S(0));
  layout_.push_back(std::move(slot));
  rules_.push_back(rule);
  after_init_.push_back(std::move(after_init));
  return layout_.size() - 1;
}

template <typename S>
void ParamStore<S>::init(std::uint64_t seed) {
  for (std::size_t g = 0; g < layout_.size(); ++g) {
    S* p = param(g);
    const std::size_t n = layout_[g].size();
    if (rules_[g].kind == InitRule::Kind::kUniform) {
      kernels::init_uniform_group(p, n, rules_[g].scale, seed, g);
    } else {
      CounterRng rng(seed, g);
      for (std::size_t k = 0; k < n; ++k) p[k] = static_cast<S>(rules_[g].scale * rng.normal());
    }
    if (after_init_[g]) after_init_[g](p);
  }
}

template <typename S>
void ParamStore<S>::zero_grads() {
  std::fill(grads_.begin(), grads_.end(), S(0));
}

template class ParamStore<float>;
template class ParamStore<double>;

}  // namespace fedload::model
