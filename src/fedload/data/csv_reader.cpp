#include "fedload/data/csv_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>

#include "fedload/core/error.hpp"

namespace fedload::data {

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.push_back(trim(field));
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  fields.push_back(trim(field));
  return fields;
}

bool blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::optional<double> parse_number(const std::string& cell) {
  std::string_view s = cell;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

bool is_missing_token(const std::string& cell) {
  if (cell.empty()) return true;
  std::string lower;
  for (const char c : cell) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "na" || lower == "n/a" || lower == "nan" || lower == "null" || lower == "-";
}

RawTable read_load_csv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path);
  if (!in) throw_input_error("{}: cannot open the file for reading", path);

  RawTable table;
  table.path = path;
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (blank(line)) continue;
    header = split_fields(line);
    break;
  }
  if (header.empty()) throw_input_error("{}: the file is empty (no header, no data)", path);
  if (header.size() < 2)
    throw_input_error("{}:{}: the header has one column; a timestamp column and at least one load column are needed", path, line_no);
  if (parse_timestamp(header[0]))
    throw_input_error("{}:{}: the first line is data, not a header; add a header line naming the columns", path, line_no);
  const std::size_t header_line = line_no;
  for (std::size_t i = 0; i < header.size(); ++i)
    for (std::size_t j = i + 1; j < header.size(); ++j)
      if (header[i] == header[j])
        throw_input_error("{}:{}: columns {} and {} are both named '{}'", path, header_line, i + 1, j + 1, header[i]);

  auto find_column = [&](const std::string& name, const char* what) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
      throw_input_error("{}:{}: no {} column named '{}' in the header", path, header_line, what, name);
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t ts_pos = options.timestamp_column.empty() ? 0 : find_column(options.timestamp_column, "timestamp");
  table.timestamp_column = header[ts_pos];
  std::vector<std::size_t> positions;  // 0-based
  if (options.columns.empty()) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (i != ts_pos) positions.push_back(i);
  } else {
    for (const auto& name : options.columns) {
      const std::size_t p = find_column(name, "load");
      if (p == ts_pos) throw_input_error("{}: '{}' is the timestamp column, not a load column", path, name);
      if (std::find(positions.begin(), positions.end(), p) != positions.end())
        throw_input_error("{}: load column '{}' is asked for twice", path, name);
      positions.push_back(p);
    }
  }
  for (const std::size_t p : positions) {
    table.columns.push_back(header[p]);
    table.column_positions.push_back(p + 1);
  }
  table.values.resize(positions.size());

  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank(line)) continue;
    const auto fields = split_fields(line);
    if (fields.size() != header.size())
      throw_input_error("{}:{}: {} fields, the header has {}", path, line_no, fields.size(), header.size());
    const auto t = parse_timestamp(fields[ts_pos]);
    if (!t)
      throw_input_error("{}:{}:{}: '{}' is not an ISO 8601 date-time (expected e.g. 2016-07-01 00:00:00)", path,
                        line_no, ts_pos + 1, fields[ts_pos]);
    table.times.push_back(*t);
    table.lines.push_back(line_no);
    for (std::size_t c = 0; c < positions.size(); ++c) {
      const std::string& cell = fields[positions[c]];
      if (is_missing_token(cell)) {
        table.values[c].push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      const auto v = parse_number(cell);
      if (!v)
        throw_input_error("{}:{}:{}: column '{}': '{}' is not a number (a missing value is an empty cell or NA)", path,
                          line_no, positions[c] + 1, header[positions[c]], cell);
      table.values[c].push_back(*v);
    }
  }
  if (in.bad()) throw_input_error("{}: read error after line {}", path, line_no);
  if (table.times.empty()) throw_input_error("{}: the file has a header but no data rows", path);
  return table;
}

}  // namespace fedload::data
