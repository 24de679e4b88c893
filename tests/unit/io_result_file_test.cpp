// Writing a result file and reading it back with fedload's reader: every attribute, column and
// array comes back as written, a finished file says "complete", an unfinished one "incomplete".
#include <fstream>

#include <gtest/gtest.h>
#include <hdf5.h>

#include "fedload/core/error.hpp"
#include "fedload/io/result_reader.hpp"
#include "fedload/io/result_writer.hpp"
#include "io_sample_run.hpp"
#include "io_test_support.hpp"

namespace fedload::io {
namespace {

using testing::SampleRun;
using testing::ScratchDir;

template <typename T>
std::vector<double> as_doubles(const std::vector<T>& values) {
  return std::vector<double>(values.begin(), values.end());
}

TEST(IoResultFile, RoundTripThroughTheReaderKeepsEveryValue) {
  ScratchDir dir;
  const SampleRun run;
  run.write(dir / "run.h5", /*finish=*/true);

  const ResultReader reader = ResultReader::open(dir / "run.h5");
  EXPECT_FALSE(reader.opened_as_unclosed());
  EXPECT_TRUE(reader.complete());
  for (const auto& expected : run.attributes) {
    const AttributeValue* value = reader.attribute(expected.name);
    ASSERT_NE(value, nullptr) << expected.name;
    EXPECT_EQ(*value, expected.value) << expected.name;
  }
  for (const auto& expected : run.final_attributes) {
    const AttributeValue* value = reader.attribute(expected.name);
    ASSERT_NE(value, nullptr) << expected.name;
    EXPECT_EQ(*value, expected.value) << expected.name;
  }
  EXPECT_EQ(reader.table_names(), (StringList{"rounds", "timing"}));
  EXPECT_EQ(reader.array_names(), (StringList{"model/final", "forecast/predictions"}));

  const TableData rounds = reader.table("rounds");
  EXPECT_EQ(rounds.rows, std::size_t{SampleRun::kRounds});
  EXPECT_EQ(rounds.dropped_rows, 0u);
  EXPECT_EQ(rounds.description, "one row per federated round");
  EXPECT_EQ(rounds.column("round")->integers, run.round);
  EXPECT_EQ(rounds.column("loss")->reals, run.loss);
  EXPECT_EQ(rounds.column("loss")->description, "global training loss");
  EXPECT_EQ(rounds.column("mape")->reals, run.mape);
  EXPECT_EQ(rounds.column("mape")->unit, "%");
  const ColumnData* client_loss = rounds.column("client_loss");
  EXPECT_EQ(client_loss->type, ElementType::kFloat32);
  EXPECT_EQ(client_loss->width, SampleRun::kClients);
  EXPECT_EQ(client_loss->reals, as_doubles(run.client_loss));
  EXPECT_EQ(rounds.column("selected")->width, SampleRun::kClients);
  EXPECT_EQ(rounds.column("selected")->integers, run.selected);
  EXPECT_DOUBLE_EQ(client_loss->value(2, 1), double{run.client_loss[2 * SampleRun::kClients + 1]});

  const TableData timing = reader.table("timing");
  EXPECT_EQ(timing.rows, std::size_t{SampleRun::kRounds * SampleRun::kRanks});
  const ColumnData* phase = timing.column("phase");
  EXPECT_EQ(phase->labels, SampleRun::kPhases);
  EXPECT_EQ(phase->integers, run.timing_phase);
  EXPECT_EQ(phase->label(1), SampleRun::kPhases[static_cast<std::size_t>(run.timing_phase[1])]);
  EXPECT_EQ(timing.column("seconds")->reals, run.seconds);
  EXPECT_EQ(timing.column("bytes_sent")->integers, run.bytes_sent);
  EXPECT_EQ(timing.column("bytes_sent")->unit, "bytes");

  const ArrayData model = reader.array("model/final");
  EXPECT_EQ(model.rows, run.model.size());
  EXPECT_EQ(model.width, 0u);
  EXPECT_EQ(model.reals, as_doubles(run.model));
  const ArrayData predictions = reader.array("forecast/predictions");
  EXPECT_EQ(predictions.rows, 5u);
  EXPECT_EQ(predictions.width, 2u);
  EXPECT_EQ(predictions.unit, "MW");
  EXPECT_EQ(predictions.reals, run.predictions);
  const ArrayShape shape = reader.array_shape("forecast/predictions");
  EXPECT_EQ(shape.rows, 5u);
  EXPECT_EQ(shape.width, 2u);
}

TEST(IoResultFile, FinishMarksCompleteAndAddsFinalAttributes) {
  ScratchDir dir;
  const SampleRun run;
  run.write(dir / "run.h5", /*finish=*/true);
  const ResultReader reader = ResultReader::open(dir / "run.h5");
  EXPECT_EQ(reader.status(), "complete");
  EXPECT_TRUE(reader.string_attribute("start_time").has_value());
  EXPECT_TRUE(reader.string_attribute("end_time").has_value());
  EXPECT_EQ(reader.final_attribute_names(), (StringList{"final_model_sha256", "final_mape", "notes"}));
  EXPECT_EQ(reader.string_attribute("final_model_sha256")->size(), 64u);
}

TEST(IoResultFile, WriterDestroyedWithoutFinishLeavesAnIncompleteReadableFile) {
  ScratchDir dir;
  const SampleRun run;
  run.write(dir / "run.h5", /*finish=*/false);
  const ResultReader reader = ResultReader::open(dir / "run.h5");
  EXPECT_EQ(reader.status(), "incomplete");
  EXPECT_FALSE(reader.opened_as_unclosed());  // closed cleanly, just not finished
  EXPECT_FALSE(reader.string_attribute("end_time").has_value());
  EXPECT_EQ(reader.table("rounds").rows, std::size_t{SampleRun::kRounds});
  EXPECT_EQ(reader.array("model/final").reals, as_doubles(run.model));
}

TEST(IoResultFile, AppendsAfterFinishAreRefused) {
  ScratchDir dir;
  ResultSchema schema;
  schema.table("rounds").int64("round");
  ResultWriter writer = ResultWriter::create(dir / "run.h5", schema, {});
  writer.append_row("rounds", {std::int64_t{0}});
  writer.finish();
  EXPECT_TRUE(writer.finished());
  EXPECT_THROW(writer.append_row("rounds", {std::int64_t{1}}), Error);
  EXPECT_THROW(writer.finish(), Error);
  EXPECT_EQ(ResultReader::open(dir / "run.h5").table("rounds").rows, 1u);
}

TEST(IoResultFile, RefusesToOverwriteAnExistingFileUnlessAsked) {
  ScratchDir dir;
  const auto path = dir / "run.h5";
  SampleRun().write(path, /*finish=*/true);
  ResultSchema schema;
  schema.table("rounds").int64("round");
  try {
    ResultWriter::create(path, schema, {});
    FAIL() << "an existing file was overwritten";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  // the refused attempt left the earlier run untouched
  EXPECT_EQ(ResultReader::open(path).table("rounds").rows, std::size_t{SampleRun::kRounds});

  ResultWriter writer = ResultWriter::create(path, schema, {}, {.overwrite = true});
  writer.finish();
  EXPECT_EQ(ResultReader::open(path).table("rounds").rows, 0u);
}

TEST(IoResultFile, ReadingAFileThatIsNotHdf5IsAnInputErrorNamingIt) {
  ScratchDir dir;
  const auto path = dir / "notes.h5";
  std::ofstream(path) << "round,loss\n0,1.0\n";
  try {
    ResultReader::open(path);
    FAIL() << "a text file was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ResultReader::open(dir / "missing.h5"), InputError);
}

TEST(IoResultFile, AnHdf5FileFromAnotherProgramIsAnInputError) {
  ScratchDir dir;
  const auto path = dir / "other.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Fclose(file);
  try {
    ResultReader::open(path);
    FAIL() << "a foreign HDF5 file was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a fedload result file"), std::string::npos) << e.what();
  }
}

TEST(IoResultFile, BadRowsAreRefusedWithoutWritingAPartialRow) {
  ScratchDir dir;
  ResultSchema schema;
  schema.table("rounds")
      .int64("round")
      .vector("client_loss", ElementType::kFloat64, 3)
      .category("phase", {"train", "aggregate"});
  ResultWriter writer = ResultWriter::create(dir / "run.h5", schema, {});
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> two = {1, 2};
  writer.append_row("rounds", {std::int64_t{0}, std::span<const double>(three), std::string_view("train")});
  EXPECT_THROW(writer.append_row("rounds", {std::int64_t{1}, std::span<const double>(two), std::string_view("train")}),
               Error);
  EXPECT_THROW(writer.append_row("rounds", {std::int64_t{1}, std::span<const double>(three), std::string_view("eval")}),
               Error);
  EXPECT_THROW(writer.append_row("rounds", {1.5, std::span<const double>(three), std::int64_t{0}}), Error);
  EXPECT_THROW(writer.append_row("rounds", {std::int64_t{1}, std::span<const double>(three), std::int64_t{2}}), Error);
  EXPECT_THROW(writer.append_row("rounds", {std::int64_t{1}}), Error);
  EXPECT_THROW(writer.append_row("nosuchtable", {std::int64_t{1}}), Error);
  EXPECT_THROW(writer.append_array("nosucharray", std::span<const double>(three)), Error);
  EXPECT_EQ(writer.rows("rounds"), 1u);
  writer.finish();
  const TableData table = ResultReader::open(dir / "run.h5").table("rounds");
  EXPECT_EQ(table.rows, 1u);
  EXPECT_EQ(table.column("client_loss")->reals, three);
}

TEST(IoResultFile, InvalidSchemasAndReservedAttributesAreRefused) {
  ScratchDir dir;
  ResultSchema nested;
  nested.table("rounds").int64("round");
  nested.array({.name = "rounds/extra"});
  EXPECT_THROW(ResultWriter::create(dir / "a.h5", nested, {}), Error);
  ResultSchema empty_table;
  empty_table.table("rounds");
  EXPECT_THROW(ResultWriter::create(dir / "b.h5", empty_table, {}), Error);
  ResultSchema fine;
  fine.table("rounds").int64("round");
  EXPECT_THROW(ResultWriter::create(dir / "c.h5", fine, {{"status", std::string("complete")}}), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "c.h5"));
}

}  // namespace
}  // namespace fedload::io
