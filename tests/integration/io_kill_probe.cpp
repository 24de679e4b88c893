// A stand-in for a run that is killed: creates a result file at argv[1] and appends rows to
// "rounds" until it is killed. Row r holds values computed from r, so a test can check every
// row it reads back after the kill. Never finishes on its own.
#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "fedload/io/result_writer.hpp"

int main(int argc, char** argv) {
  using namespace fedload::io;
  if (argc != 2) {
    std::fprintf(stderr, "usage: fedload_io_kill_probe RESULT.h5\n");
    return 2;
  }
  try {
    ResultSchema schema;
    schema.table("rounds")
        .int64("round")
        .float64("loss")
        .vector("client_loss", ElementType::kFloat64, 4)
        .category("phase", {"train", "aggregate", "broadcast"});
    schema.table("timing").int64("round").int64("rank").float64("seconds", "s");
    schema.array({.name = "model/final", .type = ElementType::kFloat32});
    ResultWriter writer = ResultWriter::create(argv[1], schema, {{"argv", StringList{argv[0], argv[1]}}});
    std::vector<double> client_loss(4);
    for (std::int64_t r = 0;; ++r) {
      for (std::size_t j = 0; j < client_loss.size(); ++j) client_loss[j] = static_cast<double>(r) * static_cast<double>(j + 1);
      writer.append_row("rounds", {r, 1.0 / static_cast<double>(r + 1), std::span<const double>(client_loss), r % 3});
      // three ranks' timings per round, as one batch
      std::vector<Row> timings;
      for (std::int64_t rank = 0; rank < 3; ++rank) timings.push_back({r, rank, 0.5 * static_cast<double>(rank + r)});
      writer.append_rows("timing", timings);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fedload_io_kill_probe: %s\n", e.what());
    return 1;
  }
}
