#include "fedload/io/provenance.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "fedload/core/error.hpp"

namespace fedload::io {
namespace {

constexpr std::string_view kRecordMagic = "FLPR";
constexpr std::string_view kGenesisLabel = "fedload provenance v1\n";
constexpr std::uint64_t kCanonicalNaN = 0x7ff8000000000000ULL;

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_digest(std::vector<std::uint8_t>& out, const Sha256Digest& d) { out.insert(out.end(), d.begin(), d.end()); }

// the bit pattern a weight is hashed and compared by: NaN is one value, whatever its payload
std::uint64_t weight_bits(double w) { return std::isnan(w) ? kCanonicalNaN : std::bit_cast<std::uint64_t>(w); }

}  // namespace

std::vector<std::uint8_t> encode_provenance_record(const ProvenanceRecord& r) {
  const std::size_t n = r.clients.size();
  if (r.update_sha256.size() != n || r.weights.size() != n)
    throw_runtime_error("provenance record of round {}: {} clients, {} update hashes, {} weights", r.round, n,
                        r.update_sha256.size(), r.weights.size());
  for (std::size_t i = 1; i < n; ++i)
    if (r.clients[i] <= r.clients[i - 1])
      throw_runtime_error("provenance record of round {}: client ids not strictly increasing ({} after {})", r.round,
                          r.clients[i], r.clients[i - 1]);
  std::vector<std::uint8_t> out;
  out.reserve(kRecordMagic.size() + 16 + n * (8 + 32 + 8) + 32);
  out.insert(out.end(), kRecordMagic.begin(), kRecordMagic.end());
  put_le(out, static_cast<std::uint64_t>(r.round));
  put_le(out, static_cast<std::uint64_t>(n));
  for (const auto c : r.clients) put_le(out, static_cast<std::uint64_t>(c));
  for (const auto& d : r.update_sha256) put_digest(out, d);
  for (const auto w : r.weights) put_le(out, weight_bits(w));
  put_digest(out, r.model_sha256);
  return out;
}

Sha256Digest provenance_record_hash(const Sha256Digest& prev_hash, const ProvenanceRecord& record) {
  const auto bytes = encode_provenance_record(record);
  Sha256 h;
  h.update(prev_hash.data(), prev_hash.size());
  h.update(bytes.data(), bytes.size());
  return h.digest();
}

Sha256Digest provenance_genesis(std::string_view config_text) {
  Sha256 h;
  h.update(kGenesisLabel.data(), kGenesisLabel.size());
  h.update(config_text.data(), config_text.size());
  return h.digest();
}

Sha256Digest float_sha256(std::span<const float> values) {
  if constexpr (std::endian::native == std::endian::little) {
    return sha256_digest(values.data(), values.size_bytes());
  } else {
    Sha256 h;
    for (const float v : values) {
      const auto bits = std::bit_cast<std::uint32_t>(v);
      const std::uint8_t le[4] = {static_cast<std::uint8_t>(bits), static_cast<std::uint8_t>(bits >> 8),
                                  static_cast<std::uint8_t>(bits >> 16), static_cast<std::uint8_t>(bits >> 24)};
      h.update(le, 4);
    }
    return h.digest();
  }
}

std::array<std::int64_t, 4> digest_to_words(const Sha256Digest& d) {
  std::array<std::int64_t, 4> w{};
  for (std::size_t j = 0; j < 4; ++j) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b) v = (v << 8) | d[8 * j + b];
    w[j] = static_cast<std::int64_t>(v);
  }
  return w;
}

Sha256Digest digest_from_words(std::span<const std::int64_t> words) {
  if (words.size() != 4) throw_runtime_error("a stored SHA-256 has {} words, not 4", words.size());
  Sha256Digest d{};
  for (std::size_t j = 0; j < 4; ++j) {
    const auto v = static_cast<std::uint64_t>(words[j]);
    for (std::size_t b = 0; b < 8; ++b) d[8 * j + b] = static_cast<std::uint8_t>(v >> (56 - 8 * b));
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// writing

ProvenanceChain::ProvenanceChain(std::string_view config_text) : head_(provenance_genesis(config_text)) {}

void ProvenanceChain::declare(ResultSchema& schema) {
  schema.table(std::string(kProvenanceTable), "hash chain over rounds, one record per round (see fedload verify)")
      .int64("round")
      .int64("selected", "", "clients in the record")
      .vector("model_sha256", ElementType::kInt64, 4, "", "SHA-256 of the new global model's float bytes")
      .vector("prev_hash", ElementType::kInt64, 4, "", "the previous record's hash (round 1: SHA-256 of a label and the config)")
      .vector("record_hash", ElementType::kInt64, 4, "", "SHA-256(prev_hash || canonical record bytes)");
  schema.table(std::string(kProvenanceClientsTable), "the per-client fields of each round's provenance record")
      .int64("round")
      .int64("client")
      .vector("update_sha256", ElementType::kInt64, 4, "", "SHA-256 of the float bytes of the uploaded update")
      .float64("weight", "", "aggregation coefficient c_i (NaN: a rule without one weight per client, e.g. median; krum: 0 for a rejected update)");
}

Sha256Digest ProvenanceChain::append(ResultWriter& writer, const ProvenanceRecord& record) {
  if (record.round != last_round_ + 1)
    throw_runtime_error("provenance: round {} appended after round {}", record.round, last_round_);
  const Sha256Digest hash = provenance_record_hash(head_, record);  // also checks the record's shape
  const std::size_t n = record.clients.size();
  std::vector<std::array<std::int64_t, 4>> updates(n);
  std::vector<Row> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    updates[i] = digest_to_words(record.update_sha256[i]);
    rows.push_back({record.round, record.clients[i], std::span<const std::int64_t>(updates[i]), record.weights[i]});
  }
  if (!rows.empty()) writer.append_rows(kProvenanceClientsTable, rows);
  const auto model = digest_to_words(record.model_sha256), prev = digest_to_words(head_),
             self = digest_to_words(hash);
  writer.append_row(kProvenanceTable, {record.round, static_cast<std::int64_t>(n), std::span<const std::int64_t>(model),
                                       std::span<const std::int64_t>(prev), std::span<const std::int64_t>(self)});
  head_ = hash;
  last_round_ = record.round;
  return hash;
}

void ProvenanceChain::restore(const Sha256Digest& head, std::int64_t round) {
  head_ = head;
  last_round_ = round;
}

std::optional<Sha256Digest> stored_record_hash(const ResultReader& reader, std::int64_t round) {
  if (!reader.has_table(kProvenanceTable)) return std::nullopt;
  const TableData t = reader.table(kProvenanceTable);
  const ColumnData* rounds = t.column("round");
  const ColumnData* hashes = t.column("record_hash");
  if (!rounds || !hashes || !rounds->is_integer() || !hashes->is_integer() || hashes->width != 4) return std::nullopt;
  for (std::size_t i = t.rows; i-- > 0;)
    if (rounds->integers[i] == round)
      return digest_from_words(std::span<const std::int64_t>(hashes->integers).subspan(i * 4, 4));
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// verifying

namespace {

const ColumnData& need_column(const TableData& t, std::string_view name, bool integer, std::size_t width) {
  const ColumnData* c = t.column(name);
  if (!c || c->is_integer() != integer || c->width != width)
    throw_input_error("table {} has no {} column {}{}: not a fedload provenance table", t.name,
                      integer ? "int64" : "float64", name, width ? fmt::format(" of width {}", width) : "");
  return *c;
}

Sha256Digest digest_at(const ColumnData& c, std::size_t row) {
  return digest_from_words(std::span<const std::int64_t>(c.integers).subspan(row * 4, 4));
}

bool same_weight(double a, double b) { return weight_bits(a) == weight_bits(b); }

// one failing (or skipped) check, with the round it names when it names one
struct Finding {
  std::optional<std::int64_t> round;
  std::string text;
};

class Check {
 public:
  explicit Check(std::string name) : name_(std::move(name)) {}
  void fail(std::optional<std::int64_t> round, std::string text) { failures_.push_back({round, std::move(text)}); }
  void skip(std::string why) { skipped_ = std::move(why); }
  void note(std::string text) { notes_.push_back(std::move(text)); }

  // the check's summary line; the earliest failure goes into the result's first break
  void finish(VerifyResult& result, const std::string& ok_detail) {
    VerifyCheck c{name_, CheckStatus::kOk, ok_detail};
    if (!failures_.empty()) {
      const auto first = std::min_element(failures_.begin(), failures_.end(), [](const Finding& a, const Finding& b) {
        if (a.round.has_value() != b.round.has_value()) return a.round.has_value();  // named rounds first
        return a.round.value_or(0) < b.round.value_or(0);
      });
      c.status = CheckStatus::kFailed;
      c.detail = first->text;
      if (failures_.size() > 1) c.detail += fmt::format(" (and {} more)", failures_.size() - 1);
      const bool earlier = !result.first_break.empty() &&
                           (!first->round || (result.broken_round && *result.broken_round <= *first->round));
      if (!earlier) {
        result.first_break = first->text;
        result.broken_round = first->round;
      }
      result.ok = false;
    } else if (!skipped_.empty()) {
      c.status = CheckStatus::kSkipped;
      c.detail = skipped_;
    }
    for (const auto& n : notes_) c.detail += "; " + n;
    result.checks.push_back(std::move(c));
  }

 private:
  std::string name_;
  std::vector<Finding> failures_;
  std::string skipped_;
  std::vector<std::string> notes_;
};

std::vector<float> as_floats(const ArrayData& a, std::size_t begin, std::size_t end) {
  std::vector<float> v(end - begin);
  for (std::size_t i = begin; i < end; ++i)
    v[i - begin] = a.is_integer() ? static_cast<float>(a.integers[i]) : static_cast<float>(a.reals[i]);
  return v;
}

std::size_t value_count(const ArrayData& a) { return a.rows * a.values_per_row(); }

bool has_array(const ResultReader& reader, std::string_view name) {
  const auto& names = reader.array_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<std::int64_t> int_attribute(const ResultReader& reader, std::string_view name) {
  const AttributeValue* v = reader.attribute(name);
  if (v && std::holds_alternative<std::int64_t>(*v)) return std::get<std::int64_t>(*v);
  return std::nullopt;
}

// the records as stored, by round, and where the stored chain ends
struct StoredChain {
  std::map<std::int64_t, ProvenanceRecord> records;
  std::int64_t last_round = 0;
  std::optional<Sha256Digest> last_hash;  // the last record's stored hash
};

// recomputes every record's hash from its stored fields and the previous record's stored hash
// (genesis: the config), so one altered record is named once, not again in every later one
StoredChain check_chain(const ResultReader& reader, const std::string& config, VerifyResult& result) {
  const TableData prov = reader.table(kProvenanceTable);
  const TableData pc = reader.table(kProvenanceClientsTable);
  const auto& p_round = need_column(prov, "round", true, 0);
  const auto& p_selected = need_column(prov, "selected", true, 0);
  const auto& p_model = need_column(prov, "model_sha256", true, 4);
  const auto& p_prev = need_column(prov, "prev_hash", true, 4);
  const auto& p_hash = need_column(prov, "record_hash", true, 4);
  const auto& c_round = need_column(pc, "round", true, 0);
  const auto& c_client = need_column(pc, "client", true, 0);
  const auto& c_update = need_column(pc, "update_sha256", true, 4);
  const auto& c_weight = need_column(pc, "weight", false, 0);

  std::map<std::int64_t, std::vector<std::size_t>> client_rows;  // each round's rows, file order
  for (std::size_t i = 0; i < pc.rows; ++i) client_rows[c_round.integers[i]].push_back(i);

  Check chain("chain");
  StoredChain out;
  Sha256Digest expected_prev = provenance_genesis(config);
  for (std::size_t k = 0; k < prov.rows; ++k) {
    const std::int64_t round = p_round.integers[k];
    if (k == 0 && round != 1) {
      // every run's chain starts at round 1 (a resumed run copies the rounds before it), so a
      // first record of a later round means records were removed, and with them the link to the
      // config; the rest of the chain is still checked from the stored previous hash
      chain.fail(round, fmt::format("chain starts at round {}: the records of rounds 1 to {} were removed, and with "
                                    "them the link to the config",
                                    round, round - 1));
      expected_prev = digest_at(p_prev, k);
    } else if (k > 0 && round != out.last_round + 1) {
      chain.fail(round, fmt::format("round {}: record follows round {} (a record was removed or reordered)", round,
                                    out.last_round));
    }
    ProvenanceRecord rec;
    rec.round = round;
    const auto it = client_rows.find(round);
    const std::size_t n = it == client_rows.end() ? 0 : it->second.size();
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t i = it->second[j];
      rec.clients.push_back(c_client.integers[i]);
      rec.update_sha256.push_back(digest_at(c_update, i));
      rec.weights.push_back(c_weight.reals[i]);
    }
    rec.model_sha256 = digest_at(p_model, k);
    const auto stored_prev = digest_at(p_prev, k), stored_hash = digest_at(p_hash, k);
    if (p_selected.integers[k] != static_cast<std::int64_t>(n))
      chain.fail(round, fmt::format("round {}: record says {} clients, provenance_clients holds {}", round,
                                    p_selected.integers[k], n));
    if (stored_prev != expected_prev)
      chain.fail(round, k == 0 ? fmt::format("round {}: previous hash is not the genesis of this file's config "
                                             "(config altered, or the chain belongs to another run)",
                                             round)
                               : fmt::format("round {}: previous hash differs from round {}'s record hash (a "
                                             "record was replaced)",
                                             round, out.last_round));
    if (!std::is_sorted(rec.clients.begin(), rec.clients.end(), std::less_equal<>()))
      chain.fail(round, fmt::format("round {}: client ids not strictly increasing (client ids altered)", round));
    else if (provenance_record_hash(stored_prev, rec) != stored_hash)
      chain.fail(round, fmt::format("round {}: record hash differs (weights, client ids, update or model hashes "
                                    "altered)",
                                    round));
    expected_prev = stored_hash;
    out.last_round = round;
    out.last_hash = stored_hash;
    out.records[round] = std::move(rec);
  }
  result.records = static_cast<std::int64_t>(prov.rows);

  for (const auto& [round, rows] : client_rows) {
    if (out.records.count(round)) continue;
    if (!result.complete && round == out.last_round + 1)
      chain.note(fmt::format("round {}'s client rows have no record (the run was killed while writing it)", round));
    else
      chain.fail(round, fmt::format("round {}: {} client rows in provenance_clients but no record", round, rows.size()));
  }
  if (prov.dropped_rows + pc.dropped_rows > 0) chain.note("a half-written row at the end was left out");
  const auto rounds_run = int_attribute(reader, "rounds_run");
  if (result.complete && rounds_run && *rounds_run != out.last_round)
    chain.fail(std::nullopt, fmt::format("chain ends at round {} but the run reports {} rounds (records removed?)",
                                         out.last_round, *rounds_run));
  if (prov.rows == 0) chain.skip("no records");
  chain.finish(result, prov.rows == 0 ? std::string()
                                      : fmt::format("{} records, rounds {}..{} recomputed from the stored fields",
                                                    prov.rows, p_round.integers.front(), out.last_round));
  return out;
}

// the coefficients the run applied (round_clients) are the weights the chain recorded
void check_round_clients(const ResultReader& reader, const StoredChain& chain, VerifyResult& result) {
  Check applied("round_clients");
  std::size_t compared = 0;
  const TableData rc = reader.has_table("round_clients") ? reader.table("round_clients") : TableData{};
  const ColumnData* rc_round = rc.column("round");
  const ColumnData* rc_client = rc.column("client");
  const ColumnData* rc_coef = rc.column("coefficient");
  if (!reader.has_table("round_clients")) {
    applied.skip("no round_clients table");
  } else if (!rc_round || !rc_client || !rc_coef) {
    applied.fail(std::nullopt, "round_clients lacks a round, client or coefficient column");
  } else {
    std::map<std::int64_t, std::vector<std::size_t>> by_round;
    for (std::size_t i = 0; i < rc.rows; ++i) by_round[static_cast<std::int64_t>(rc_round->value(i))].push_back(i);
    for (const auto& [round, rec] : chain.records) {
      const auto it = by_round.find(round);
      const std::size_t n = it == by_round.end() ? 0 : it->second.size();
      if (n != rec.clients.size()) {
        applied.fail(round, fmt::format("round {}: round_clients has {} clients, the record {}", round, n,
                                        rec.clients.size()));
        continue;
      }
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t i = it->second[j];
        const auto client = static_cast<std::int64_t>(rc_client->value(i));
        const double coef = rc_coef->value(i);
        if (client != rec.clients[j]) {
          applied.fail(round, fmt::format("round {}: round_clients lists client {} where the record has client {}",
                                          round, client, rec.clients[j]));
          break;
        }
        if (!same_weight(coef, rec.weights[j])) {
          applied.fail(round, fmt::format("round {}: round_clients coefficient of client {} is {}, the record's "
                                          "weight is {}",
                                          round, client, coef, rec.weights[j]));
          break;
        }
        ++compared;
      }
    }
  }
  applied.finish(result, fmt::format("{} clients and coefficients equal the records", compared));
}

// stored per-round models (checkpoint/model rows with checkpoint/round), when the file has them
void check_checkpoints(const ResultReader& reader, const StoredChain& chain, VerifyResult& result) {
  Check checkpoints("checkpoints");
  std::size_t matched = 0;
  if (!has_array(reader, "checkpoint/model") || !has_array(reader, "checkpoint/round")) {
    checkpoints.skip("no checkpoint/model and checkpoint/round arrays");
  } else {
    const ArrayData model = reader.array("checkpoint/model");
    const ArrayData rounds = reader.array("checkpoint/round");
    const std::size_t count = value_count(rounds), values = value_count(model);
    if (count == 0) {
      checkpoints.skip("no checkpoints stored");
    } else if (const std::size_t per = model.width > 0 ? model.width : values / count;
               per == 0 || values < count * per || (model.width == 0 && values % count != 0)) {
      checkpoints.fail(std::nullopt, fmt::format("checkpoint/model holds {} values, too few or not a whole model "
                                                 "for each of its {} rounds",
                                                 values, count));
    } else {
      // one model per round; checkpoint/round is written last, so a killed run may hold a model more
      for (std::size_t i = 0; i < count; ++i) {
        const auto round = static_cast<std::int64_t>(rounds.value(i));
        const auto rec = chain.records.find(round);
        if (rec == chain.records.end()) {
          checkpoints.fail(round, fmt::format("round {}: a checkpoint but no record", round));
        } else if (float_sha256(as_floats(model, i * per, (i + 1) * per)) != rec->second.model_sha256) {
          checkpoints.fail(round, fmt::format("round {}: checkpoint model SHA-256 differs from the record", round));
        } else {
          ++matched;
        }
      }
    }
  }
  checkpoints.finish(result, fmt::format("{} checkpoint model(s) match their rounds' records", matched));
}

// model/final and the final_model_sha256 attribute name the last record's model
void check_final_model(const ResultReader& reader, const StoredChain& chain, VerifyResult& result) {
  Check final_model("final model");
  const bool have_final = has_array(reader, "model/final") && reader.array_shape("model/final").rows > 0;
  if (chain.records.empty()) {
    final_model.skip("no records to compare with");
  } else if (!have_final) {
    if (result.complete)
      final_model.fail(std::nullopt, "model/final is missing from a complete run");
    else
      final_model.skip("incomplete run: no final model");
  } else {
    const ArrayData m = reader.array("model/final");
    const auto& last = chain.records.rbegin()->second;
    if (float_sha256(as_floats(m, 0, value_count(m))) != last.model_sha256)
      final_model.fail(last.round, fmt::format("final model: SHA-256 differs from round {}'s record", last.round));
    const auto attr = reader.string_attribute("final_model_sha256");
    if (attr && *attr != to_hex(last.model_sha256))
      final_model.fail(std::nullopt,
                       fmt::format("final_model_sha256 attribute differs from round {}'s record", last.round));
  }
  final_model.finish(result, fmt::format("model/final and final_model_sha256 match round {}'s record", chain.last_round));
}

// the head the run published when it finished is the last record's hash
void check_head(const ResultReader& reader, const StoredChain& chain, VerifyResult& result) {
  Check head("head");
  const auto attr = reader.string_attribute(kProvenanceHeadAttribute);
  if (!attr)
    head.skip(result.complete ? fmt::format("no {} attribute", kProvenanceHeadAttribute)
                              : std::string("incomplete run: no head attribute yet"));
  else if (!chain.last_hash || *attr != to_hex(*chain.last_hash))
    head.fail(std::nullopt, fmt::format("{} attribute differs from the last record's hash", kProvenanceHeadAttribute));
  head.finish(result, fmt::format("{} = {}", kProvenanceHeadAttribute, attr.value_or("")));
}

}  // namespace

VerifyResult verify_provenance(const ResultReader& reader) {
  const std::string file = reader.path().string();
  if (!reader.has_table(kProvenanceTable) || !reader.has_table(kProvenanceClientsTable))
    throw_input_error("{} has no provenance tables ({}, {}): not a federated run, or one written before fedload "
                      "recorded provenance",
                      file, kProvenanceTable, kProvenanceClientsTable);
  const auto config = reader.string_attribute("config");
  if (!config) throw_input_error("{} has no config attribute: the chain's genesis cannot be computed", file);

  VerifyResult result;
  result.complete = reader.complete();
  result.planned_rounds = int_attribute(reader, "rounds").value_or(-1);
  const StoredChain chain = check_chain(reader, *config, result);
  check_round_clients(reader, chain, result);
  check_checkpoints(reader, chain, result);
  check_final_model(reader, chain, result);
  check_head(reader, chain, result);
  return result;
}

}  // namespace fedload::io
