#pragma once
// State a resumed run must get back. A component that keeps state across rounds (a privacy
// accountant, a learned aggregator, the provenance chain's head) implements CheckpointState and
// is added to the run's CheckpointRegistry once; every checkpoint then saves it and a resumed
// run restores it, by name, before its first round. Everything that is a pure function of
// (seed, client, round) — selection, shuffling, local work shares — needs no entry.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "fedload/core/bytes.hpp"
#include "fedload/core/error.hpp"

namespace fedload {

class CheckpointState {
 public:
  virtual ~CheckpointState() = default;
  // unique among the registered components; stored with the bytes
  virtual std::string checkpoint_name() const = 0;
  virtual std::vector<std::byte> save_state() const = 0;
  virtual void restore_state(std::span<const std::byte> bytes) = 0;
};

class CheckpointRegistry {
 public:
  void add(CheckpointState& component) {
    for (const auto* c : components_)
      if (c->checkpoint_name() == component.checkpoint_name())
        throw_runtime_error("two checkpointed components are named '{}'", component.checkpoint_name());
    components_.push_back(&component);
  }
  // every component's state: count, then (name, bytes) per component
  std::vector<std::byte> save() const {
    ByteWriter w;
    w.put(static_cast<std::uint64_t>(components_.size()));
    for (const auto* c : components_) w.put_string(c->checkpoint_name()).put_vector(c->save_state());
    return w.take();
  }
  // restores every registered component; a component missing from the bytes, or bytes for a
  // component this run does not have, means the checkpoint belongs to a different set-up
  void restore(std::span<const std::byte> bytes) {
    ByteReader r(bytes);
    const auto n = r.get<std::uint64_t>();
    std::vector<bool> restored(components_.size(), false);
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::string name = r.get_string();
      const auto blob = r.get_vector<std::byte>();
      std::size_t k = 0;
      while (k < components_.size() && components_[k]->checkpoint_name() != name) ++k;
      if (k == components_.size())
        throw_input_error("the checkpoint holds state of '{}', which this run does not have", name);
      components_[k]->restore_state(blob);
      restored[k] = true;
    }
    for (std::size_t k = 0; k < components_.size(); ++k)
      if (!restored[k])
        throw_input_error("the checkpoint holds no state for '{}'", components_[k]->checkpoint_name());
  }
  std::size_t size() const { return components_.size(); }

 private:
  std::vector<CheckpointState*> components_;
};

}  // namespace fedload
