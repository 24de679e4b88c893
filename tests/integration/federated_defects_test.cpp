// [defects] end to end: defective clients are the same on any placement (so is the model),
// the file says who they are and what was attacked, the honest-only pooling leaves them out,
// a malicious update hurts FedAvg and not the coordinate-wise median, and settings that cannot
// mean anything are refused before a file exists.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>

#include "support/mpi_launch.hpp"
#include "support/result_checks.hpp"

namespace fedload {
namespace {

using testing::fedload_binary;
using testing::mpirun_command;
using testing::python_check;
using testing::report_json_field;
using testing::run_process;
using testing::TempDir;

// 12 clients (3 defective at the default fraction 0.25), 3 rounds, half the clients per round
const std::string kSmall =
    " --set fl.mode=federated --set fl.clients=12 --set fl.rounds=3 --set fl.selection=fixed --set fl.fraction=0.5"
    " --set data.days=40 --set data.test_days=4 --set data.val_days=0"
    " --set model.hidden=8 --set train.batch_size=32 --set train.lr=0.01";

std::string run_sha(const std::string& launcher, const std::string& args, const std::filesystem::path& out) {
  return testing::run_final_sha(launcher, kSmall + args, out);
}

TEST(FederatedDefects, DefectsArePlacementIndependentAndRecorded) {
  TempDir dir;
  for (const std::string kind : {"sign_flip", "noise", "ramp"}) {
    const std::string args = " --set defects.kind=" + kind;
    const std::string one = run_sha(fedload_binary(), args, dir / (kind + "1.h5"));
    EXPECT_EQ(run_sha(mpirun_command(3), args, dir / (kind + "3.h5")), one) << kind;
    const auto v = run_process(fedload_binary() + " verify " + (dir / (kind + "3.h5")).string());
    EXPECT_EQ(v.exit_code, 0) << kind << "\n" << v.out << v.err;
  }
  const std::string clean = run_sha(fedload_binary(), "", dir / "clean.h5");
  // the report shows both poolings for a run with defects, the plain one only without
  const auto report = run_process(fedload_binary() + " report " + (dir / "ramp3.h5").string());
  EXPECT_NE(report.out.find("metrics (the clients that are not defective, pooled)"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("metrics (all clients pooled)"), std::string::npos) << report.out;
  const auto plain = run_process(fedload_binary() + " report " + (dir / "clean.h5").string());
  EXPECT_EQ(plain.out.find("not defective"), std::string::npos) << plain.out;
  EXPECT_NE(report_json_field(dir / "noise1.h5", "final_model_sha256"), clean);
  // the same three clients in every run (a function of run.seed); only a data attack changes
  // training steps; the honest pooling (-2) leaves those three out and is the plain pooling
  // without defects
  EXPECT_TRUE(python_check({dir / "ramp3.h5", dir / "noise1.h5", dir / "clean.h5"}, R"PY(
ramp, noise, clean = (fedload_h5.load(p) for p in sys.argv[1:4])
cr, cn = ramp['tables']['clients'], noise['tables']['clients']
bad = list(np.flatnonzero(cr['defective']))
assert len(bad) == 3 and bad == list(np.flatnonzero(cn['defective'])), (bad, cn['defective'])
assert all(cr['attacked_steps'][i] > 0 for i in bad) and cr['attacked_steps'].sum() == sum(cr['attacked_steps'][bad])
assert np.all(cn['attacked_steps'] == 0) and not np.any(clean['tables']['clients']['defective'])
assert 'defective (clients ' in ramp['attrs']['defects'] and clean['attrs']['defects'] == 'none'
for f in (ramp, noise):
    ev, rd = f['tables']['evaluation'], f['tables']['rounds']
    honest = ev['client'] == -2
    assert honest.sum() == len(rd['round']), honest.sum()
    assert np.allclose(ev['mape'][honest], rd['honest_mape']), (ev['mape'][honest], rd['honest_mape'])
    n_honest, n_all = ev['values'][honest][-1], ev['values'][ev['client'] == -1][-1]
    assert n_honest * 12 == n_all * 9, (n_honest, n_all)  # equal test days per client
    m = f['tables']['metrics']
    assert set(m['client'][m['client'] < 0]) == {-1, -2}
    assert math.isclose(f['attrs']['honest_lstm_mape'], m['mape'][(m['client'] == -2) & (m['method'] == 'lstm')][0])
rc = clean['tables']['rounds']
assert np.array_equal(rc['honest_mape'], rc['mape'])
assert not np.any(clean['tables']['evaluation']['client'] == -2) and 'honest_lstm_mape' not in clean['attrs']
)PY"));
}

// A malicious client sending -4 times its update pulls FedAvg's model away; the coordinate-wise
// median of the six updates a round (at most three of them malicious) keeps it near the clean one,
// and so does quality weighting (the flipped updates point away from the median: weight 0).
TEST(FederatedDefects, SignFlippedUpdatesHurtFedAvgAndNotTheMedian) {
  TempDir dir;
  const std::string flip = " --set defects.kind=sign_flip --set defects.magnitude=4";
  const std::string clean = run_sha(fedload_binary(), "", dir / "clean.h5");
  run_sha(fedload_binary(), flip, dir / "fedavg.h5");
  // a kind with fraction 0 makes nobody defective: the clean run, said so, no honest pooling
  EXPECT_EQ(run_sha(fedload_binary(), flip + " --set defects.fraction=0", dir / "zero.h5"), clean);
  EXPECT_TRUE(python_check({dir / "zero.h5"}, R"PY(
assert r['attrs']['defects'].startswith('none (defects.kind = sign_flip with defects.fraction = 0)'), r['attrs']['defects']
assert not np.any(r['tables']['evaluation']['client'] == -2) and 'honest_lstm_mape' not in r['attrs']
)PY"));
  run_sha(fedload_binary(), flip + " --set fl.strategy=median", dir / "median.h5");
  run_sha(fedload_binary(), flip + " --set fl.strategy=quality_weighted", dir / "quality.h5");
  EXPECT_TRUE(python_check({dir / "clean.h5", dir / "fedavg.h5", dir / "median.h5", dir / "quality.h5"}, R"PY(
clean, avg, med, qw = (fedload_h5.load(p) for p in sys.argv[1:5])
c, a, m, q = clean['attrs']['lstm_mape'], avg['attrs']['honest_lstm_mape'], med['attrs']['honest_lstm_mape'], qw['attrs']['honest_lstm_mape']
print(f'clean {c:.3f}  fedavg attacked {a:.3f}  median attacked {m:.3f}  quality_weighted attacked {q:.3f}')
assert a > 1.2 * c, (c, a)
assert m < 1.1 * c and m < a, (c, a, m)
assert q < 1.1 * c and q < a, (c, a, q)
# quality weighting gave the flipping clients no weight in any round
rc, bad = qw['tables']['round_clients'], set(np.flatnonzero(qw['tables']['clients']['defective']))
flipped = np.array([int(x) in bad for x in rc['client']])
assert flipped.any() and np.all(rc['coefficient'][flipped] == 0), rc['coefficient'][flipped]
assert np.all(rc['coefficient'][~flipped] > 0)
)PY"));
}

TEST(FederatedDefects, SettingsThatCannotMeanAnythingAreRefused) {
  TempDir dir;
  const auto out = dir / "bad.h5";
  const std::vector<std::string> bad = {
      " --set defects.kind=noise --set defects.fraction=0.01",  // rounds to no client of 12
      " --set defects.kind=random --set defects.magnitude=1.5",  // a load could turn negative
      " --set defects.kind=scaling --set defects.magnitude=-1",  // and here it is zero
      " --set defects.kind=ramp --set defects.coverage=0",
      " --set defects.kind=sign_flip --set defects.magnitude=-2",
      " --set defects.kind=sign_flip --set fl.mode=centralized",  // no update is sent
      " --set defects.kind=pulse"};
  for (const auto& args : bad) {
    const auto r = run_process(fedload_binary() + " run" + kSmall + args + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("defects."), std::string::npos) << args << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
}

// A data attack applies to the centralized baseline too: it trains on the pooled (attacked)
// windows, and its metrics have the honest pooling.
TEST(FederatedDefects, CentralizedTrainingSeesTheAttackedData) {
  TempDir dir;
  const auto out = dir / "cl.h5";
  const auto r = run_process(fedload_binary() + " run" + kSmall +
                             " --set fl.mode=centralized --set train.epochs=2 --set data.val_days=3"
                             " --set defects.kind=scaling --set defects.coverage=0.5 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // the summary's metric table stays fixed-width with the honest rows ("naive_weekly honest")
  const std::size_t head = r.out.find("  method ");
  ASSERT_NE(head, std::string::npos) << r.out;
  const std::size_t line_start = r.out.rfind('\n', head) + 1;
  const std::size_t mape_end = r.out.find("MAPE %", head) + 6 - line_start;  // column after "MAPE %"
  std::size_t rows = 0, honest = 0;
  for (std::size_t at = r.out.find('\n', head) + 1; at < r.out.size();) {
    const std::size_t end = r.out.find('\n', at);
    const std::string line = r.out.substr(at, end - at);
    if (line.starts_with("result:")) break;
    ++rows;
    honest += line.find(" honest") != std::string::npos ? 1 : 0;
    EXPECT_TRUE(line.size() > mape_end && std::isdigit(static_cast<unsigned char>(line[mape_end - 1])) &&
                line[mape_end] == ' ')
        << "MAPE not in the header's column (" << mape_end << "):\n" << line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  EXPECT_EQ(rows, 8u) << r.out;  // four methods, each pooled over all and over the honest clients
  EXPECT_EQ(honest, 4u) << r.out;
  EXPECT_TRUE(python_check({out}, R"PY(
c = r['tables']['clients']
assert c['defective'].sum() == 3 and (c['attacked_steps'] > 0).sum() == 3
m = r['tables']['metrics']
assert set(m['client'][m['client'] < 0]) == {-1, -2}
)PY"));
}

}  // namespace
}  // namespace fedload
