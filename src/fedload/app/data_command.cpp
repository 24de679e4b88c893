// `fedload data inspect FILE.csv`
#include <iostream>

#include "fedload/app/commands.hpp"
#include "fedload/data/inspect.hpp"

namespace fedload::app {

int data_inspect_command(const std::string& path, const std::string& timestamp_column,
                         const std::vector<std::string>& columns, double k) {
  data::InspectOptions o;
  o.csv.timestamp_column = timestamp_column;
  o.csv.columns = columns;
  o.k = k;
  std::cout << data::inspect_csv(path, o);
  return 0;
}

}  // namespace fedload::app
