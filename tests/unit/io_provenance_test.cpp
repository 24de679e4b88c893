// The provenance hash chain: its record encoding is the documented one (checked against bytes and
// a hash computed independently with Python's hashlib), any single changed field changes a
// record's hash, the genesis binds the config, and verify_provenance names the round where a
// result file was altered: a byte of a model, a weight, a coefficient, an update hash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

#include <fmt/format.h>
#include <hdf5.h>

#include "fedload/core/error.hpp"
#include "fedload/io/provenance.hpp"
#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_writer.hpp"
#include "io_test_support.hpp"

namespace fedload::io {
namespace {

Sha256Digest filled(std::uint8_t byte) {
  Sha256Digest d;
  d.fill(byte);
  return d;
}

ProvenanceRecord sample_record() {
  ProvenanceRecord r;
  r.round = 3;
  r.clients = {4, 11};
  r.update_sha256 = {filled(0x11), filled(0x22)};
  r.weights = {0.75, std::numeric_limits<double>::quiet_NaN()};
  r.model_sha256 = filled(0x33);
  return r;
}

TEST(Provenance, EncodingIsTheDocumentedLittleEndianLayout) {
  const auto b = encode_provenance_record(sample_record());
  ASSERT_EQ(b.size(), 4u + 8 + 8 + 2 * 8 + 2 * 32 + 2 * 8 + 32);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "FLPR");
  EXPECT_EQ(b[4], 3);  // round, little-endian
  for (int i = 5; i < 12; ++i) EXPECT_EQ(b[static_cast<std::size_t>(i)], 0) << i;
  EXPECT_EQ(b[12], 2);  // client count
  EXPECT_EQ(b[20], 4);  // clients
  EXPECT_EQ(b[28], 11);
  EXPECT_EQ(b[36], 0x11);  // update hashes
  EXPECT_EQ(b[68], 0x22);
  EXPECT_EQ(b[100 + 6], 0xe8);  // 0.75 = 0x3fe8000000000000
  EXPECT_EQ(b[100 + 7], 0x3f);
  EXPECT_EQ(b[108 + 6], 0xf8);  // canonical NaN 0x7ff8000000000000
  EXPECT_EQ(b[108 + 7], 0x7f);
  EXPECT_EQ(b[116], 0x33);  // model hash
}

TEST(Provenance, HashMatchesAnIndependentPythonComputation) {
  // hashlib.sha256(b'fedload provenance v1\n' + config) and sha256(genesis + record bytes)
  const auto genesis = provenance_genesis("[fl]\nrounds = 3\n");
  EXPECT_EQ(to_hex(genesis), "73095df8cb845cf851518586e8b837cae51980f5d0d81521004eab04a0723375");
  EXPECT_EQ(to_hex(provenance_record_hash(genesis, sample_record())),
            "53bf2bdc343ff079c5018200b57fef054a106d5fb13c2d99bb47b3e05a8c855a");
}

TEST(Provenance, EncodingIsCanonicalForNaNsAndRejectsAmbiguousRecords) {
  auto r = sample_record();
  const auto base = encode_provenance_record(r);
  r.weights[1] = -std::numeric_limits<double>::quiet_NaN();  // another NaN bit pattern
  EXPECT_EQ(encode_provenance_record(r), base);
  r.weights[0] = -0.0;
  auto zero = r;
  zero.weights[0] = 0.0;
  EXPECT_NE(encode_provenance_record(r), encode_provenance_record(zero));  // bits, not values

  auto unordered = sample_record();
  std::swap(unordered.clients[0], unordered.clients[1]);
  EXPECT_THROW(encode_provenance_record(unordered), Error);
  auto short_weights = sample_record();
  short_weights.weights.pop_back();
  EXPECT_THROW(encode_provenance_record(short_weights), Error);
}

TEST(Provenance, AnySingleFieldChangeChangesTheRecordHash) {
  const auto prev = provenance_genesis("config");
  const auto base = provenance_record_hash(prev, sample_record());
  std::vector<std::pair<std::string, std::function<void(ProvenanceRecord&)>>> edits = {
      {"round", [](ProvenanceRecord& r) { r.round += 1; }},
      {"client id", [](ProvenanceRecord& r) { r.clients[1] += 1; }},
      {"update hash byte", [](ProvenanceRecord& r) { r.update_sha256[0][5] ^= 1; }},
      {"weight last bit", [](ProvenanceRecord& r) { r.weights[0] = std::nextafter(r.weights[0], 1.0); }},
      {"weight NaN -> 0", [](ProvenanceRecord& r) { r.weights[1] = 0.0; }},
      {"model hash byte", [](ProvenanceRecord& r) { r.model_sha256[31] ^= 0x80; }},
      {"one client fewer",
       [](ProvenanceRecord& r) {
         r.clients.pop_back();
         r.update_sha256.pop_back();
         r.weights.pop_back();
       }},
  };
  for (const auto& [what, edit] : edits) {
    auto r = sample_record();
    edit(r);
    EXPECT_NE(provenance_record_hash(prev, r), base) << what;
  }
  auto other_prev = prev;
  other_prev[0] ^= 1;
  EXPECT_NE(provenance_record_hash(other_prev, sample_record()), base) << "previous hash";
  EXPECT_NE(provenance_genesis("config "), prev) << "config text";
}

TEST(Provenance, DigestWordsReadAsBigEndianHex) {
  const auto d = sha256_digest("abc", 3);
  const auto w = digest_to_words(d);
  EXPECT_EQ(static_cast<std::uint64_t>(w[0]), 0xba7816bf8f01cfeaULL);  // sha256("abc") = ba7816bf8f01cfea...
  EXPECT_EQ(static_cast<std::uint64_t>(w[3]), 0xb410ff61f20015adULL);
  EXPECT_EQ(digest_from_words(w), d);
  EXPECT_EQ(to_hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// ---------------------------------------------------------------------------------------------
// result files

constexpr std::size_t kParams = 10;
constexpr std::int64_t kRounds = 3;
const std::string kConfig = "[run]\nseed = 1\n";

std::vector<float> model_after(std::int64_t round) {
  std::vector<float> m(kParams);
  for (std::size_t j = 0; j < kParams; ++j) m[j] = 0.1f * static_cast<float>(j) + static_cast<float>(round);
  return m;
}

ProvenanceRecord record_of(std::int64_t round) {
  ProvenanceRecord r;
  r.round = round;
  r.clients = {round, round + 2, round + 5};
  for (const auto c : r.clients) {
    const float delta[2] = {static_cast<float>(c), static_cast<float>(round)};
    r.update_sha256.push_back(float_sha256(delta));
  }
  r.weights = {0.5, 0.25, 0.25};
  r.model_sha256 = float_sha256(model_after(round));
  return r;
}

struct SampleOptions {
  std::string chain_config = kConfig;  // what the chain's genesis is computed from
  std::int64_t rounds = kRounds;       // rounds recorded
  bool finish = true;
  bool checkpoints = false;
  bool orphan_client_rows = false;  // the next round's client rows without its record (a kill)
  std::int64_t first_round = 1;     // > 1: the records of the earlier rounds are left out
};

// a small federated-looking result file with a provenance chain
void write_sample(const std::filesystem::path& path, const SampleOptions& o = {}) {
  ResultSchema schema;
  schema.table("round_clients").int64("round").int64("client").float64("coefficient");
  ProvenanceChain::declare(schema);
  schema.array({"model/final", ElementType::kFloat32});
  if (o.checkpoints) {
    schema.array({"checkpoint/model", ElementType::kFloat32, kParams});
    schema.array({"checkpoint/round", ElementType::kInt64});
  }
  auto w = ResultWriter::create(path, schema, {{"config", kConfig}, {"rounds", kRounds}});
  ProvenanceChain chain(o.chain_config);
  if (o.first_round > 1) {
    // the chain as it stood after the left-out rounds, hashed into a file of its own
    auto pre = ResultWriter::create(path.string() + ".pre", schema, {{"config", kConfig}});
    ProvenanceChain earlier(o.chain_config);
    for (std::int64_t r = 1; r < o.first_round; ++r) earlier.append(pre, record_of(r));
    chain.restore(earlier.head(), o.first_round - 1);
  }
  for (std::int64_t r = o.first_round; r <= o.rounds; ++r) {
    const auto rec = record_of(r);
    std::vector<Row> rows;
    for (std::size_t i = 0; i < rec.clients.size(); ++i) rows.push_back({r, rec.clients[i], rec.weights[i]});
    w.append_rows("round_clients", rows);
    chain.append(w, rec);
    if (o.checkpoints) {
      w.append_array("checkpoint/model", std::span<const float>(model_after(r)));
      w.append_array("checkpoint/round", std::span<const std::int64_t>(&r, 1));
    }
  }
  if (o.orphan_client_rows) {
    const auto words = digest_to_words(filled(7));
    w.append_row("provenance_clients", {o.rounds + 1, std::int64_t{0}, std::span<const std::int64_t>(words), 1.0});
  }
  if (!o.finish) return;  // destroyed unfinished: status "incomplete"
  const auto final_model = model_after(o.rounds);
  w.append_array("model/final", std::span<const float>(final_model));
  w.finish({{"final_model_sha256", to_hex(float_sha256(final_model))},
            {std::string(kProvenanceHeadAttribute), to_hex(chain.head())},
            {"rounds_run", o.rounds}});
}

// reads a whole dataset as T, lets `edit` change element `index`, writes it back
template <typename T>
void edit_dataset(const std::filesystem::path& file, const std::string& dataset, hid_t type, std::size_t index,
                  const std::function<void(T&)>& edit) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0) << file;
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  ASSERT_GE(d, 0) << dataset;
  const hid_t space = H5Dget_space(d);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<T> v(n);
  ASSERT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
  ASSERT_LT(index, n) << dataset;
  edit(v[index]);
  ASSERT_GE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
}

std::string check_detail(const VerifyResult& v, const std::string& name) {
  for (const auto& c : v.checks)
    if (c.name == name) return c.detail;
  return "(no check " + name + ")";
}

CheckStatus check_status(const VerifyResult& v, const std::string& name) {
  for (const auto& c : v.checks)
    if (c.name == name) return c.status;
  return CheckStatus::kSkipped;
}

TEST(ProvenanceFile, AnIntactRunVerifies) {
  testing::ScratchDir dir;
  const auto path = dir / "ok.h5";
  write_sample(path);
  const auto v = verify_provenance(ResultReader::open(path));
  EXPECT_TRUE(v.ok) << v.first_break;
  EXPECT_TRUE(v.complete);
  EXPECT_EQ(v.records, kRounds);
  EXPECT_FALSE(v.broken_round.has_value());
  EXPECT_EQ(check_status(v, "chain"), CheckStatus::kOk) << check_detail(v, "chain");
  EXPECT_EQ(check_status(v, "round_clients"), CheckStatus::kOk) << check_detail(v, "round_clients");
  EXPECT_NE(check_detail(v, "round_clients").find("9 clients"), std::string::npos) << check_detail(v, "round_clients");
  EXPECT_EQ(check_status(v, "final model"), CheckStatus::kOk) << check_detail(v, "final model");
  EXPECT_EQ(check_status(v, "head"), CheckStatus::kOk) << check_detail(v, "head");
  EXPECT_EQ(check_status(v, "checkpoints"), CheckStatus::kSkipped);
}

struct Tamper {
  std::string what;
  std::function<void(const std::filesystem::path&)> apply;
  std::int64_t round;    // the round verify must name
  std::string message;   // and a piece of its reason
};

// rows of provenance_clients: 3 per round, so round r's second client is row 3(r-1)+1
std::size_t client_row(std::int64_t round, std::size_t i) { return 3 * static_cast<std::size_t>(round - 1) + i; }

// verify fails, first at `round`, with a message that contains `message`
void expect_break(const VerifyResult& v, std::int64_t round, const std::string& message) {
  EXPECT_FALSE(v.ok);
  ASSERT_TRUE(v.broken_round.has_value()) << v.first_break;
  EXPECT_EQ(*v.broken_round, round) << v.first_break;
  EXPECT_NE(v.first_break.find(message), std::string::npos) << v.first_break;
}

TEST(ProvenanceFile, VerifyNamesTheRoundOfEverySingleAlteration) {
  using F = std::function<void(double&)>;
  using I = std::function<void(std::int64_t&)>;
  using B = std::function<void(float&)>;
  const std::vector<Tamper> tampers = {
      {"one byte of model/final",
       [](const auto& p) {
         edit_dataset<float>(p, "model/final", H5T_NATIVE_FLOAT, 4,
                             B([](float& x) { reinterpret_cast<std::uint8_t*>(&x)[0] ^= 1; }));
       },
       kRounds, "final model: SHA-256 differs from round 3's record"},
      {"one weight in provenance_clients",
       [](const auto& p) {
         edit_dataset<double>(p, "provenance_clients/weight", H5T_NATIVE_DOUBLE, client_row(2, 1),
                              F([](double& w) { w = 0.2500001; }));
       },
       2, "round 2: record hash differs"},
      {"one coefficient in round_clients",
       [](const auto& p) {
         edit_dataset<double>(p, "round_clients/coefficient", H5T_NATIVE_DOUBLE, client_row(2, 0),
                              F([](double& w) { w = 0.6; }));
       },
       2, "round 2: round_clients coefficient of client 2 is 0.6"},
      {"one bit of an update hash",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance_clients/update_sha256", H5T_NATIVE_INT64, 4 * client_row(3, 2) + 1,
                                    I([](std::int64_t& x) { x ^= 1; }));
       },
       3, "round 3: record hash differs"},
      {"a client id in provenance_clients",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance_clients/client", H5T_NATIVE_INT64, client_row(1, 2),
                                    I([](std::int64_t& x) { x += 1; }));
       },
       1, "round 1:"},
      {"a recorded model hash",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance/model_sha256", H5T_NATIVE_INT64, 4 * 0 + 3,
                                    I([](std::int64_t& x) { x ^= 1 << 20; }));
       },
       1, "round 1: record hash differs"},
      {"a stored record hash",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance/record_hash", H5T_NATIVE_INT64, 4 * 1,
                                    I([](std::int64_t& x) { x ^= 1; }));
       },
       2, "round 2: record hash differs"},
      {"a stored previous hash",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance/prev_hash", H5T_NATIVE_INT64, 4 * 2 + 2,
                                    I([](std::int64_t& x) { x ^= 1; }));
       },
       3, "round 3: previous hash differs from round 2's record hash"},
      {"a selected count",
       [](const auto& p) {
         edit_dataset<std::int64_t>(p, "provenance/selected", H5T_NATIVE_INT64, 1, I([](std::int64_t& x) { x = 2; }));
       },
       2, "round 2: record says 2 clients"},
  };
  testing::ScratchDir dir;
  for (std::size_t i = 0; i < tampers.size(); ++i) {
    const auto& t = tampers[i];
    SCOPED_TRACE(t.what);
    const auto path = dir / fmt::format("t{}.h5", i);
    write_sample(path);
    t.apply(path);
    expect_break(verify_provenance(ResultReader::open(path)), t.round, t.message);
  }
}

TEST(ProvenanceFile, GenesisBindsTheChainToTheFilesConfig) {
  testing::ScratchDir dir;
  const auto path = dir / "other.h5";
  write_sample(path, {.chain_config = "[run]\nseed = 2\n"});  // a chain made for another config
  expect_break(verify_provenance(ResultReader::open(path)), 1, "not the genesis of this file's config");
}

// Every chain starts at round 1: one whose first records were removed has lost its link to the
// config (which could then be edited unnoticed), so it does not verify.
TEST(ProvenanceFile, AChainWithoutItsFirstRoundsDoesNotVerify) {
  testing::ScratchDir dir;
  const auto path = dir / "headless.h5";
  write_sample(path, {.first_round = 2});
  expect_break(verify_provenance(ResultReader::open(path)), 2,
               "chain starts at round 2: the records of rounds 1 to 1 were removed");
}

// array_rows reads a band of rows (what --resume reads on every rank: the last checkpoint only)
TEST(ProvenanceFile, ArrayRowsReadsABandOfRowsOfEitherShape) {
  testing::ScratchDir dir;
  const auto path = dir / "rows.h5";
  write_sample(path, {.checkpoints = true});
  const auto reader = ResultReader::open(path);
  const auto all = reader.array("checkpoint/model");
  const auto band = reader.array_rows("checkpoint/model", 1, 2);
  EXPECT_EQ(band.rows, 2u);
  EXPECT_EQ(band.width, kParams);
  ASSERT_EQ(band.reals.size(), 2 * kParams);
  for (std::size_t i = 0; i < 2 * kParams; ++i) EXPECT_EQ(band.reals[i], all.reals[kParams + i]) << i;
  const auto last_round = reader.array_rows("checkpoint/round", kRounds - 1, 1);
  ASSERT_EQ(last_round.integers.size(), 1u);
  EXPECT_EQ(last_round.integers[0], kRounds);
  EXPECT_EQ(reader.array_rows("checkpoint/round", kRounds, 0).integers.size(), 0u);
  EXPECT_THROW(reader.array_rows("checkpoint/model", 2, 2), Error);
}

TEST(ProvenanceFile, CheckpointModelsAreCheckedAgainstTheirRounds) {
  testing::ScratchDir dir;
  const auto path = dir / "ck.h5";
  write_sample(path, {.checkpoints = true});
  auto v = verify_provenance(ResultReader::open(path));
  EXPECT_TRUE(v.ok) << v.first_break;
  EXPECT_EQ(check_status(v, "checkpoints"), CheckStatus::kOk);
  EXPECT_NE(check_detail(v, "checkpoints").find("3 checkpoint"), std::string::npos) << check_detail(v, "checkpoints");

  edit_dataset<float>(path, "checkpoint/model", H5T_NATIVE_FLOAT, kParams + 7,  // round 2's model
                      std::function<void(float&)>([](float& x) { x = std::nextafter(x, 100.0f); }));
  expect_break(verify_provenance(ResultReader::open(path)), 2, "round 2: checkpoint model SHA-256 differs");
}

TEST(ProvenanceFile, AKilledRunIsCheckedAsFarAsItGoes) {
  testing::ScratchDir dir;
  const auto path = dir / "killed.h5";
  write_sample(path, {.rounds = 2, .finish = false, .orphan_client_rows = true});
  const auto v = verify_provenance(ResultReader::open(path));
  EXPECT_TRUE(v.ok) << v.first_break;
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.records, 2);
  EXPECT_EQ(v.planned_rounds, kRounds);
  EXPECT_NE(check_detail(v, "chain").find("round 3's client rows have no record"), std::string::npos)
      << check_detail(v, "chain");
  EXPECT_EQ(check_status(v, "final model"), CheckStatus::kSkipped);
  EXPECT_NE(check_detail(v, "final model").find("incomplete"), std::string::npos);

  // the same stray rows in a complete file are an alteration
  const auto complete = dir / "stray.h5";
  write_sample(complete, {.rounds = 2, .orphan_client_rows = true});
  const auto w = verify_provenance(ResultReader::open(complete));
  EXPECT_FALSE(w.ok);
  EXPECT_EQ(w.broken_round.value_or(-1), 3) << w.first_break;
}

TEST(ProvenanceFile, ResumedChainContinuesToTheSameHead) {
  testing::ScratchDir dir;
  ResultSchema schema;
  ProvenanceChain::declare(schema);
  auto w = ResultWriter::create(dir / "a.h5", schema, {{"config", kConfig}});
  ProvenanceChain whole(kConfig), first(kConfig);
  Sha256Digest after_two{};
  for (std::int64_t r = 1; r <= 3; ++r) {
    whole.append(w, record_of(r));
    if (r == 2) after_two = whole.head();
  }
  EXPECT_THROW(whole.append(w, record_of(5)), Error);  // rounds go up by one

  ProvenanceChain resumed(kConfig);
  resumed.restore(after_two, 2);
  EXPECT_EQ(resumed.last_round(), 2);
  EXPECT_EQ(provenance_record_hash(resumed.head(), record_of(3)), whole.head());
}

TEST(ProvenanceFile, AFileWithoutProvenanceIsAnInputError) {
  testing::ScratchDir dir;
  const auto path = dir / "plain.h5";
  ResultSchema schema;
  schema.table("rounds").int64("round");
  ResultWriter::create(path, schema, {{"config", kConfig}}).finish();
  try {
    verify_provenance(ResultReader::open(path));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no provenance tables"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fedload::io
