// The reviewer's path: analysis/regenerate.sh turns every committed reference measurement
// (results/reference/*.json) into a figure without a GPU, MPI or a build; a file it does not know
// is named and skipped, never drawn wrongly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::run_process;
using testing::TempDir;

const std::filesystem::path kSource = FEDLOAD_SOURCE_DIR;

bool is_png(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  char magic[8] = {};
  f.read(magic, 8);
  return f.gcount() == 8 && std::string(magic + 1, 3) == "PNG" && std::filesystem::file_size(p) > 5000;
}

TEST(Analysis, RegenerateDrawsEveryReferenceMeasurement) {
  TempDir dir;
  const auto r = run_process((kSource / "analysis/regenerate.sh").string() + " " +
                             (kSource / "results/reference").string() + " " + (dir / "fig").string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kSource / "results/reference")) {
    if (e.path().extension() != ".json") continue;
    ++files;
    const auto png = dir / "fig" / (e.path().stem().string() + ".png");
    EXPECT_TRUE(std::filesystem::exists(png) && is_png(png)) << png << "\n" << r.out;
  }
  EXPECT_GT(files, 3);
  EXPECT_EQ(r.out.find("skipped"), std::string::npos) << "a committed reference file no plot knows:\n" << r.out;
}

TEST(Analysis, AFileOfNoKnownKindIsNamedAndSkipped) {
  TempDir dir;
  const auto odd = dir.write("odd.json", R"({"what": "something else"})");
  const auto r = run_process(std::string(FEDLOAD_SYSTEM_PYTHON) + " " + (kSource / "analysis/plot_reference.py").string() +
                             " " + (dir / "fig").string() + " " + odd);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("skipped " + odd), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "fig" / "odd.png"));
}

}  // namespace
}  // namespace fedload
