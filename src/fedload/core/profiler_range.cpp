#include "fedload/core/profiler_range.hpp"

#include <fmt/format.h>

#ifdef FEDLOAD_NVTX
#include <nvtx3/nvToolsExt.h>
#endif

namespace fedload {

std::string profiler_range_name(std::string_view phase, std::int64_t round) {
  if (round == 0) return std::string(phase);
  return fmt::format("{} r{}", phase, round);
}

#ifdef FEDLOAD_NVTX

namespace {

// created on first use; NVTX returns a null handle (and every call is a no-op) without a tool
nvtxDomainHandle_t fedload_domain() {
  static const nvtxDomainHandle_t domain = nvtxDomainCreateA("fedload");
  return domain;
}

}  // namespace

void ProfilerRange::push(const char* name) {
  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.messageType = NVTX_MESSAGE_TYPE_ASCII;
  a.message.ascii = name;
  nvtxDomainRangePushEx(fedload_domain(), &a);
}

void ProfilerRange::pop() {
  nvtxDomainRangePop(fedload_domain());
}

#else

void ProfilerRange::push(const char*) {}
void ProfilerRange::pop() {}

#endif

}  // namespace fedload
