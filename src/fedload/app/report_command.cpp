// `fedload report FILE.h5 [--json]`: readable summary (or JSON) of a complete or killed run.
#include <iostream>

#include "fedload/app/commands.hpp"
#include "fedload/io/report.hpp"
#include "fedload/io/result_reader.hpp"

namespace fedload::app {

int report_command(const std::string& path, bool json) {
  const auto reader = io::ResultReader::open(path);
  std::cout << (json ? io::format_report_json(reader) : io::format_report(reader));
  return 0;
}

}  // namespace fedload::app
