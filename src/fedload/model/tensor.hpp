#pragma once
// The activations that flow between layers: a row-major array with its shape. The last
// dimension is the feature dimension; every layer but the LSTM treats the leading ones as rows.
#include <cstddef>
#include <vector>

namespace fedload::model {

template <typename S>
struct Tensor {
  std::vector<int> shape;
  std::vector<S> data;

  Tensor() = default;
  explicit Tensor(std::vector<int> s) : shape(std::move(s)), data(count(shape)) {}
  Tensor(std::vector<int> s, std::vector<S> d) : shape(std::move(s)), data(std::move(d)) {}

  static std::size_t count(const std::vector<int>& s) {
    std::size_t n = 1;
    for (int v : s) n *= static_cast<std::size_t>(v);
    return n;
  }
  int cols() const { return shape.empty() ? 1 : shape.back(); }
  int rows() const { return static_cast<int>(data.size() / static_cast<std::size_t>(cols())); }
  std::size_t size() const { return data.size(); }
};

}  // namespace fedload::model
