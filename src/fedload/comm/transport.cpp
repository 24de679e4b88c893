#include "fedload/comm/transport.hpp"

#include <algorithm>

#include "fedload/core/error.hpp"

namespace fedload::comm {

std::size_t size_of(DataType t) {
  switch (t) {
    case DataType::kByte: return 1;
    case DataType::kFloat32: return sizeof(float);
    case DataType::kFloat64: return sizeof(double);
    case DataType::kInt64: return sizeof(std::int64_t);
  }
  throw_runtime_error("unknown comm::DataType {}", static_cast<int>(t));
}

const char* name_of(DataType t) {
  switch (t) {
    case DataType::kByte: return "byte";
    case DataType::kFloat32: return "float32";
    case DataType::kFloat64: return "float64";
    case DataType::kInt64: return "int64";
  }
  return "unknown";
}

const char* name_of(MemorySpace s) { return s == MemorySpace::kHost ? "host" : "device"; }

Buffer buffer_of(std::span<float> s) { return {s.data(), s.size(), DataType::kFloat32, MemorySpace::kHost}; }
Buffer buffer_of(std::span<double> s) { return {s.data(), s.size(), DataType::kFloat64, MemorySpace::kHost}; }
Buffer buffer_of(std::span<std::int64_t> s) { return {s.data(), s.size(), DataType::kInt64, MemorySpace::kHost}; }
Buffer buffer_of(std::span<std::byte> s) { return {s.data(), s.size(), DataType::kByte, MemorySpace::kHost}; }

ConstBuffer const_buffer_of(std::span<const float> s) {
  return {s.data(), s.size(), DataType::kFloat32, MemorySpace::kHost};
}
ConstBuffer const_buffer_of(std::span<const double> s) {
  return {s.data(), s.size(), DataType::kFloat64, MemorySpace::kHost};
}
ConstBuffer const_buffer_of(std::span<const std::int64_t> s) {
  return {s.data(), s.size(), DataType::kInt64, MemorySpace::kHost};
}
ConstBuffer const_buffer_of(std::span<const std::byte> s) {
  return {s.data(), s.size(), DataType::kByte, MemorySpace::kHost};
}

ConstBuffer const_view(const Buffer& b) { return {b.data, b.count, b.type, b.space}; }

TransferCounts operator-(const TransferCounts& after, const TransferCounts& before) {
  return {after.bytes_sent - before.bytes_sent, after.bytes_received - before.bytes_received};
}

std::vector<ElementRange> chunk_ranges(std::size_t count, std::size_t max_per_call) {
  if (max_per_call == 0) throw_runtime_error("chunk_ranges: max_per_call must be positive");
  std::vector<ElementRange> out;
  out.reserve(count / max_per_call + 1);
  for (std::size_t offset = 0; offset < count; offset += max_per_call)
    out.push_back({offset, std::min(max_per_call, count - offset)});
  return out;
}

}  // namespace fedload::comm
