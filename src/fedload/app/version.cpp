#include "fedload/app/version.hpp"

#include <fmt/format.h>

#include "fedload/core/build_info.hpp"
#include "fedload/kernels/backend.hpp"

namespace fedload::app {

std::string version_text() {
  std::string backends;
  for (const auto& b : kernels::backend_names()) {
    if (!backends.empty()) backends += ", ";
    backends += b;
  }
  return fmt::format(
      "fedload {} (commit {}, {})\nfeatures: CUDA {}, cuDNN {}, NCCL {}\nbackends: {}",
      build_info::version, build_info::git_commit, build_info::build_type,
#ifdef FEDLOAD_HAVE_CUDA
      "on",
#else
      "off",
#endif
#ifdef FEDLOAD_HAVE_CUDNN
      "on",
#else
      "off",
#endif
#ifdef FEDLOAD_HAVE_NCCL
      "on",
#else
      "off",
#endif
      backends);
}

}  // namespace fedload::app
