#pragma once
// A small run written through ResultWriter, with every kind of attribute, column and array,
// kept in memory too so tests can compare what a reader returns with what was written.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fedload/core/sha256.hpp"
#include "fedload/io/result_writer.hpp"

namespace fedload::io::testing {

struct SampleRun {
  static constexpr int kRounds = 4;
  static constexpr int kRanks = 2;
  static constexpr std::size_t kClients = 3;
  inline static const std::vector<std::string> kPhases = {"train", "aggregate", "broadcast"};

  AttributeList attributes;
  AttributeList final_attributes;
  // rounds
  std::vector<std::int64_t> round;
  std::vector<double> loss, mape;
  std::vector<float> client_loss;        // rounds x kClients
  std::vector<std::int64_t> selected;    // rounds x kClients
  // timing
  std::vector<std::int64_t> timing_round, timing_rank, timing_phase, bytes_sent;
  std::vector<double> seconds;
  // arrays
  std::vector<float> model;               // 10 values, written in two pieces
  std::vector<double> predictions;        // 5 x 2

  static ResultSchema schema() {
    ResultSchema s;
    s.table("rounds", "one row per federated round")
        .int64("round")
        .float64("loss", "", "global training loss")
        .float64("mape", "%")
        .vector("client_loss", ElementType::kFloat32, kClients)
        .vector("selected", ElementType::kInt64, kClients);
    s.table("timing", "seconds per round, rank and phase")
        .int64("round")
        .int64("rank")
        .category("phase", kPhases)
        .float64("seconds", "s")
        .int64("bytes_sent", "bytes");
    s.array({.name = "model/final", .type = ElementType::kFloat32, .unit = "", .description = "flat parameters"});
    s.array({.name = "forecast/predictions", .type = ElementType::kFloat64, .width = 2, .unit = "MW"});
    return s;
  }

  SampleRun() {
    attributes = {
        {"fedload_version", std::string("0.1.0")},
        {"config", std::string("[fl]\nrounds = 4\nname = \"a \\\"quoted\\\" run\"\t# tab\n")},
        {"argv", StringList{"fedload", "run", "--config", "jobs/configs/small.toml"}},
        {"hosts", StringList{"node-1"}},
        {"tags", StringList{}},
        {"ranks", std::int64_t{kRanks}},
        {"seed", std::int64_t{-42}},
        {"learning_rate", 0.001},
    };
    for (int r = 0; r < kRounds; ++r) {
      round.push_back(r);
      loss.push_back(1.0 / (r + 1));
      mape.push_back(10.5 - r);
      for (std::size_t c = 0; c < kClients; ++c) {
        client_loss.push_back(0.5f * static_cast<float>(r) + 0.1f * static_cast<float>(c));
        selected.push_back(r + static_cast<std::int64_t>(c));
      }
      for (int rank = 0; rank < kRanks; ++rank) {
        timing_round.push_back(r);
        timing_rank.push_back(rank);
        timing_phase.push_back((r + rank) % 3);
        seconds.push_back(0.1 * (r + 1) + rank);
        bytes_sent.push_back(std::int64_t{1} << (30 + r));
      }
    }
    for (int i = 0; i < 10; ++i) model.push_back(0.01f * static_cast<float>(i) - 0.03f);
    for (int i = 0; i < 10; ++i) predictions.push_back(100.0 + 0.5 * i);
    final_attributes = {
        {"final_model_sha256", sha256_hex(model.data(), model.size() * sizeof(float))},
        {"final_mape", 7.5},
        {"notes", StringList{"converged", "no defects"}},
    };
  }

  // writes the run to `path`; finish() only when `finish` is true.
  void write(const std::filesystem::path& path, bool finish) const {
    ResultWriter writer = ResultWriter::create(path, schema(), attributes);
    std::size_t t = 0;
    for (int r = 0; r < kRounds; ++r) {
      // one round's timings go in as one batch
      std::vector<Row> timings;
      for (int rank = 0; rank < kRanks; ++rank, ++t) {
        // labels and codes both name a phase; use both.
        const Cell phase = t % 2 == 0 ? Cell{std::string_view(kPhases[static_cast<std::size_t>(timing_phase[t])])}
                                      : Cell{timing_phase[t]};
        timings.push_back({timing_round[t], timing_rank[t], phase, seconds[t], bytes_sent[t]});
      }
      writer.append_rows("timing", timings);
      const std::size_t at = static_cast<std::size_t>(r) * kClients;
      writer.append_row("rounds", {round[static_cast<std::size_t>(r)], loss[static_cast<std::size_t>(r)],
                                   mape[static_cast<std::size_t>(r)],
                                   std::span<const float>(client_loss).subspan(at, kClients),
                                   std::span<const std::int64_t>(selected).subspan(at, kClients)});
    }
    writer.append_array("model/final", std::span<const float>(model).first(6));
    writer.append_array("model/final", std::span<const float>(model).subspan(6));
    writer.append_array("forecast/predictions", std::span<const double>(predictions));
    if (finish) writer.finish(final_attributes);
  }
};

}  // namespace fedload::io::testing
