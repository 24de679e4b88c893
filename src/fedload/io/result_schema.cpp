#include "fedload/io/result_schema.hpp"

#include <set>

#include "fedload/core/error.hpp"

namespace fedload::io {

std::string_view element_type_name(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return "float32";
    case ElementType::kFloat64: return "float64";
    case ElementType::kInt64: return "int64";
  }
  return "?";
}

TableSpec& TableSpec::column(ColumnSpec spec) {
  columns.push_back(std::move(spec));
  return *this;
}

namespace {

ColumnSpec make_column(std::string name, ElementType type, std::size_t width, std::string unit,
                       std::string description) {
  ColumnSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.width = width;
  spec.unit = std::move(unit);
  spec.description = std::move(description);
  return spec;
}

}  // namespace

TableSpec& TableSpec::float64(std::string name, std::string unit, std::string description) {
  return column(make_column(std::move(name), ElementType::kFloat64, 0, std::move(unit), std::move(description)));
}

TableSpec& TableSpec::int64(std::string name, std::string unit, std::string description) {
  return column(make_column(std::move(name), ElementType::kInt64, 0, std::move(unit), std::move(description)));
}

TableSpec& TableSpec::vector(std::string name, ElementType type, std::size_t width, std::string unit,
                             std::string description) {
  if (width == 0) throw_runtime_error("result schema: vector column '{}' needs a width of at least 1", name);
  return column(make_column(std::move(name), type, width, std::move(unit), std::move(description)));
}

TableSpec& TableSpec::category(std::string name, std::vector<std::string> labels, std::string description) {
  ColumnSpec spec = make_column(std::move(name), ElementType::kInt64, 0, {}, std::move(description));
  spec.labels = std::move(labels);
  return column(std::move(spec));
}

TableSpec& ResultSchema::table(std::string name, std::string description) {
  tables_.push_back({.name = std::move(name), .description = std::move(description), .columns = {}});
  return tables_.back();
}

ResultSchema& ResultSchema::array(ArraySpec spec) {
  arrays_.push_back(std::move(spec));
  return *this;
}

const TableSpec* ResultSchema::find_table(std::string_view name) const {
  for (const auto& t : tables_)
    if (t.name == name) return &t;
  return nullptr;
}

const ArraySpec* ResultSchema::find_array(std::string_view name) const {
  for (const auto& a : arrays_)
    if (a.name == name) return &a;
  return nullptr;
}

namespace {

// a path is a/b/c with non-empty parts; "." and ".." would confuse HDF5's path lookup.
void check_path(const std::string& path, std::string_view what) {
  bool bad = path.empty() || path.front() == '/' || path.back() == '/' ||
             path.find("//") != std::string::npos;
  std::size_t start = 0;
  while (!bad && start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part(path.data() + start, end - start);
    bad = part == "." || part == "..";
    start = end + 1;
  }
  if (bad) throw_runtime_error("result schema: invalid {} name '{}'", what, path);
}

bool is_inside(const std::string& inner, const std::string& outer) {
  return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
         inner[outer.size()] == '/';
}

}  // namespace

void ResultSchema::validate() const {
  std::set<std::string> paths;
  for (const auto& t : tables_) {
    check_path(t.name, "table");
    if (!paths.insert(t.name).second) throw_runtime_error("result schema: table '{}' declared twice", t.name);
    if (t.columns.empty()) throw_runtime_error("result schema: table '{}' has no columns", t.name);
    std::set<std::string> names;
    for (const auto& c : t.columns) {
      if (c.name.empty() || c.name.find('/') != std::string::npos || c.name == "." || c.name == "..")
        throw_runtime_error("result schema: table '{}' has an invalid column name '{}'", t.name, c.name);
      if (!names.insert(c.name).second)
        throw_runtime_error("result schema: table '{}' declares column '{}' twice", t.name, c.name);
      if (c.is_category() && (c.type != ElementType::kInt64 || c.width != 0))
        throw_runtime_error("result schema: category column '{}/{}' must be a scalar int64", t.name, c.name);
    }
  }
  for (const auto& a : arrays_) {
    check_path(a.name, "array");
    if (!paths.insert(a.name).second) throw_runtime_error("result schema: name '{}' declared twice", a.name);
  }
  // a table is a group whose children are its columns; nothing else may live inside it, and
  // nothing may live inside an array (a dataset).
  for (const auto& outer : paths)
    for (const auto& inner : paths)
      if (is_inside(inner, outer))
        throw_runtime_error("result schema: '{}' would lie inside table or array '{}'", inner, outer);
}

}  // namespace fedload::io
