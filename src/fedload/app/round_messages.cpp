#include "fedload/app/round_messages.hpp"

#include <algorithm>
#include <type_traits>

#include "fedload/core/bytes.hpp"

namespace fedload::app {
namespace {

inline std::int64_t client_of(const ReportMessage& m) { return m.report.client; }
inline std::int64_t client_of(const ClientEvaluation& e) { return e.client; }
inline std::int64_t client_of(const ClientRow& r) { return r.client; }
inline std::int64_t client_of(const ClientForecasts& f) { return static_cast<std::int64_t>(f.client); }
inline std::int64_t client_of(const UpdateMessage& u) { return u.client; }


// POD lists: the bytes of each element in order
template <typename T>
std::vector<std::byte> encode_pod(const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  ByteWriter w;
  w.put_vector(v);
  return w.take();
}

// every rank's list, concatenated and sorted by client id
template <typename T, typename Decode>
std::vector<T> decode_all(const std::vector<std::vector<std::byte>>& from_ranks, Decode decode_one) {
  std::vector<T> out;
  for (const auto& bytes : from_ranks) {
    if (bytes.empty()) continue;
    ByteReader r(bytes);
    decode_one(r, out);
    if (!r.done()) throw_runtime_error("message from another rank has trailing bytes");
  }
  std::stable_sort(out.begin(), out.end(), [](const T& a, const T& b) { return client_of(a) < client_of(b); });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (client_of(out[i]) == client_of(out[i - 1]))
      throw_runtime_error("client {} reported by two ranks", client_of(out[i]));
  return out;
}

template <typename T>
std::vector<T> decode_pod(const std::vector<std::vector<std::byte>>& from_ranks) {
  return decode_all<T>(from_ranks, [](ByteReader& r, std::vector<T>& out) {
    const auto v = r.get_vector<T>();
    out.insert(out.end(), v.begin(), v.end());
  });
}

}  // namespace

std::vector<std::byte> encode_reports(const std::vector<ReportMessage>& v) { return encode_pod(v); }
std::vector<ReportMessage> decode_reports(const std::vector<std::vector<std::byte>>& f) {
  return decode_pod<ReportMessage>(f);
}
std::vector<std::byte> encode_evaluations(const std::vector<ClientEvaluation>& v) { return encode_pod(v); }
std::vector<ClientEvaluation> decode_evaluations(const std::vector<std::vector<std::byte>>& f) {
  return decode_pod<ClientEvaluation>(f);
}
std::vector<std::byte> encode_client_rows(const std::vector<ClientRow>& v) { return encode_pod(v); }
std::vector<ClientRow> decode_client_rows(const std::vector<std::vector<std::byte>>& f) {
  return decode_pod<ClientRow>(f);
}

std::vector<std::byte> encode_forecasts(const std::vector<ClientForecasts>& v) {
  ByteWriter w;
  w.put(static_cast<std::uint64_t>(v.size()));
  for (const auto& f : v) {
    w.put(static_cast<std::uint64_t>(f.client)).put(static_cast<std::uint8_t>(f.defective ? 1 : 0));
    w.put_vector(f.origin).put_vector(f.actual);
    w.put(static_cast<std::uint64_t>(f.predicted.size()));
    for (const auto& p : f.predicted) w.put_vector(p);
  }
  return w.take();
}

std::vector<ClientForecasts> decode_forecasts(const std::vector<std::vector<std::byte>>& from_ranks) {
  return decode_all<ClientForecasts>(from_ranks, [](ByteReader& r, std::vector<ClientForecasts>& out) {
    const auto n = r.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n; ++i) {
      ClientForecasts f;
      f.client = static_cast<std::size_t>(r.get<std::uint64_t>());
      f.defective = r.get<std::uint8_t>() != 0;
      f.origin = r.get_vector<std::int64_t>();
      f.actual = r.get_vector<float>();
      const auto methods = r.get<std::uint64_t>();
      for (std::uint64_t m = 0; m < methods; ++m) f.predicted.push_back(r.get_vector<float>());
      out.push_back(std::move(f));
    }
  });
}

std::vector<std::byte> encode_updates(const std::vector<const LocalUpdate*>& v) {
  ByteWriter w;
  w.put(static_cast<std::uint64_t>(v.size()));
  for (const auto* u : v) w.put(u->report.client).put_vector(u->delta);
  return w.take();
}

std::vector<UpdateMessage> decode_updates(const std::vector<std::vector<std::byte>>& from_ranks) {
  return decode_all<UpdateMessage>(from_ranks, [](ByteReader& r, std::vector<UpdateMessage>& out) {
    const auto n = r.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n; ++i) {
      UpdateMessage u;
      u.client = r.get<std::int64_t>();
      u.delta = r.get_vector<float>();
      out.push_back(std::move(u));
    }
  });
}

}  // namespace fedload::app
