#include "fedload/app/environment.hpp"

#include <sys/utsname.h>

#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "fedload/core/build_info.hpp"
#include "fedload/kernels/device_info.hpp"

namespace fedload::app {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

std::string os_name() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return fmt::format("{} {} {}", u.sysname, u.release, u.machine);
}

}  // namespace

io::AttributeList collect_environment(const comm::MpiSession& mpi, const std::vector<std::string>& argv, int device) {
  io::AttributeList a;
  a.push_back({"fedload_version", std::string(build_info::version)});
  a.push_back({"git_commit", std::string(build_info::git_commit)});
  a.push_back({"build_type", std::string(build_info::build_type)});
  a.push_back({"argv", io::StringList(argv.begin(), argv.end())});
  a.push_back({"hosts", mpi.all_hosts()});
  io::StringList rank_devices;
  for (const int d : mpi.all_ints(device)) rank_devices.push_back(d < 0 ? std::string("none") : std::to_string(d));
  a.push_back({"rank_devices", rank_devices});
  a.push_back({"ranks", static_cast<std::int64_t>(mpi.size())});
  a.push_back({"mpi_library", comm::MpiSession::library_version()});
  a.push_back({"cpu_model", cpu_model()});
  a.push_back({"cpu_cores", static_cast<std::int64_t>(std::thread::hardware_concurrency())});
  a.push_back({"os", os_name()});
  a.push_back({"compiler", fmt::format("{} {}", "g++", __VERSION__)});
  std::string why_none;
  const auto devices = kernels::query_devices(&why_none);
  io::StringList dev;
  for (const auto& d : devices) dev.push_back(kernels::describe(d));
  a.push_back({"devices", dev});
  a.push_back({"devices_note", devices.empty() ? why_none : std::string("")});
  return a;
}

}  // namespace fedload::app
