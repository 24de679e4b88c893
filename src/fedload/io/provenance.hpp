#pragma once
// Tamper-evident provenance of a federated run: a hash chain over its rounds, kept in the result
// file and checked by `fedload verify`. No blockchain: whoever can rewrite the whole file can
// rewrite the whole chain, so the chain's head (attribute provenance_head_sha256) is what to
// publish beside a result; what the chain gives is that no single stored fact (a weight, an
// update's hash, a model) can change without the change being found and named by round.
//
// One record per round:
//   round                   int64
//   selected client ids     int64 each, strictly increasing
//   SHA-256 of each update  32 bytes each (the float bytes of w_i - g the client uploaded)
//   aggregation weights     float64 each (c_i; NaN for non-linear strategies)
//   SHA-256 of the model    32 bytes (the float bytes of the new global model)
//
// Canonical encoding of a record (every integer and real little-endian, whatever the host):
//   "FLPR"                        4 bytes, ASCII
//   round                         int64
//   n = number of clients         uint64
//   clients[0..n)                 n x int64
//   update_sha256[0..n)           n x 32 bytes
//   weights[0..n)                 n x float64, IEEE-754 bits; every NaN as 0x7ff8000000000000
//   model_sha256                  32 bytes
// record_hash(k) = SHA-256(record_hash(k-1) || encoding(k)), 32 raw bytes each, and for the first
// round record_hash(0) = genesis = SHA-256("fedload provenance v1\n" || config text), the run's
// full config (attribute `config`), so a chain does not verify under another run's config.
//
// In the file: table `provenance`, one row per round (round, selected, model_sha256, prev_hash,
// record_hash) and table `provenance_clients`, one row per selected client and round (round,
// client, update_sha256, weight). A digest is stored as a width-4 int64 vector: element j holds
// bytes 8j..8j+7 read big-endian, so in Python `row.astype('>i8').tobytes().hex()` is its hex.
// The clients' rows of a round are appended before the round's record, so a killed run leaves
// at most one round of client rows without a record, never a record without its clients.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fedload/core/sha256.hpp"
#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_schema.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::io {

struct ProvenanceRecord {
  std::int64_t round = 0;
  std::vector<std::int64_t> clients;        // strictly increasing
  std::vector<Sha256Digest> update_sha256;  // one per client
  std::vector<double> weights;              // one per client
  Sha256Digest model_sha256{};
};

inline constexpr std::string_view kProvenanceTable = "provenance";
inline constexpr std::string_view kProvenanceClientsTable = "provenance_clients";
inline constexpr std::string_view kProvenanceHeadAttribute = "provenance_head_sha256";

// the canonical bytes above; throws fedload::Error when the lists differ in length or the
// clients are not strictly increasing.
std::vector<std::uint8_t> encode_provenance_record(const ProvenanceRecord& record);
Sha256Digest provenance_record_hash(const Sha256Digest& prev_hash, const ProvenanceRecord& record);
Sha256Digest provenance_genesis(std::string_view config_text);

// SHA-256 of floats' little-endian bytes (the host's bytes on every platform fedload runs on):
// the fingerprint of an update or a model, the same as final_model_sha256.
Sha256Digest float_sha256(std::span<const float> values);

// a digest as the stored width-4 int64 vector, and back
std::array<std::int64_t, 4> digest_to_words(const Sha256Digest& digest);
Sha256Digest digest_from_words(std::span<const std::int64_t> words);

// The chain as a run writes it (rank 0): declare() before the file exists, append() once per
// round after aggregation.
class ProvenanceChain {
 public:
  explicit ProvenanceChain(std::string_view config_text);

  static void declare(ResultSchema& schema);
  // appends the round's client rows, then its record; returns the record's hash (the new head).
  // Rounds must increase by one from the last appended (or restored) round.
  Sha256Digest append(ResultWriter& writer, const ProvenanceRecord& record);
  Sha256Digest head() const { return head_; }
  std::int64_t last_round() const { return last_round_; }
  // a resumed run continues the chain of the run it resumes: its head after `round`.
  void restore(const Sha256Digest& head, std::int64_t round);

 private:
  Sha256Digest head_;
  std::int64_t last_round_ = 0;
};

// the record hash a file stores for `round` (where a resumed run's chain goes on from), or
// nothing when the file has no provenance or no record of that round.
std::optional<Sha256Digest> stored_record_hash(const ResultReader& reader, std::int64_t round);

// What `fedload verify` finds.
enum class CheckStatus { kOk, kFailed, kSkipped };

struct VerifyCheck {
  std::string name;    // "chain", "round_clients", "final model", "checkpoints", "head"
  CheckStatus status = CheckStatus::kOk;
  std::string detail;  // one line: what was checked, or where and why it broke
};

struct VerifyResult {
  bool ok = true;                     // no check failed
  bool complete = true;               // the file's status is "complete"
  std::int64_t records = 0;           // rounds with a record that were checked
  std::int64_t planned_rounds = -1;   // attribute `rounds` (-1: absent)
  std::optional<std::int64_t> broken_round;  // the first round where something breaks
  std::string first_break;            // its one-line reason, e.g. "round 7: record hash differs (...)"
  std::vector<VerifyCheck> checks;
};

// Recomputes the chain from the stored fields and the config attribute, checks round_clients
// against the records (clients and coefficients), model/final and final_model_sha256 against the
// last record, checkpoint/model rows (when the file has them, with checkpoint/round) against
// their rounds' records, and the head attribute. A killed run's file is checked as far as it
// goes. Throws InputError for a file without provenance tables.
VerifyResult verify_provenance(const ResultReader& reader);

}  // namespace fedload::io
