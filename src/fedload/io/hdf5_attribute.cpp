#include "fedload/io/hdf5_attribute.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "fedload/io/hdf5_error.hpp"
#include "fedload/io/hdf5_handle.hpp"

namespace fedload::io {

namespace {

DatatypeHandle utf8_string_type(std::string_view object) {
  DatatypeHandle type{hdf5_check(H5Tcopy(H5T_C_S1), "copy string type", object)};
  hdf5_check_status(H5Tset_size(type.get(), H5T_VARIABLE), "set string size", object);
  hdf5_check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set string charset", object);
  return type;
}

void write_strings(hid_t object, const std::string& name, const std::vector<const char*>& texts,
                   bool scalar) {
  DatatypeHandle type = utf8_string_type(name);
  hsize_t n = texts.size();
  DataspaceHandle space{hdf5_check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr),
                                   "create attribute dataspace", name)};
  AttributeHandle attr{hdf5_check(H5Acreate2(object, name.c_str(), type.get(), space.get(),
                                             H5P_DEFAULT, H5P_DEFAULT),
                                  "create attribute", name)};
  if (!texts.empty())
    hdf5_check_status(H5Awrite(attr.get(), type.get(), texts.data()), "write attribute", name);
}

template <typename T>
void write_number(hid_t object, const std::string& name, hid_t type, T value) {
  DataspaceHandle space{hdf5_check(H5Screate(H5S_SCALAR), "create attribute dataspace", name)};
  AttributeHandle attr{hdf5_check(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT,
                                             H5P_DEFAULT),
                                  "create attribute", name)};
  hdf5_check_status(H5Awrite(attr.get(), type, &value), "write attribute", name);
}

AttributeValue read_value(hid_t attr, const std::string& name) {
  DatatypeHandle type{hdf5_check(H5Aget_type(attr), "get attribute type", name)};
  DataspaceHandle space{hdf5_check(H5Aget_space(attr), "get attribute dataspace", name)};
  const H5S_class_t shape = H5Sget_simple_extent_type(space.get());
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: {
      std::int64_t v = 0;
      hdf5_check_status(H5Aread(attr, H5T_NATIVE_INT64, &v), "read attribute", name);
      return v;
    }
    case H5T_FLOAT: {
      double v = 0;
      hdf5_check_status(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), "read attribute", name);
      return v;
    }
    case H5T_STRING: {
      // read through a variable-length memory type whatever the file stores (fixed-width
      // strings written by other tools convert too).
      DatatypeHandle memory = utf8_string_type(name);
      std::vector<char*> texts(static_cast<std::size_t>(count > 0 ? count : 0), nullptr);
      StringList list;
      if (!texts.empty()) {
        hdf5_check_status(H5Aread(attr, memory.get(), texts.data()), "read attribute", name);
        for (char* t : texts) list.emplace_back(t ? t : "");
        H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, texts.data());
      }
      if (shape == H5S_SCALAR) return list.empty() ? std::string{} : list.front();
      return list;
    }
    default:
      // fedload writes only the four kinds above; something else was added by another tool.
      return std::string("(attribute of a type fedload does not read)");
  }
}

}  // namespace

void write_attribute(hid_t object, const Attribute& attribute) {
  const std::string& name = attribute.name;
  const htri_t exists = H5Aexists(object, name.c_str());
  hdf5_check_status(exists, "check attribute", name);
  if (exists > 0) hdf5_check_status(H5Adelete(object, name.c_str()), "delete attribute", name);

  struct Writer {
    hid_t object;
    const std::string& name;
    void operator()(const std::string& s) const { write_strings(object, name, {s.c_str()}, true); }
    void operator()(std::int64_t v) const { write_number(object, name, H5T_NATIVE_INT64, v); }
    void operator()(double v) const { write_number(object, name, H5T_NATIVE_DOUBLE, v); }
    void operator()(const StringList& list) const {
      std::vector<const char*> texts;
      texts.reserve(list.size());
      for (const auto& s : list) texts.push_back(s.c_str());
      write_strings(object, name, texts, false);
    }
  };
  std::visit(Writer{object, name}, attribute.value);
}

namespace {

struct NameCollector {
  std::vector<std::string> names;
};

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<NameCollector*>(out)->names.emplace_back(name);
  return 0;
}

}  // namespace

AttributeList read_attributes(hid_t object) {
  NameCollector collector;
  hsize_t index = 0;
  // creation order is tracked on objects fedload creates; other files fall back to names.
  if (H5Aiterate2(object, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect_name, &collector) < 0) {
    H5Eclear2(H5E_DEFAULT);
    collector.names.clear();
    index = 0;
    hdf5_check_status(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &collector),
                      "list attributes", "object");
  }
  AttributeList list;
  for (auto& name : collector.names) {
    AttributeHandle attr{hdf5_check(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open attribute", name)};
    AttributeValue value = read_value(attr.get(), name);
    list.push_back({std::move(name), std::move(value)});
  }
  return list;
}

std::optional<AttributeValue> read_attribute(hid_t object, std::string_view name) {
  const std::string key(name);
  const htri_t exists = H5Aexists(object, key.c_str());
  hdf5_check_status(exists, "check attribute", key);
  if (exists == 0) return std::nullopt;
  AttributeHandle attr{hdf5_check(H5Aopen(object, key.c_str(), H5P_DEFAULT), "open attribute", key)};
  return read_value(attr.get(), key);
}

}  // namespace fedload::io
