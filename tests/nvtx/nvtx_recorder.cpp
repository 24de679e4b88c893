// A test-only NVTX tool: the shared library NVTX v3 loads when NVTX_INJECTION64_PATH names it
// (nvtx3/nvtxDetail/nvtxInit.h). NVTX calls its InitializeInjectionNvtx2 with a function that
// hands out export tables; from the callbacks table the tool asks for the CORE2 module (the
// domain API) and writes its own functions into the slots it wants. Every other slot NVTX then
// points at a no-op.
//
// It records domain creation and every push and pop, one line per event, in the file
// $FEDLOAD_NVTX_RECORD.<pid> (each MPI rank writes its own):
//   domain fedload
//   push fedload local_train r1
//   pop fedload
#define NVTX_NO_IMPL
#include <nvtx3/nvToolsExt.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

// NVTX leaves the domain's type incomplete for the tool to define
struct nvtxDomainRegistration_st {
  std::string name;
};

namespace {

std::mutex g_mutex;
std::FILE* g_file = nullptr;

void record(const std::string& line) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_file) return;
  std::fputs(line.c_str(), g_file);
  std::fputc('\n', g_file);
  std::fflush(g_file);  // a run that ends abruptly still leaves what it did
}

std::string name_of(nvtxDomainHandle_t domain) {
  return domain ? domain->name : std::string("(default)");
}

nvtxDomainHandle_t NVTX_API create_domain(const char* name) {
  auto* d = new nvtxDomainRegistration_st{name ? name : ""};  // lives as long as the process
  record("domain " + d->name);
  return d;
}

int NVTX_API push(nvtxDomainHandle_t domain, const nvtxEventAttributes_t* a) {
  std::string message = "(no message)";
  if (a && a->messageType == NVTX_MESSAGE_TYPE_ASCII && a->message.ascii)
    message = a->message.ascii;
  record("push " + name_of(domain) + " " + message);
  return 0;
}

int NVTX_API pop(nvtxDomainHandle_t domain) {
  record("pop " + name_of(domain));
  return 0;
}

template <typename F>
void install(NvtxFunctionTable table, unsigned size, int slot, F f) {
  if (static_cast<unsigned>(slot) <= size && table[slot])
    *table[slot] = reinterpret_cast<NvtxFunctionPointer>(f);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx2(
    NvtxGetExportTableFunc_t get_table) {
  const char* prefix = std::getenv("FEDLOAD_NVTX_RECORD");
  if (!prefix || !get_table) return 0;
  const auto* callbacks =
      static_cast<const NvtxExportTableCallbacks*>(get_table(NVTX_ETID_CALLBACKS));
  if (!callbacks || callbacks->struct_size < sizeof(NvtxExportTableCallbacks)) return 0;
  NvtxFunctionTable table = nullptr;
  unsigned size = 0;
  if (!callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE2, &table, &size) || !table) return 0;
  g_file = std::fopen((std::string(prefix) + "." + std::to_string(getpid())).c_str(), "w");
  if (!g_file) return 0;
  install(table, size, NVTX_CBID_CORE2_DomainCreateA, &create_domain);
  install(table, size, NVTX_CBID_CORE2_DomainRangePushEx, &push);
  install(table, size, NVTX_CBID_CORE2_DomainRangePop, &pop);
  return 1;  // success: NVTX keeps the functions installed
}
