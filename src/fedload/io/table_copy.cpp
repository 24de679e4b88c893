#include "fedload/io/table_copy.hpp"

#include <span>
#include <vector>

#include "fedload/core/error.hpp"

namespace fedload::io {

std::size_t copy_table_rows(const TableData& from, ResultWriter& to, std::string_view to_table,
                            const std::function<bool(std::size_t row)>& keep) {
  std::vector<Row> rows;
  for (std::size_t r = 0; r < from.rows; ++r) {
    if (!keep(r)) continue;
    Row row;
    for (const auto& c : from.columns) {
      const std::size_t w = c.values_per_row();
      if (c.is_integer()) {
        if (c.width > 0)
          row.emplace_back(std::span<const std::int64_t>(c.integers.data() + r * w, w));
        else
          row.emplace_back(c.integers[r]);
      } else {
        if (c.width > 0)
          row.emplace_back(std::span<const double>(c.reals.data() + r * w, w));
        else
          row.emplace_back(c.reals[r]);
      }
    }
    rows.push_back(std::move(row));
  }
  if (!rows.empty()) to.append_rows(to_table, rows);
  return rows.size();
}

}  // namespace fedload::io
