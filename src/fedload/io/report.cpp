#include "fedload/io/report.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "fedload/io/json_text.hpp"
#include "fedload/io/result_layout.hpp"

namespace fedload::io {

namespace {

constexpr std::size_t kValueWidth = 96;  // longer values are cut in the text report
constexpr std::size_t kVectorShown = 8;  // vector cells show this many values

// one line for a value that may be long or span many lines (the config text).
std::string one_line(const std::string& text) {
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
                            (text.empty() || text.back() == '\n' ? 0 : 1);
  std::string first = text.substr(0, text.find('\n'));
  const bool cut = first.size() > kValueWidth;
  if (cut) first = first.substr(0, kValueWidth);
  if (lines > 1) return fmt::format("{} ... ({} lines)", first, lines);
  return cut ? first + " ..." : first;
}

std::string cell_text(const ColumnData& column, std::size_t row) {
  if (column.is_category()) return column.label(row);
  if (column.width == 0) return fmt::format("{}", column.value(row));
  std::string text = "[";
  const std::size_t shown = std::min(column.width, kVectorShown);
  for (std::size_t j = 0; j < shown; ++j) text += fmt::format("{}{:.6g}", j ? ", " : "", column.value(row, j));
  if (shown < column.width) text += fmt::format(", ... ({} values)", column.width);
  return text + "]";
}

std::string column_heading(const ColumnData& column) {
  std::string text = column.name;
  if (column.width > 0) text += fmt::format("[{}]", column.width);
  return text;
}

std::string shape_text(const ArrayShape& shape) {
  return shape.width > 0 ? fmt::format("{} x {}", shape.rows, shape.width) : fmt::format("{}", shape.rows);
}

bool shown_elsewhere(const std::string& name, const StringList& final_names) {
  return layout::is_reserved(name) || std::find(final_names.begin(), final_names.end(), name) != final_names.end();
}

}  // namespace

std::string format_report(const ResultReader& reader) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value, int indent = 0) {
    out += fmt::format("{:{}}{:<24} {}\n", "", indent, key, value);
  };
  line("result file", reader.path().string());
  line("status", reader.status());
  if (!reader.complete()) {
    out += "!! INCOMPLETE RUN: the writer did not finish (killed or failed); tables end at the last flushed row\n";
    if (reader.opened_as_unclosed())
      out += "!! the file was never closed: its writer was killed or is still running\n";
  }
  const StringList final_names = reader.final_attribute_names();

  out += "run\n";
  for (const auto& a : reader.attributes())
    if (!shown_elsewhere(a.name, final_names)) line(a.name, one_line(to_display_string(a.value)), 2);

  out += "tables\n";
  for (const auto& name : reader.table_names()) {
    const TableData table = reader.table(name);
    std::vector<std::string> headings;
    for (const auto& c : table.columns) headings.push_back(column_heading(c));
    std::string text = fmt::format("{:>8} rows  {}", table.rows, fmt::join(headings, ", "));
    if (table.dropped_rows > 0) text += fmt::format("  ({} partly written row dropped)", table.dropped_rows);
    line(name, text, 2);
  }

  // progress tables: their last row says how far the run got
  for (const char* progress : {"rounds", "training"}) {
    if (!reader.has_table(progress)) continue;
    const TableData t = reader.table(progress);
    if (t.rows == 0) continue;
    out += fmt::format("last row of {} (row {} of {})\n", progress, t.rows, t.rows);
    for (const auto& c : t.columns) {
      std::string value = cell_text(c, t.rows - 1);
      if (!c.unit.empty()) value += " " + c.unit;
      line(c.name, value, 2);
    }
  }

  // accuracy of every method over all clients pooled (rows with client = -1), and over the
  // clients that are not defective (client = -2, runs with [defects])
  if (reader.has_table("metrics")) {
    const TableData m = reader.table("metrics");
    const ColumnData *method = m.column("method"), *client = m.column("client");
    if (method && client && m.rows > 0) {
      const std::vector<std::string> shown = {"mape", "rmse", "mae", "r2"};
      std::string head = fmt::format("  {:<16}", "method");
      for (const auto& s : shown)
        if (m.column(s)) head += fmt::format("{:>12}", s == "mape" ? "MAPE %" : s == "r2" ? "R2" : s == "rmse" ? "RMSE" : "MAE");
      // -1: all clients pooled; -2 (runs with [defects]): the clients that are not defective
      for (const double pool : {-1.0, -2.0}) {
        std::string rows;
        for (std::size_t r = 0; r < m.rows; ++r) {
          if (client->value(r) != pool) continue;
          rows += fmt::format("  {:<16}", cell_text(*method, r));
          for (const auto& s : shown)
            if (const ColumnData* c = m.column(s)) rows += fmt::format("{:>12.4f}", c->value(r));
          rows += "\n";
        }
        if (rows.empty()) continue;
        out += (pool == -1 ? "metrics (all clients pooled)\n" : "metrics (the clients that are not defective, pooled)\n") +
               head + "\n" + rows;
      }
    }
  }

  // where the time went: per phase, the busiest rank's total over the run, the mean of the ranks'
  // totals, and the bytes sent
  if (reader.has_table("timing")) {
    const TableData t = reader.table("timing");
    const ColumnData *phase = t.column("phase"), *rank = t.column("rank"), *round = t.column("round"),
                     *seconds = t.column("seconds"), *sent = t.column("bytes_sent");
    if (phase && rank && round && seconds && sent && t.rows > 0) {
      struct PhaseTotals {
        std::map<std::int64_t, double> per_rank;
        double seconds = 0, bytes = 0;
      };
      std::map<std::string, PhaseTotals> phases;
      std::vector<std::string> order;
      for (std::size_t r = 0; r < t.rows; ++r) {
        const std::string name = cell_text(*phase, r);
        if (!phases.count(name)) order.push_back(name);
        auto& p = phases[name];
        p.per_rank[static_cast<std::int64_t>(rank->value(r))] += seconds->value(r);
        p.seconds += seconds->value(r);
        p.bytes += sent->value(r);
      }
      out += fmt::format("timing (timing table, {} rows)\n  {:<18}{:>14}{:>16}{:>16}\n", t.rows, "phase",
                         "busiest rank s", "mean s / rank", "bytes sent");
      for (const auto& name : order) {
        const auto& p = phases[name];
        double busiest = 0;
        for (const auto& [r, v] : p.per_rank) busiest = std::max(busiest, v);
        out += fmt::format("  {:<18}{:>14.3f}{:>16.3f}{:>16.0f}\n", name, busiest,
                           p.seconds / static_cast<double>(p.per_rank.size()), p.bytes);
      }
    }
  }

  if (!final_names.empty()) {
    out += "final\n";
    for (const auto& name : final_names)
      if (const AttributeValue* value = reader.attribute(name)) line(name, one_line(to_display_string(*value)), 2);
  }

  if (!reader.array_names().empty()) {
    out += "arrays\n";
    for (const auto& name : reader.array_names()) {
      const ArrayShape shape = reader.array_shape(name);
      line(name, fmt::format("{} {}", shape_text(shape), element_type_name(shape.type)), 2);
    }
  }
  return out;
}

namespace {

std::string json_value(const AttributeValue& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return json_string(s); }
    std::string operator()(std::int64_t v) const { return json_number(v); }
    std::string operator()(double v) const { return json_number(v); }
    std::string operator()(const StringList& list) const {
      std::vector<std::string> items;
      for (const auto& s : list) items.push_back(json_string(s));
      return fmt::format("[{}]", fmt::join(items, ", "));
    }
  };
  return std::visit(Visitor{}, value);
}

std::string json_scalar(const ColumnData& column, std::size_t row, std::size_t j) {
  const std::size_t i = row * column.values_per_row() + j;
  return column.is_integer() ? json_number(column.integers[i]) : json_number(column.reals[i]);
}

std::string json_column(const ColumnData& column) {
  std::vector<std::string> rows;
  rows.reserve(column.rows);
  for (std::size_t r = 0; r < column.rows; ++r) {
    if (column.is_category()) {
      rows.push_back(json_string(column.label(r)));
    } else if (column.width == 0) {
      rows.push_back(json_scalar(column, r, 0));
    } else {
      std::vector<std::string> values;
      for (std::size_t j = 0; j < column.width; ++j) values.push_back(json_scalar(column, r, j));
      rows.push_back(fmt::format("[{}]", fmt::join(values, ", ")));
    }
  }
  return fmt::format("[{}]", fmt::join(rows, ", "));
}

}  // namespace

std::string format_report_json(const ResultReader& reader) {
  std::vector<std::string> attributes;
  for (const auto& a : reader.attributes())
    attributes.push_back(fmt::format("{}: {}", json_string(a.name), json_value(a.value)));

  std::vector<std::string> tables;
  for (const auto& name : reader.table_names()) {
    const TableData table = reader.table(name);
    std::vector<std::string> columns;
    for (const auto& c : table.columns) columns.push_back(fmt::format("{}: {}", json_string(c.name), json_column(c)));
    tables.push_back(fmt::format("{}: {{{}}}", json_string(name), fmt::join(columns, ", ")));
  }

  std::vector<std::string> arrays;
  for (const auto& name : reader.array_names()) {
    const ArrayShape shape = reader.array_shape(name);
    const std::string dims = shape.width > 0 ? fmt::format("[{}, {}]", shape.rows, shape.width)
                                             : fmt::format("[{}]", shape.rows);
    arrays.push_back(fmt::format("{}: {{\"shape\": {}, \"type\": {}}}", json_string(name), dims,
                                 json_string(element_type_name(shape.type))));
  }

  return fmt::format(
      "{{\"file\": {}, \"status\": {}, \"complete\": {}, \"unclosed\": {},\n"
      " \"attributes\": {{{}}},\n \"tables\": {{{}}},\n \"arrays\": {{{}}}}}\n",
      json_string(reader.path().string()), json_string(reader.status()), reader.complete(),
      reader.opened_as_unclosed(), fmt::join(attributes, ", "), fmt::join(tables, ",\n  "),
      fmt::join(arrays, ", "));
}

}  // namespace fedload::io
