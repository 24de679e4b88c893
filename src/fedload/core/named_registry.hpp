#pragma once
// Factories looked up by name (backends, strategies): one registration line per implementation,
// safe to fill and read from several threads, and an unknown name is an InputError that lists
// the names there are.
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fedload/core/error.hpp"

namespace fedload {

template <class Factory>
class NamedRegistry {
 public:
  // `what` names the kind of thing in the error message ("backend"); `listing` is the word
  // before the list of names ("known": "unknown backend 'x' (known: a, b)")
  NamedRegistry(std::string what, std::string listing)
      : what_(std::move(what)), listing_(std::move(listing)) {}
  NamedRegistry(const NamedRegistry&) = delete;
  NamedRegistry& operator=(const NamedRegistry&) = delete;

  // adds `factory`, or replaces the one of the same name; true when the name was new
  bool add(const std::string& name, Factory factory) {
    std::lock_guard lock(mutex_);
    const bool is_new = !factories_.contains(name);
    factories_[name] = std::move(factory);
    return is_new;
  }

  // a copy of the factory, so that calling it needs no lock
  Factory find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& entry : factories_) known += (known.empty() ? "" : ", ") + entry.first;
      throw_input_error("unknown {} '{}' ({}: {})", what_, name, listing_, known);
    }
    return it->second;
  }

  // sorted
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    names.reserve(factories_.size());
    for (const auto& entry : factories_) names.push_back(entry.first);
    return names;
  }

 private:
  const std::string what_, listing_;
  mutable std::mutex mutex_;
  std::map<std::string, Factory> factories_;
};

}  // namespace fedload
