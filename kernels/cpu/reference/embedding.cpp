// Reference embedding lookup (one-hot time indices of the hybrid forecaster go through it).
#include <cstring>

#include "fedload/core/error.hpp"
#include "fedload/kernels/reference.hpp"

namespace fedload::kernels {
namespace {

void check_index(int n, int index, int V) {
  if (index < 0 || index >= V) {
    throw_input_error("embedding index {} at row {} is outside the table's {} rows", index, n, V);
  }
}

}  // namespace

template <typename S>
void embedding_forward_reference(int N, int V, int D, const int* index, const S* table, S* y) {
  for (int n = 0; n < N; ++n) {
    check_index(n, index[n], V);
    std::memcpy(y + static_cast<std::size_t>(n) * D, table + static_cast<std::size_t>(index[n]) * D,
                sizeof(S) * D);
  }
}

template <typename S>
void embedding_backward_reference(int N, int V, int D, const int* index, const S* dy, S* dtable) {
  for (int n = 0; n < N; ++n) {
    check_index(n, index[n], V);
    for (int k = 0; k < D; ++k) {
      dtable[static_cast<std::size_t>(index[n]) * D + k] += dy[static_cast<std::size_t>(n) * D + k];
    }
  }
}

template void embedding_forward_reference<float>(int, int, int, const int*, const float*, float*);
template void embedding_forward_reference<double>(int, int, int, const int*, const double*, double*);
template void embedding_backward_reference<float>(int, int, int, const int*, const float*, float*);
template void embedding_backward_reference<double>(int, int, int, const int*, const double*, double*);

}  // namespace fedload::kernels
