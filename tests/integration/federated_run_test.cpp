// The federated runtime end to end: the global model is bitwise the same whatever the number
// of ranks and clients per rank (1, 2, 5, 17 ranks; server reserved or not), for every
// strategy; the result file's rounds, per-client records, evaluation, timing and final
// forecasts agree with each other; bad placement is an input error.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

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

// 12 clients, 3 rounds, half the clients per round, uneven local work (what FedNova corrects)
const std::string kSmall =
    " --set fl.mode=federated --set fl.clients=12 --set fl.rounds=3 --set fl.selection=fixed --set fl.fraction=0.5"
    " --set fl.work_variation=0.5 --set data.days=40 --set data.test_days=4 --set data.val_days=0"
    " --set model.hidden=8 --set train.batch_size=32 --set train.lr=0.01";

// runs and returns the final model's SHA-256 from `fedload report --json`
std::string run_sha(const std::string& launcher, const std::string& args, const std::filesystem::path& out) {
  return testing::run_final_sha(launcher, kSmall + args, out);
}

TEST(FederatedRun, GlobalModelIsBitwiseTheSameOnAnyNumberOfRanks) {
  TempDir dir;
  const std::string one = run_sha(fedload_binary(), "", dir / "p1.h5");
  EXPECT_EQ(run_sha(mpirun_command(2), "", dir / "p2.h5"), one);
  EXPECT_EQ(run_sha(mpirun_command(5), "", dir / "p5.h5"), one);
  EXPECT_EQ(run_sha(mpirun_command(5), " --set fl.server_hosts_clients=false", dir / "p5s.h5"), one);
  EXPECT_EQ(run_sha(mpirun_command(3), " --set fl.clients_per_rank=5", dir / "p3k.h5"), one);
  EXPECT_EQ(run_sha(mpirun_command(17), "", dir / "p17.h5"), one);  // 5 ranks host no client
}

TEST(FederatedRun, EveryStrategyIsPlacementIndependentAndTheyDiffer) {
  TempDir dir;
  std::map<std::string, std::string> sha;
  // median and trimmed_mean are not linear: every update is gathered to rank 0
  for (const std::string s : {"fedprox", "fednova", "mean", "median", "trimmed_mean", "quality_weighted"}) {
    const std::string args = " --set fl.strategy=" + s + " --set fl.prox_mu=0.1";
    sha[s] = run_sha(fedload_binary(), args, dir / (s + "1.h5"));
    EXPECT_EQ(run_sha(mpirun_command(4), args, dir / (s + "4.h5")), sha[s]) << s;
  }
  sha["fedavg"] = run_sha(fedload_binary(), "", dir / "fedavg.h5");
  EXPECT_NE(sha["fedavg"], sha["fedprox"]);
  EXPECT_NE(sha["fedavg"], sha["fednova"]);
  EXPECT_NE(sha["fedavg"], sha["median"]);
  EXPECT_NE(sha["median"], sha["trimmed_mean"]);
  EXPECT_NE(sha["median"], sha["quality_weighted"]);
  // the gathered path's provenance chain verifies like the linear one
  const auto v = run_process(fedload_binary() + " verify " + (dir / "median4.h5").string());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // synthetic clients all have the same number of training windows: FedAvg's weights are equal
  EXPECT_EQ(sha["fedavg"], sha["mean"]);
}

TEST(FederatedRun, FloatAggregationStaysCloseToTheExactModelButDependsOnThePlacement) {
  TempDir dir;
  const auto exact = dir / "exact.h5", one = dir / "float1.h5", three = dir / "float3.h5";
  run_sha(fedload_binary(), "", exact);
  const std::string f1 = run_sha(fedload_binary(), " --set fl.aggregation=float", one);
  const std::string f3 = run_sha(mpirun_command(3), " --set fl.aggregation=float", three);
  EXPECT_EQ(run_sha(fedload_binary(), " --set fl.aggregation=float", dir / "again.h5"), f1);  // same placement
  EXPECT_NE(f1, report_json_field(exact, "final_model_sha256"));  // float32 rounding differs
  EXPECT_NE(f1, f3);                                               // and the placement shows
  EXPECT_TRUE(python_check({exact, one, three}, R"PY(
fa, fb, fc = (fedload_h5.load(p) for p in sys.argv[1:4])
a, b, c = (f['arrays']['model/final'] for f in (fa, fb, fc))
assert np.allclose(a, b, rtol=1e-3, atol=1e-5) and np.allclose(a, c, rtol=1e-3, atol=1e-5), (abs(a - b).max(), abs(a - c).max())
assert 'exact' in fa['attrs']['aggregation'] and 'float' in fb['attrs']['aggregation'], fb['attrs']['aggregation']
)PY"));
}

// fl.aggregation = "paillier": the exact path's integers summed on Paillier ciphertexts, so the
// same model bit for bit as the exact path in one process; the server (rank 0) hosts no client
// and never holds the key; the file says how it was aggregated.
TEST(FederatedRun, PaillierAggregationGivesTheExactModelWithoutAKeyOnTheServer) {
  TempDir dir;
  const std::string he = " --set fl.aggregation=paillier --set fl.server_hosts_clients=false";
  const std::string exact = run_sha(fedload_binary(), "", dir / "exact.h5");
  EXPECT_EQ(run_sha(mpirun_command(3), he, dir / "he3.h5"), exact);
  EXPECT_EQ(run_sha(mpirun_command(2), he + " --set he.keys=seeded", dir / "he2.h5"), exact);
  EXPECT_NE(report_json_field(dir / "he3.h5", "aggregation").find("on ciphertexts: Paillier, 2048-bit n, keys from the OS"),
            std::string::npos);
  const auto v = run_process(fedload_binary() + " verify " + (dir / "he3.h5").string());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // a round of one client would decrypt that client's update: it trains nobody
  const auto one = run_process(mpirun_command(2) + " run" + kSmall + he + " --set fl.fraction=0.05 --set fl.rounds=1 --out " +
                               (dir / "one.h5").string());
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("round 1 trains nobody (paillier aggregates two clients or more)"), std::string::npos) << one.out;
  // refused: a strategy that gathers updates in the clear, a server that hosts clients (it would
  // hold the key), one process, a key below 2048 bits
  const std::vector<std::pair<std::string, std::string>> bad = {
      {mpirun_command(3), he + " --set fl.strategy=median"},
      {mpirun_command(3), " --set fl.aggregation=paillier"},
      {fedload_binary(), he},
      {mpirun_command(3), he + " --set he.key_bits=1024"}};
  for (const auto& [launcher, args] : bad) {
    const auto out = dir / "bad.h5";
    const auto r = run_process(launcher + " run" + kSmall + args + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
}

// dp.mode = "local": every update is clipped and noised on its client's rank from a stream of
// (seed, client, round), so the model is the same on any placement and differs from the
// noiseless one; each round's epsilon is that of the client with most releases so far (q = 1
// per release), recomputed here independently from round_clients with numpy.
TEST(FederatedRun, LocalDpNoisesEveryUpdateAndAccountsEpsilonPerRound) {
  TempDir dir;
  // seeded noise: reproducible (and NOT private); the default draws a secret seed from the OS
  const std::string dp =
      " --set dp.mode=local --set dp.noise=seeded --set dp.clip=0.5 --set dp.noise_multiplier=2 --set dp.delta=1e-6";
  const std::string one = run_sha(fedload_binary(), dp, dir / "dp1.h5");
  EXPECT_EQ(run_sha(mpirun_command(3), dp, dir / "dp3.h5"), one);
  EXPECT_NE(run_sha(fedload_binary(), "", dir / "plain.h5"), one);
  // noise is added before encryption: the encrypted sum of noised updates is the same model
  EXPECT_EQ(run_sha(mpirun_command(2), dp + " --set fl.aggregation=paillier --set fl.server_hosts_clients=false",
                    dir / "dp_he.h5"),
            one);
  EXPECT_TRUE(python_check({dir / "dp3.h5", dir / "plain.h5"}, R"PY(
z, delta = 2.0 / 2, 1e-6  # local: sensitivity 2C, so z/2 sensitivities of noise
orders = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + list(range(5, 65)) + [128, 256]
def eps(m):  # m composed Gaussian mechanisms, RDP m*a/(2 z^2), Balle et al. 2020 conversion
    return max(0.0, min(m * a / (2 * z * z) + math.log((a - 1) / a) - (math.log(delta) + math.log(a)) / (a - 1)
                        for a in orders))
rc, rounds = r['tables']['round_clients'], r['tables']['rounds']
counts, most = {}, []
for rnd in rounds['round']:
    for c in rc['client'][rc['round'] == rnd]:
        counts[int(c)] = counts.get(int(c), 0) + 1
    most.append(max(counts.values()))
want = np.array([eps(m) for m in most])
got = np.array(rounds['epsilon'])
assert np.allclose(got, want, rtol=1e-9, atol=0), (got, want, most)
assert np.all(np.diff(got) >= 0)
assert abs(r['attrs']['dp_epsilon'] - got[-1]) <= 1e-12 * got[-1], (r['attrs']['dp_epsilon'], got[-1])
assert int(r["attrs"]["dp_releases"]) == most[-1]
assert r['attrs']['dp'].startswith('local'), r['attrs']['dp']
assert np.all(np.isnan(fedload_h5.load(sys.argv[2])['tables']['rounds']['epsilon']))
# what a client's data says beyond its noised update stays with it
assert np.all(np.isnan(rc['train_loss'])) and np.all(np.isnan(rc['update_norm']))
)PY"));
  // the default noise is secret: the same config twice gives two models
  EXPECT_NE(run_sha(fedload_binary(), " --set dp.mode=local --set dp.noise_multiplier=2", dir / "os1.h5"),
            run_sha(fedload_binary(), " --set dp.mode=local --set dp.noise_multiplier=2", dir / "os2.h5"));
  EXPECT_NE(report_json_field(dir / "os1.h5", "dp").find("secret per-process seed drawn from the OS"),
            std::string::npos);
  const auto out = dir / "bad.h5";
  const auto bad = run_process(fedload_binary() + " run" + kSmall + " --set dp.mode=local --set dp.noise_multiplier=0 --out " +
                               out.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("dp.noise_multiplier > 0"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // a centralized run has no client updates to protect: refused, not silently ignored
  const auto cl = run_process(fedload_binary() + " run" + kSmall + " --set fl.mode=centralized --set dp.mode=local --out " +
                              out.string());
  EXPECT_EQ(cl.exit_code, 2) << cl.err;
  EXPECT_NE(cl.err.find("fl.mode = \"centralized\""), std::string::npos) << cl.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// dp.mode = "central": clients clip, the server averages over the fixed q N and adds one Gaussian
// draw per round; with every client in every round (q = 1) each round is one Gaussian mechanism
// for every client: epsilon after r rounds is r composed Gaussians, checked with numpy.
TEST(FederatedRun, CentralDpNoisesTheAggregateOnceARound) {
  TempDir dir;
  const std::string dp = " --set dp.mode=central --set dp.noise=seeded --set fl.strategy=mean --set fl.selection=all"
                         " --set dp.clip=0.5 --set dp.noise_multiplier=3";
  const std::string one = run_sha(fedload_binary(), dp, dir / "c1.h5");
  EXPECT_EQ(run_sha(mpirun_command(3), dp, dir / "c3.h5"), one);
  EXPECT_NE(run_sha(fedload_binary(), " --set fl.strategy=mean --set fl.selection=all", dir / "plain.h5"), one);
  EXPECT_TRUE(python_check({dir / "c3.h5"}, R"PY(
z, delta = 3.0, 1e-5
orders = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + list(range(5, 65)) + [128, 256]
def eps(m):
    return max(0.0, min(m * a / (2 * z * z) + math.log((a - 1) / a) - (math.log(delta) + math.log(a)) / (a - 1)
                        for a in orders))
rounds = r['tables']['rounds']
want = np.array([eps(m) for m in rounds['round']])
assert np.allclose(rounds['epsilon'], want, rtol=1e-9, atol=0), (rounds['epsilon'], want)
assert r['attrs']['dp'].startswith('central'), r['attrs']['dp']
assert 'fixed denominator q N = 12' in r['attrs']['dp'], r['attrs']['dp']
)PY"));
}

// dp.mode = "central" with fl.selection = "fixed" (kSmall: K = 6 of N = 12 each round): the
// server divides by K and each round is the Gaussian on K of N clients drawn without
// replacement, accounted for replacing one client's data (sensitivity 2C: noise multiplier z/2)
// by Wang-Balle-Kasiviswanathan's Theorem 9 at integer orders, recomputed here with numpy.
// A strategy other than mean is still refused.
TEST(FederatedRun, CentralDpWithAFixedKAccountsSamplingWithoutReplacement) {
  TempDir dir;
  const std::string dp = " --set dp.mode=central --set dp.noise=seeded --set fl.strategy=mean"
                         " --set dp.clip=0.5 --set dp.noise_multiplier=3";
  const std::string one = run_sha(fedload_binary(), dp, dir / "w1.h5");
  EXPECT_EQ(run_sha(mpirun_command(3), dp, dir / "w3.h5"), one);
  EXPECT_NE(run_sha(fedload_binary(), " --set fl.strategy=mean", dir / "plain.h5"), one);
  EXPECT_TRUE(python_check({dir / "w3.h5"}, R"PY(
z, delta, n, k = 3.0 / 2, 1e-5, 12, 6  # replace-one: sensitivity 2C, so z/2 sensitivities of noise
g = k / n
orders = list(range(2, 65)) + [128, 256]  # the bound holds at integer orders only
def rdp(a):  # one round: Theorem 9 with eps(j) = j/(2 z^2), capped by the plain Gaussian
    lb = lambda j: math.lgamma(a + 1) - math.lgamma(j + 1) - math.lgamma(a - j + 1)
    e2 = 1 / (z * z)
    t = [0.0, 2 * math.log(g) + lb(2) + min(math.log(4 * math.expm1(e2)), math.log(2) + e2)]
    t += [math.log(2) + j * math.log(g) + lb(j) + (j - 1) * j / (2 * z * z) for j in range(3, a + 1)]
    return min(np.logaddexp.reduce(t) / (a - 1), a / (2 * z * z))
one = {a: rdp(a) for a in orders}
def eps(m):
    return max(0.0, min(m * one[a] + math.log((a - 1) / a) - (math.log(delta) + math.log(a)) / (a - 1)
                        for a in orders))
rounds = r['tables']['rounds']
want = np.array([eps(m) for m in rounds['round']])
assert np.allclose(rounds['epsilon'], want, rtol=1e-9, atol=0), (rounds['epsilon'], want)
assert np.all(np.diff(want) > 0), want
assert abs(r['attrs']['dp_epsilon'] - want[-1]) <= 1e-9 * want[-1], (r['attrs']['dp_epsilon'], want[-1])
d = r['attrs']['dp']
assert 'fixed denominator K = 6' in d and 'without replacement' in d and '(q = 0.5)' in d, d
rc = r['tables']['round_clients']
assert all(np.sum(rc['round'] == rnd) == k for rnd in rounds['round'])
)PY"));
  // refused: fedavg's and median's weights let one client move the aggregate more than C/K
  for (const std::string bad : {" --set dp.mode=central", " --set dp.mode=central --set fl.strategy=median"}) {
    const auto out = dir / "bad.h5";
    const auto r = run_process(fedload_binary() + " run" + kSmall + bad + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("fl.strategy = \"mean\""), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << bad;
  }
}

TEST(FederatedRun, ResultFileRecordsRoundsClientsEvaluationAndTiming) {
  TempDir dir;
  const auto out = dir / "f.h5";
  const auto r = run_process(mpirun_command(3) + " run" + kSmall + " --set fl.strategy=fednova --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("round    3/3"), std::string::npos) << r.out;
  // the report says where the time went, per phase, over the three ranks
  const auto rep = run_process(fedload_binary() + " report " + out.string());
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const auto timing = rep.out.find("timing (timing table");
  ASSERT_NE(timing, std::string::npos) << rep.out;
  for (const char* phase : {"local_train", "communicate", "aggregate", "evaluate"})
    EXPECT_NE(rep.out.find(phase, timing), std::string::npos) << phase;
  // the plotting script draws the run's rounds
  const auto png = dir / "rounds.png";
  const auto plot = run_process(std::string(FEDLOAD_SYSTEM_PYTHON) + " " + FEDLOAD_SOURCE_DIR +
                                "/analysis/plot_rounds.py " + png.string() + " " + out.string());
  EXPECT_EQ(plot.exit_code, 0) << plot.err;
  EXPECT_GT(std::filesystem::exists(png) ? std::filesystem::file_size(png) : 0u, 10000u);
  EXPECT_TRUE(python_check({out}, R"PY(
assert r['complete'], r['status']
a, t, arr = r['attrs'], r['tables'], r['arrays']
assert a['strategy'] == 'fednova' and int(a['clients']) == 12 and int(a['rounds']) == 3
rounds, rc, ev, tm, cl = t['rounds'], t['round_clients'], t['evaluation'], t['timing'], t['clients']
assert list(rounds['round']) == [1, 2, 3]
assert list(rounds['selected']) == [6, 6, 6]
assert len(rc['round']) == 18
# placement: 12 clients on 3 ranks, 4 each, recorded in both tables
assert list(cl['client']) == list(range(12)) and list(cl['rank']) == [0]*4 + [1]*4 + [2]*4
for i in range(len(rc['round'])):
    assert rc['rank'][i] == rc['client'][i] // 4
# uneven local work: FedNova's coefficients c_i = tau_eff p_i / tau_i
for k in (1, 2, 3):
    m = rc['round'] == k
    n, tau, c = rc['samples'][m], rc['local_steps'][m].astype(float), rc['coefficient'][m]
    assert len(set(tau)) > 1, tau
    p = n / n.sum()
    teff = (p * tau).sum()
    assert np.allclose(c, teff * p / tau, rtol=1e-12), (c, teff * p / tau)
# the last round's pooled evaluation equals the final lstm metrics (same model, same days)
last = ev['client'] == -1
assert ev['round'][last].tolist() == [1, 2, 3]
met = t['metrics']
lstm = [i for i in range(len(met['client'])) if met['method'][i] == 'lstm' and met['client'][i] == -1][0]
assert math.isclose(rounds['mape'][-1], met['mape'][lstm], rel_tol=1e-9), (rounds['mape'][-1], met['mape'][lstm])
assert math.isclose(rounds['mape'][-1], float(a['lstm_mape']), rel_tol=1e-9)
# per-round, per-rank, per-phase timing
for k in (1, 2, 3):
    ranks = set(tm['rank'][tm['round'] == k].tolist())
    assert ranks == {0, 1, 2}, ranks
phases = set(tm['phase'][tm['round'] == 2].tolist())
for p in ('local_train', 'communicate', 'aggregate', 'evaluate', 'write'):
    assert p in phases, (p, phases)
comm = (tm['phase'] == 'communicate') & (tm['rank'] == 1)
assert tm['bytes_sent'][comm].sum() > 0
# the model in the file is the one hashed, and every client has 4 test days of forecasts
import hashlib
assert hashlib.sha256(arr['model/final'].astype('<f4').tobytes()).hexdigest() == a['final_model_sha256']
assert arr['forecast/actual'].shape[0] == 12 * 4
)PY"));
}

TEST(FederatedRun, PlacementThatNeedsMoreRanksIsAnInputError) {
  TempDir dir;
  const auto out = dir / "x.h5";
  const auto r =
      run_process(mpirun_command(2) + " run" + kSmall + " --set fl.clients_per_rank=2 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("clients_per_rank"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace fedload
