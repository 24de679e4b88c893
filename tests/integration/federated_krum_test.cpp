// fl.strategy = "krum" end to end: the same model on one process and on three ranks, the clients
// Krum chose recorded as round_clients coefficients (1/m chosen, 0 the others) that
// `fedload verify` accepts, the n >= 2f + 3 condition refused before the run starts, and a
// Poisson round below it leaving the model where it was.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::ProcessResult;
using testing::python_check;
using testing::report_json_field;
using testing::run_process;
using testing::TempDir;

// 10 clients, 6 of them a round (fixed selection), 3 rounds of a small model
const std::string kTen =
    " --set fl.mode=federated --set fl.clients=10 --set fl.rounds=3 --set fl.selection=fixed --set fl.fraction=0.6"
    " --set fl.strategy=krum --set data.days=36 --set data.test_days=3 --set data.val_days=0"
    " --set model.hidden=6 --set train.batch_size=32 --set train.lr=0.02";

ProcessResult krum_run(const std::string& launcher, const std::string& args, const std::filesystem::path& out) {
  return run_process(launcher + " run" + kTen + args + " --out " + out.string());
}

std::string krum_sha(const std::string& launcher, const std::string& args, const std::filesystem::path& out) {
  return testing::run_final_sha(launcher, kTen + args, out);
}

TEST(FederatedKrum, SameModelOnOneAndThreeRanksWithTheChosenClientsRecorded) {
  TempDir dir;
  const std::string krum = krum_sha(fedload_binary(), "", dir / "krum1.h5");
  EXPECT_EQ(krum_sha(mpirun_command(3), "", dir / "krum3.h5"), krum);
  const std::string multi = " --set fl.krum_select=3";
  const std::string m3 = krum_sha(fedload_binary(), multi, dir / "multi1.h5");
  EXPECT_EQ(krum_sha(mpirun_command(3), multi + " --set fl.server_hosts_clients=false", dir / "multi3.h5"), m3);
  EXPECT_NE(krum, m3);
  // f = 0, m = n: every update averaged, the "mean" strategy's model bit for bit
  const std::string all = krum_sha(fedload_binary(), " --set fl.krum_byzantine=0 --set fl.krum_select=6", dir / "all.h5");
  EXPECT_EQ(krum_sha(fedload_binary(), " --set fl.strategy=mean", dir / "mean.h5"), all);
  EXPECT_NE(all, krum);
  for (const char* f : {"krum3.h5", "multi3.h5"}) {
    const auto v = run_process(fedload_binary() + " verify " + (dir / f).string());
    EXPECT_EQ(v.exit_code, 0) << f << "\n" << v.out << v.err;
  }
  // every round: 6 clients, m of them with coefficient 1/m, the rest 0; the same on both placements
  EXPECT_TRUE(python_check({dir / "krum1.h5", dir / "krum3.h5", dir / "multi3.h5"}, R"PY(
for path, m in ((sys.argv[1], 1), (sys.argv[2], 1), (sys.argv[3], 3)):
    rc = fedload_h5.load(path)['tables']['round_clients']
    for rnd in (1, 2, 3):
        c = np.asarray(rc['coefficient'])[np.asarray(rc['round']) == rnd]
        assert len(c) == 6, (path, rnd, c)
        assert np.sum(c == 1.0 / m) == m and np.sum(c == 0) == 6 - m, (path, rnd, c)
a, b = (fedload_h5.load(p)['tables']['round_clients'] for p in sys.argv[1:3])
assert np.array_equal(a['client'], b['client']) and np.array_equal(a['coefficient'], b['coefficient'])
assert fedload_h5.load(sys.argv[2])['attrs']['strategy'] == 'krum'
)PY"));
}

TEST(FederatedKrum, TooFewClientsPerRoundOrTooLargeAnMAreRefusedBeforeTheRun) {
  TempDir dir;
  const auto out = dir / "bad.h5";
  // 6 clients a round, f = 2 needs 7
  auto r = krum_run(fedload_binary(), " --set fl.krum_byzantine=2", out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("needs n >= 2f + 3 = 7 clients in a round, and every round here selects 6"), std::string::npos)
      << r.err;
  // m = 6 > n - f = 5
  r = krum_run(fedload_binary(), " --set fl.krum_select=6", out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("at most n - f = 6 - 1 = 5"), std::string::npos) << r.err;
  // ciphertexts cannot be scored: Krum reads every update in the clear
  r = krum_run(mpirun_command(3), " --set fl.aggregation=paillier --set fl.server_hosts_clients=false", out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fl.strategy = \"krum\" gathers every update in the clear"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(FederatedKrum, APoissonRoundBelowTheConditionLeavesTheModelUnchanged) {
  TempDir dir;
  const auto out = dir / "poisson.h5";
  const auto r = krum_run(fedload_binary(), " --set fl.selection=poisson --set fl.rate=0.5 --set fl.rounds=6", out);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // rounds of 1..4 clients keep g (every coefficient 0, the model hash of the round before), rounds
  // of 5 or more apply exactly one client; the run says that it fell back
  EXPECT_TRUE(python_check({out}, R"PY(
rc, rounds = r['tables']['round_clients'], r['tables']['rounds']
small = [int(n) for n in rounds['selected'] if 0 < n < 5]
assert small and any(n >= 5 for n in rounds['selected']), rounds['selected']
for rnd, n in zip(rounds['round'], rounds['selected']):
    c = np.asarray(rc['coefficient'])[np.asarray(rc['round']) == rnd]
    assert len(c) == n
    assert (np.all(c == 0) if n < 5 else np.sum(c == 1.0) == 1 and np.sum(c == 0) == n - 1), (rnd, n, c)
sha = np.asarray(r['tables']['provenance']['model_sha256'])
for i in range(1, len(sha)):
    assert np.array_equal(sha[i], sha[i - 1]) == (rounds['selected'][i] < 5), (i, rounds['selected'])
)PY"));
  EXPECT_NE(r.out.find("fewer than 2f + 3 = 5 (f = 1): the global model is left unchanged"), std::string::npos) << r.out;
  const auto v = run_process(fedload_binary() + " verify " + out.string());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace fedload
