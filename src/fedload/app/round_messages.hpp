#pragma once
// What ranks tell rank 0 (and each other) during a federated run, as flat bytes for
// Transport::gather_bytes / allgather_bytes. Decoding a message from every rank gives one list
// sorted by client id: the order aggregation and the result file use, whatever the placement.
#include <cstddef>
#include <span>
#include <vector>

#include "fedload/app/client_table.hpp"
#include "fedload/app/federated_client.hpp"
#include "fedload/core/sha256.hpp"

namespace fedload::app {

struct ReportMessage {
  fl::ClientReport report;
  double update_norm = 0.0;
  std::int64_t rank = 0;
  Sha256Digest update_sha256{};  // of the update's float bytes, computed where the client ran (provenance)
};

std::vector<std::byte> encode_reports(const std::vector<ReportMessage>& v);
std::vector<ReportMessage> decode_reports(const std::vector<std::vector<std::byte>>& from_ranks);

std::vector<std::byte> encode_evaluations(const std::vector<ClientEvaluation>& v);
std::vector<ClientEvaluation> decode_evaluations(const std::vector<std::vector<std::byte>>& from_ranks);

std::vector<std::byte> encode_forecasts(const std::vector<ClientForecasts>& v);
std::vector<ClientForecasts> decode_forecasts(const std::vector<std::vector<std::byte>>& from_ranks);

std::vector<std::byte> encode_client_rows(const std::vector<ClientRow>& v);
std::vector<ClientRow> decode_client_rows(const std::vector<std::vector<std::byte>>& from_ranks);

// whole updates (non-linear strategies gather them): client id + delta
struct UpdateMessage {
  std::int64_t client = 0;
  std::vector<float> delta;
};
std::vector<std::byte> encode_updates(const std::vector<const LocalUpdate*>& v);
std::vector<UpdateMessage> decode_updates(const std::vector<std::vector<std::byte>>& from_ranks);

}  // namespace fedload::app
