// fedload_bench_aggregate: what fedload's aggregation paths (exact int64, float32) cost against
// plain MPI, in the same run. One round's communication for a model of n float32 parameters, on the
// ranks the program is started with (every rank one client; (a)-(e) take its update already
// weighted, (f) weights it inside the round):
//   (a) raw_float32    MPI_Reduce(float, SUM) of the update to rank 0, rank 0 adds it to the
//                      global model, MPI_Bcast of the new model
//   (b) fedload_int64  fedload's path: max |update| (Transport::allreduce_max) -> scale exponent
//                      -> update to int64 fixed point (fl::encode_fixed: one client per rank) ->
//                      Transport::reduce_sum of int64 -> back to float on rank 0
//                      (fl::fixed_to_float) -> Transport::broadcast of the new model
//   (c) raw_int64      MPI_Reduce(int64, SUM) of the same fixed-point values and MPI_Bcast of a
//                      float32 model: (a) with twice the reduced bytes and no conversion, so
//                      (c) - (a) is the wire cost of int64 and (b) - (c) the cost of the exponent,
//                      the two conversions and the Transport layer
//   (d) fedload_chunked (b) in chunks of --chunk parameters: encode chunk k, reduce it, rank 0
//                      converts it back, then chunk k + 1 (the other ranks encode chunk k + 1
//                      while rank 0 converts chunk k back, and a chunk is still in cache when it is
//                      reduced); one broadcast at the end. Blocking calls only: the runtime does
//                      not do this (bench/README.md says what it would take)
//   (e) raw_float32_chunked (a) in the same chunks: what chunking alone does to MPI's reduction,
//                      so that (d) is compared with (e) like (b) with (a)
//   (f) fedload_float32 fedload's fl.aggregation = "float" path: the rank's FedAvg coefficient
//                      times its unweighted update in float32 (one pass, inside the round) ->
//                      Transport::reduce_sum of float32 -> rank 0 adds the sum to the global model
//                      -> Transport::broadcast; the same bytes as (a), so (f)/(a) - 1 is what
//                      fedload's float path adds to a raw reduce
//   (a2) raw_float32_fresh (a) from a send buffer rewritten before every round (untimed, before
//                      the barrier), like an update that local training has just written; (f)'s
//                      input Δ gets the same untimed rewrite, so (f)/(a2) - 1 compares the two
//                      from the same cache state. (a) keeps a buffer written once, at set-up
//   (a3) raw_fedavg_float32 (f)'s round by hand: the same timed weighting pass (the same code),
//                      then MPI_Reduce of partial + add + MPI_Bcast on the raw communicator, so
//                      (f)/(a3) - 1 is what the Transport adds to the same FedAvg round
//   (f2) fedload_float32_preweighted (f) with its weighting pass moved before the barrier
//                      (untimed): Transport::reduce_sum + add + Transport::broadcast only, the
//                      work (a2) does, so (f2)/(a2) - 1 isolates the Transport
// For (b), (f), (a3) and (f2), rank 0's own time in each of their phases is reported too.
// Every size is checked before it is timed: (b) against the exactly known sum (every rank's input
// is a pure function of (rank, index), so rank 0 recomputes it in double), (a) within float32
// summation error ((a2) and (e) too, and (f), (a3), (f2) with one more rounding per term: the weighting),
// (c)'s int64 sum bitwise equal to (b)'s, (d)'s model bitwise equal to (b)'s, and every rank's
// received model bitwise equal to rank 0's. A size that fails is not timed. Time of a round = max over ranks;
// median and [min, max] over repetitions; formulas in bench/README.md ("Aggregation").
//
//   mpirun -np P fedload_bench_aggregate [--sizes 10000,100000,1000000,10000000] [--reps 25]
//                                        [--warmup 3] [--chunk 131072] [--json FILE]
//                                        [--variants LIST | --order LIST] [--raw-comm bench|transport]
// --variants times only the named variants (in the order above), --order times the named ones in the
// order given; every variant is still checked. --raw-comm transport runs (a3)'s MPI_Reduce/MPI_Bcast
// on the Transport's own communicator instead of the bench's duplicate of MPI_COMM_WORLD.
#include <mpi.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fedload/comm/mpi_session.hpp"
#include "fedload/comm/mpi_transport.hpp"
#include "fedload/comm/mpi_transport_comm.hpp"
#include "fedload/core/build_info.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/rng.hpp"
#include "fedload/fl/exact_sum.hpp"

namespace {

using namespace fedload;

constexpr int kRoot = 0;
constexpr std::uint64_t kSeed = 0x5eed'a66e'0000'0001;
constexpr int kVariants = 9;
const char* const kVariantNames[kVariants] = {"raw_float32",        "fedload_int64",   "raw_int64",
                                              "fedload_chunked",    "raw_f32_chunked", "fedload_float32",
                                              "raw_float32_fresh",  "raw_fedavg_float32",
                                              "fedload_float32_preweighted"};
constexpr int kInt64 = 1, kFloat32 = 5;  // the runtime's two paths, (b) and (f)
constexpr int kRawFresh = 6;              // (a2), the baseline for (f) from the same cache state
constexpr int kRawFedavg = 7;             // (a3), (f)'s round in raw MPI
constexpr int kPreweighted = 8;           // (f2), (f) weighted before the barrier
// the phases of (b), (f), (a3) and (f2), timed on every rank (rank 0's are reported); other variants have none
constexpr int kMaxPhases = 5;
const char* const kInt64Phases[] = {"exponent", "to_fixed", "reduce_sum", "to_float", "broadcast"};
const char* const kFloat32Phases[] = {"weight", "reduce_sum", "add", "broadcast"};
const char* const kPreweightedPhases[] = {"reduce_sum", "add", "broadcast"};
std::span<const char* const> phase_names(int variant) {
  if (variant == kInt64) return kInt64Phases;
  if (variant == kFloat32 || variant == kRawFedavg) return kFloat32Phases;
  if (variant == kPreweighted) return kPreweightedPhases;
  return {};
}

// Raw MPI calls run on a communicator with MPI_ERRORS_RETURN and are checked like the
// transport's: a failure names the call, rank and host, and main ends the job.
struct Where {
  int rank = 0;
  std::string host;
} g_where;

void mpi_checked(int code, const char* call) {
  if (code != MPI_SUCCESS) comm::detail::throw_mpi_error(code, call, g_where.rank, g_where.host);
}
#define BENCH_MPI_CHECK(call) mpi_checked((call), #call)

struct Options {
  std::vector<std::size_t> sizes{10'000, 100'000, 1'000'000, 10'000'000};
  int reps = 25, warmup = 3;
  std::size_t chunk = 131072;  // (d)'s chunk: 1 MiB of int64
  std::string json;
  // the variants timed, in the order they run within a repetition (every variant is still checked)
  std::vector<int> order{0, 1, 2, 3, 4, 5, 6, 7, 8};
  bool a3_on_transport_comm = false;  // --raw-comm transport: (a3) on the Transport's communicator
};

// "raw_fedavg_float32,fedload_float32" -> variant indices, in the order given
std::vector<int> variant_list(const std::string& flag, const std::string& list) {
  std::vector<int> out;
  for (std::size_t start = 0; start <= list.size();) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, end - start);
    const auto* it = std::find(kVariantNames, kVariantNames + kVariants, name);
    if (it == kVariantNames + kVariants) throw_input_error("{}: unknown variant '{}'", flag, name);
    const int v = static_cast<int>(it - kVariantNames);
    if (std::find(out.begin(), out.end(), v) != out.end()) throw_input_error("{}: variant '{}' twice", flag, name);
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw_input_error("{} needs a value", argv[i]);
    return argv[++i];
  };
  auto positive = [](const std::string& flag, const std::string& text) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || v <= 0) throw_input_error("{} {}: expected a positive integer", flag, text);
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sizes") {
      o.sizes.clear();
      const std::string list = value(i);
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        const auto n = positive("--sizes", list.substr(start, end - start));
        if (n > INT_MAX) throw_input_error("--sizes: {} parameters exceed one MPI call's int count", n);
        o.sizes.push_back(static_cast<std::size_t>(n));
        start = end + 1;
      }
    } else if (a == "--reps") {
      o.reps = static_cast<int>(std::min<long long>(positive(a, value(i)), 100000));
    } else if (a == "--warmup") {
      const std::string v = value(i);
      o.warmup = v == "0" ? 0 : static_cast<int>(std::min<long long>(positive(a, v), 1000));
    } else if (a == "--chunk") {
      o.chunk = static_cast<std::size_t>(std::min<long long>(positive(a, value(i)), INT_MAX));
    } else if (a == "--json") {
      o.json = value(i);
    } else if (a == "--order") {
      o.order = variant_list(a, value(i));
    } else if (a == "--variants") {
      o.order = variant_list(a, value(i));
      std::sort(o.order.begin(), o.order.end());
    } else if (a == "--raw-comm") {
      const std::string v = value(i);
      if (v != "bench" && v != "transport") throw_input_error("--raw-comm {}: expected bench or transport", v);
      o.a3_on_transport_comm = v == "transport";
    } else {
      throw_input_error("unknown argument {} (usage: fedload_bench_aggregate [--sizes N,N,...] [--reps R] "
                        "[--warmup W] [--chunk N] [--json FILE] [--variants LIST | --order LIST] "
                        "[--raw-comm bench|transport])", a);
    }
  }
  return o;
}

// uniform in [-0.01, 0.01), a pure function of (rank, j)
double update_draw(int rank, std::size_t j) {
  const std::uint64_t h = mix64(kSeed ^ (static_cast<std::uint64_t>(rank + 1) << 40) ^ j);
  return (static_cast<double>(h >> 11) * 0x1.0p-53 - 0.5) * 0.02;
}

// Rank r's update element j, already weighted by 1/P ((a)-(e)).
float update_value(int rank, std::size_t j, int ranks) { return static_cast<float>(update_draw(rank, j) / ranks); }

// Rank r's unweighted update element j ((f) weights it in the round).
float delta_value(int rank, std::size_t j) { return static_cast<float>(update_draw(rank, j)); }

// (f)'s FedAvg coefficient of every rank: equal client sizes, so 1/P, rounded to float32 as the
// runtime does (static_cast<float> of the strategy's double)
float float_coefficient(int ranks) { return static_cast<float>(1.0 / ranks); }

// The global model before the round, the same on every rank: uniform in [-1, 1).
float global_value(std::size_t j) {
  const std::uint64_t h = mix64(kSeed ^ j);
  return static_cast<float>(static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0);
}

std::uint64_t fnv1a(const std::vector<float>& v) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// One round of each variant over buffers allocated once (set-up stays out of the timed region).
class AggregationRound {
 public:
  AggregationRound(comm::Transport& transport, MPI_Comm raw, MPI_Comm a3_comm, std::size_t n, std::size_t chunk)
      : t_(transport), raw_(raw), a3_comm_(a3_comm), n_(n), chunk_(chunk), root_(transport.rank() == kRoot), update_(n), global_(n), model_(n),
        delta_(n), partial_(n), acc_(n), fresh_(n), sum_float_(root_ ? n : 0), sum_int_(root_ ? n : 0),
        coefficient_(float_coefficient(transport.size())) {
    for (std::size_t j = 0; j < n; ++j) {
      update_[j] = update_value(t_.rank(), j, t_.size());
      delta_[j] = delta_value(t_.rank(), j);
      global_[j] = global_value(j);
    }
    update_source_ = update_;
    delta_source_ = delta_;
    fresh_ = update_;
  }

  // untimed, before the barrier that starts a round: (a2)'s send buffer and (f)'s Δ are written
  // anew, as local training writes a new update every round (the same values each time, so the
  // check holds for every round)
  void prepare(int variant) {
    if (variant == kRawFresh) std::copy(update_source_.begin(), update_source_.end(), fresh_.begin());
    if (variant == kFloat32 || variant == kRawFedavg)
      std::copy(delta_source_.begin(), delta_source_.end(), delta_.begin());
    // (f2): Δ rewritten and weighted here, untimed, so its round starts from a written partial
    if (variant == kPreweighted) {
      std::copy(delta_source_.begin(), delta_source_.end(), delta_.begin());
      weight();
    }
  }

  void run(int variant) {
    if (variant == 0) raw_float32();
    if (variant == 1) fedload_int64();
    if (variant == 2) raw_int64();
    if (variant == 3) fedload_chunked();
    if (variant == 4) raw_float32_chunked();
    if (variant == 5) fedload_float32();
    if (variant == 6) raw_float32_fresh();
    if (variant == 7) raw_fedavg_float32();
    if (variant == 8) fedload_float32_preweighted();
  }

  const std::vector<float>& model() const { return model_; }
  const std::vector<std::int64_t>& int_sum() const { return sum_int_; }

 private:
  void raw_float32() {
    BENCH_MPI_CHECK(
        MPI_Reduce(update_.data(), sum_float_.data(), static_cast<int>(n_), MPI_FLOAT, MPI_SUM, kRoot, raw_));
    if (root_)
      for (std::size_t j = 0; j < n_; ++j) model_[j] = global_[j] + sum_float_[j];
    BENCH_MPI_CHECK(MPI_Bcast(model_.data(), static_cast<int>(n_), MPI_FLOAT, kRoot, raw_));
  }

  // (a) over the buffer prepare() has just rewritten
  void raw_float32_fresh() {
    BENCH_MPI_CHECK(
        MPI_Reduce(fresh_.data(), sum_float_.data(), static_cast<int>(n_), MPI_FLOAT, MPI_SUM, kRoot, raw_));
    if (root_)
      for (std::size_t j = 0; j < n_; ++j) model_[j] = global_[j] + sum_float_[j];
    BENCH_MPI_CHECK(MPI_Bcast(model_.data(), static_cast<int>(n_), MPI_FLOAT, kRoot, raw_));
  }

  // the runtime's path: the exponent must be the same on every rank, so it comes from the
  // max over ranks (exact in any order) times the number of clients
  void fedload_int64() {
    double stamp[std::size(kInt64Phases) + 1];
    stamp[0] = MPI_Wtime();
    exponent_ = common_exponent();
    stamp[1] = MPI_Wtime();
    fl::encode_fixed(1.0, update_, exponent_, acc_);
    stamp[2] = MPI_Wtime();
    t_.reduce_sum(comm::const_buffer_of(std::span<const std::int64_t>(acc_)),
                  comm::buffer_of(std::span<std::int64_t>(sum_int_)), kRoot);
    stamp[3] = MPI_Wtime();
    if (root_) fl::fixed_to_float(sum_int_, exponent_, global_, model_);
    stamp[4] = MPI_Wtime();
    t_.broadcast(comm::buffer_of(std::span<float>(model_)), kRoot);
    stamp[5] = MPI_Wtime();
    for (std::size_t p = 0; p < std::size(kInt64Phases); ++p) phase_seconds_[kInt64][p] = stamp[p + 1] - stamp[p];
  }

  // the runtime's fl.aggregation = "float" path with one client per rank: the weighting writes
  // the rank's partial sum directly (the runtime zero-fills it and adds, a pass more per round),
  // then the same reduce and broadcast as (a), through the Transport
  void fedload_float32() {
    double stamp[std::size(kFloat32Phases) + 1];
    stamp[0] = MPI_Wtime();
    weight();
    stamp[1] = MPI_Wtime();
    t_.reduce_sum(comm::const_buffer_of(std::span<const float>(partial_)),
                  comm::buffer_of(std::span<float>(sum_float_)), kRoot);
    stamp[2] = MPI_Wtime();
    if (root_)
      for (std::size_t j = 0; j < n_; ++j) model_[j] = global_[j] + sum_float_[j];
    stamp[3] = MPI_Wtime();
    t_.broadcast(comm::buffer_of(std::span<float>(model_)), kRoot);
    stamp[4] = MPI_Wtime();
    for (std::size_t p = 0; p < std::size(kFloat32Phases); ++p) phase_seconds_[kFloat32][p] = stamp[p + 1] - stamp[p];
  }

  // (f)'s, (a3)'s and (f2)'s weighting pass: the rank's FedAvg term written into partial_
  void weight() {
    const float c = coefficient_;
    for (std::size_t j = 0; j < n_; ++j) partial_[j] = c * delta_[j];
  }

  // (f) with raw MPI in place of the Transport: the same pass, reduce, add and broadcast
  void raw_fedavg_float32() {
    double stamp[std::size(kFloat32Phases) + 1];
    stamp[0] = MPI_Wtime();
    weight();
    stamp[1] = MPI_Wtime();
    BENCH_MPI_CHECK(
        MPI_Reduce(partial_.data(), sum_float_.data(), static_cast<int>(n_), MPI_FLOAT, MPI_SUM, kRoot, a3_comm_));
    stamp[2] = MPI_Wtime();
    if (root_)
      for (std::size_t j = 0; j < n_; ++j) model_[j] = global_[j] + sum_float_[j];
    stamp[3] = MPI_Wtime();
    BENCH_MPI_CHECK(MPI_Bcast(model_.data(), static_cast<int>(n_), MPI_FLOAT, kRoot, a3_comm_));
    stamp[4] = MPI_Wtime();
    for (std::size_t p = 0; p < std::size(kFloat32Phases); ++p) phase_seconds_[kRawFedavg][p] = stamp[p + 1] - stamp[p];
  }

  // (f) after prepare() has weighted: the Transport's reduce, the add, the Transport's broadcast
  void fedload_float32_preweighted() {
    double stamp[std::size(kPreweightedPhases) + 1];
    stamp[0] = MPI_Wtime();
    t_.reduce_sum(comm::const_buffer_of(std::span<const float>(partial_)),
                  comm::buffer_of(std::span<float>(sum_float_)), kRoot);
    stamp[1] = MPI_Wtime();
    if (root_)
      for (std::size_t j = 0; j < n_; ++j) model_[j] = global_[j] + sum_float_[j];
    stamp[2] = MPI_Wtime();
    t_.broadcast(comm::buffer_of(std::span<float>(model_)), kRoot);
    stamp[3] = MPI_Wtime();
    for (std::size_t p = 0; p < std::size(kPreweightedPhases); ++p)
      phase_seconds_[kPreweighted][p] = stamp[p + 1] - stamp[p];
  }

  int common_exponent() {
    double bound = fl::fixed_point_term_bound(1.0, update_);
    t_.allreduce_max({&bound, 1, comm::DataType::kFloat64});
    return fl::fixed_point_exponent(bound * t_.size());
  }

  void fedload_chunked() {
    exponent_ = common_exponent();
    const std::span<const float> update(update_), global(global_);
    const std::span<std::int64_t> acc(acc_), sum(sum_int_);
    const std::span<float> model(model_);
    for (std::size_t off = 0; off < n_; off += chunk_) {
      const std::size_t m = std::min(chunk_, n_ - off);
      fl::encode_fixed(1.0, update.subspan(off, m), exponent_, acc.subspan(off, m));
      t_.reduce_sum(comm::const_buffer_of(std::span<const std::int64_t>(acc.subspan(off, m))),
                    comm::buffer_of(root_ ? sum.subspan(off, m) : sum), kRoot);
      if (root_) fl::fixed_to_float(sum.subspan(off, m), exponent_, global.subspan(off, m), model.subspan(off, m));
    }
    t_.broadcast(comm::buffer_of(model), kRoot);
  }

  void raw_float32_chunked() {
    for (std::size_t off = 0; off < n_; off += chunk_) {
      const std::size_t m = std::min(chunk_, n_ - off);
      BENCH_MPI_CHECK(MPI_Reduce(update_.data() + off, root_ ? sum_float_.data() + off : nullptr, static_cast<int>(m),
                                 MPI_FLOAT, MPI_SUM, kRoot, raw_));
      if (root_)
        for (std::size_t j = off; j < off + m; ++j) model_[j] = global_[j] + sum_float_[j];
    }
    BENCH_MPI_CHECK(MPI_Bcast(model_.data(), static_cast<int>(n_), MPI_FLOAT, kRoot, raw_));
  }

  // the same int64 bytes as (b) (acc_ from its last run) through raw MPI; no conversion: the
  // model rank 0 broadcasts is the one it holds
  void raw_int64() {
    BENCH_MPI_CHECK(
        MPI_Reduce(acc_.data(), sum_int_.data(), static_cast<int>(n_), MPI_INT64_T, MPI_SUM, kRoot, raw_));
    BENCH_MPI_CHECK(MPI_Bcast(model_.data(), static_cast<int>(n_), MPI_FLOAT, kRoot, raw_));
  }

 public:
  // this rank's seconds in each phase (phase_names(variant)) of the variant's last round
  const double* phase_seconds(int variant) const { return phase_seconds_[variant]; }

 private:

  comm::Transport& t_;
  MPI_Comm raw_;
  MPI_Comm a3_comm_;  // raw_, or the Transport's own communicator (--raw-comm transport)
  std::size_t n_, chunk_;
  bool root_;
  std::vector<float> update_, global_, model_, delta_, partial_;
  std::vector<std::int64_t> acc_;
  std::vector<float> fresh_, update_source_, delta_source_;  // (a2)'s send buffer; what prepare() copies
  std::vector<float> sum_float_;
  std::vector<std::int64_t> sum_int_;
  float coefficient_;
  int exponent_ = 0;
  double phase_seconds_[kVariants][kMaxPhases] = {};
};

// |got - want| <= atol + rtol * |want| element by element; the worst element, where, and how many fail.
struct Check {
  std::size_t wrong = 0, worst_at = 0;
  double worst_ratio = 0, worst_got = 0, worst_want = 0;
  void element(std::size_t j, double got, double want, double atol, double rtol) {
    const double ratio = std::fabs(got - want) / (atol + rtol * std::fabs(want));
    if (!(ratio <= 1.0)) ++wrong;
    if (!(ratio <= worst_ratio)) {
      worst_ratio = ratio, worst_at = j, worst_got = got, worst_want = want;
    }
  }
};

struct CheckResult {
  std::uint64_t wrong[kVariants] = {};
  std::string detail;  // rank 0 only: worst element of each variant
  bool ok() const { return std::all_of(wrong, wrong + kVariants, [](std::uint64_t w) { return w == 0; }); }
};

// One round of each variant, compared with the exactly known result (rank 0) and with rank 0's
// model (every other rank).
CheckResult check_round(AggregationRound& round, comm::Transport& t, MPI_Comm raw, std::size_t n) {
  const int P = t.size();
  std::vector<std::vector<float>> models;
  std::uint64_t hashes[kVariants];
  std::vector<std::int64_t> int_sum_b, int_sum_c;
  for (int v = 0; v < kVariants; ++v) {
    round.prepare(v);
    round.run(v);
    hashes[v] = fnv1a(round.model());
    if (t.rank() == kRoot) models.push_back(round.model());
    if (v == 1) int_sum_b = round.int_sum();
    if (v == 2) int_sum_c = round.int_sum();
  }
  CheckResult r;
  // every rank holds rank 0's model after the broadcast
  std::uint64_t root_hashes[kVariants];
  std::copy(hashes, hashes + kVariants, root_hashes);
  BENCH_MPI_CHECK(MPI_Bcast(root_hashes, kVariants, MPI_UINT64_T, kRoot, raw));
  std::uint64_t ranks_wrong[kVariants];
  for (int v = 0; v < kVariants; ++v) ranks_wrong[v] = hashes[v] != root_hashes[v];
  BENCH_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, ranks_wrong, kVariants, MPI_UINT64_T, MPI_SUM, raw));

  if (t.rank() == kRoot) {
    Check a, a2, b, e, f, a3, f2;
    std::uint64_t c_wrong = 0, d_wrong = 0;
    const double coefficient = float_coefficient(P);
    for (std::size_t j = 0; j < n; ++j) {
      const double g = global_value(j);
      double sum = 0, sum_abs = std::fabs(g), sum_f = 0, sum_abs_f = std::fabs(g);
      for (int q = 0; q < P; ++q) {
        const double u = update_value(q, j, P);
        sum += u;
        sum_abs += std::fabs(u);
        // float32 times float32 is exact in double: (f)'s terms before its roundings
        const double term = coefficient * delta_value(q, j);
        sum_f += term;
        sum_abs_f += std::fabs(term);
      }
      const double want = g + sum;
      // float32 summation: P - 1 additions of partial sums <= sum_abs, then the global model
      a.element(j, models[0][j], want, P * sum_abs * 0x1.0p-24, 0x1.0p-23);
      e.element(j, models[4][j], want, P * sum_abs * 0x1.0p-24, 0x1.0p-23);
      a2.element(j, models[kRawFresh][j], want, P * sum_abs * 0x1.0p-24, 0x1.0p-23);
      // (f): the same, plus one rounding of each product c * delta to float32
      f.element(j, models[5][j], g + sum_f, (P + 1) * sum_abs_f * 0x1.0p-24, 0x1.0p-23);
      a3.element(j, models[kRawFedavg][j], g + sum_f, (P + 1) * sum_abs_f * 0x1.0p-24, 0x1.0p-23);
      f2.element(j, models[kPreweighted][j], g + sum_f, (P + 1) * sum_abs_f * 0x1.0p-24, 0x1.0p-23);
      // fixed point: exact to ~2^-60, then one rounding to float32
      b.element(j, models[1][j], want, 1e-12, 0x1.0p-23);
      // (c) reduces (b)'s fixed-point values: the same integers, bit for bit
      c_wrong += int_sum_c[j] != int_sum_b[j];
      // (d) sums and converts the same integers chunk by chunk: (b)'s model, bit for bit
      d_wrong += std::bit_cast<std::uint32_t>(models[3][j]) != std::bit_cast<std::uint32_t>(models[1][j]);
    }
    r.wrong[0] = a.wrong;
    r.wrong[1] = b.wrong;
    r.wrong[2] = c_wrong;
    r.wrong[3] = d_wrong;
    r.wrong[4] = e.wrong;
    r.wrong[5] = f.wrong;
    r.wrong[kRawFresh] = a2.wrong;
    r.wrong[kRawFedavg] = a3.wrong;
    r.wrong[kPreweighted] = f2.wrong;
    r.detail = fmt::format(
        "worst (a) {:.3g} of tolerance at {} ({} vs {}), (b) {:.3g} at {} ({} vs {}), (e) {:.3g}, (f) {:.3g} at {} "
        "({} vs {}), (a2) {:.3g}, (a3) {:.3g}, (f2) {:.3g}",
        a.worst_ratio, a.worst_at, a.worst_got, a.worst_want, b.worst_ratio, b.worst_at, b.worst_got, b.worst_want,
        e.worst_ratio, f.worst_ratio, f.worst_at, f.worst_got, f.worst_want, a2.worst_ratio, a3.worst_ratio,
        f2.worst_ratio);
  }
  for (int v = 0; v < kVariants; ++v) r.wrong[v] += ranks_wrong[v];
  BENCH_MPI_CHECK(MPI_Bcast(r.wrong, kVariants, MPI_UINT64_T, kRoot, raw));
  return r;
}

struct Stats {
  double median = 0, min = 0, max = 0;
};

Stats stats_of(std::vector<double> v) {
  if (v.empty()) return {NAN, NAN, NAN};
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return {v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]), v.front(), v.back()};
}

struct SizeResult {
  std::size_t params = 0;
  CheckResult check;
  std::vector<double> times[kVariants];              // max over ranks, per repetition (rank 0)
  std::vector<double> phases[kVariants][kMaxPhases];  // rank 0's own seconds in each phase, per repetition
  comm::TransferCounts counts[kVariants];             // one round of (b), (f), (f2): rank 0's logical bytes
};

// the median of a baseline variant; NaN when it was not run (--variants/--order) or the size failed
double baseline(const SizeResult& r, int v) { return r.check.ok() ? stats_of(r.times[v]).median : NAN; }

// a ratio for the JSON: null where a baseline was not run
std::string json_number(double x) { return std::isfinite(x) ? fmt::format("{:.6g}", x) : "null"; }

// warm-up, then every repetition times (a) to (f2) back to back, each from a barrier (each
// variant's untimed rewrite, prepare(), before it)
void time_rounds(AggregationRound& round, MPI_Comm raw, const Options& o, SizeResult& out) {
  for (int w = 0; w < o.warmup; ++w)
    for (int v : o.order) {
      round.prepare(v);
      round.run(v);
    }
  std::vector<double> local(static_cast<std::size_t>(kVariants * o.reps));
  for (int rep = 0; rep < o.reps; ++rep)
    for (int v : o.order) {
      round.prepare(v);
      BENCH_MPI_CHECK(MPI_Barrier(raw));
      const double start = MPI_Wtime();
      round.run(v);
      local[static_cast<std::size_t>(v * o.reps + rep)] = MPI_Wtime() - start;
      for (std::size_t p = 0; p < phase_names(v).size(); ++p) out.phases[v][p].push_back(round.phase_seconds(v)[p]);
    }
  std::vector<double> worst(local.size());
  BENCH_MPI_CHECK(
      MPI_Reduce(local.data(), worst.data(), static_cast<int>(local.size()), MPI_DOUBLE, MPI_MAX, kRoot, raw));
  for (int v : o.order)
    out.times[v].assign(worst.begin() + v * o.reps, worst.begin() + (v + 1) * o.reps);
}

// bytes the formula counts per round: the float32 update reduced plus the float32 model broadcast
double round_bytes(std::size_t n) { return 8.0 * static_cast<double>(n); }

void print_table(const std::vector<SizeResult>& results, int ranks, std::size_t hosts, const Options& o) {
  std::printf("fedload_bench_aggregate: %d ranks on %zu host(s), %d repetitions after %d warm-up, chunk %zu; "
              "time = max over ranks, ms; GB/s = 8 n / median; vs_(a2) = vs raw_float32_fresh\n",
              ranks, hosts, o.reps, o.warmup, o.chunk);
  std::string order;
  for (int v : o.order) {
    if (!order.empty()) order += ',';
    order += kVariantNames[v];
  }
  std::printf("order within a repetition: %s; (a3) on the %s communicator\n", order.c_str(),
              o.a3_on_transport_comm ? "Transport's" : "bench's");
  std::printf("%10s  %-27s %10s %10s %10s %8s %9s %9s %7s\n", "params", "variant", "median_ms", "min_ms", "max_ms",
              "GB/s", "vs_(a)", "vs_(a2)", "#wrong");
  bool all_ok = true;
  for (const auto& r : results) {
    all_ok = all_ok && r.check.ok();
    const double base = baseline(r, 0), base_fresh = baseline(r, kRawFresh);
    for (int v = 0; v < kVariants; ++v) {
      if (!r.check.ok()) {
        std::printf("%10zu  %-27s %10s %10s %10s %8s %9s %9s %7llu\n", r.params, kVariantNames[v], "-", "-", "-",
                    "-", "-", "-", static_cast<unsigned long long>(r.check.wrong[v]));
        continue;
      }
      if (r.times[v].empty()) continue;  // not in --variants/--order
      const Stats s = stats_of(r.times[v]);
      std::printf("%10zu  %-27s %10.3f %10.3f %10.3f %8.2f %+8.1f%% %+8.1f%% %7llu\n", r.params, kVariantNames[v],
                  s.median * 1e3, s.min * 1e3, s.max * 1e3, round_bytes(r.params) / s.median / 1e9,
                  (s.median / base - 1.0) * 100.0, (s.median / base_fresh - 1.0) * 100.0,
                  static_cast<unsigned long long>(r.check.wrong[v]));
    }
    if (!r.check.ok()) {
      std::printf("  FAILED at %zu params: %s\n", r.params, r.check.detail.c_str());
      continue;
    }
    for (int v : {kInt64, kFloat32, kRawFedavg, kPreweighted}) {
      if (r.times[v].empty()) continue;
      const char* label = v == kInt64 ? "(b) on rank 0" : v == kFloat32 ? "(f) on rank 0" : v == kRawFedavg ? "(a3) on rank 0" : "(f2) on rank 0";
      std::printf("%10zu  %-27s", r.params, label);
      for (std::size_t p = 0; p < phase_names(v).size(); ++p)
        std::printf(" %s %.3f", phase_names(v)[p], stats_of(r.phases[v][p]).median * 1e3);
      std::printf(" ms\n");
    }
  }
  std::printf("%s\n", all_ok ? "OK: every result checked before it was timed" : "FAILED");
}

void write_json(const std::string& path, const std::vector<SizeResult>& results, int ranks,
                const std::vector<std::string>& hosts, const Options& o) {
  std::ofstream out(path);
  if (!out) throw_runtime_error("--json {}: cannot open for writing", path);
  auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + '"';
  };
  out << "{\n  \"program\": \"fedload_bench_aggregate\",\n";
  out << "  \"git_commit\": " << quoted(build_info::git_commit) << ",\n";
  out << "  \"mpi_library\": " << quoted(comm::MpiSession::library_version()) << ",\n";
  out << "  \"ranks\": " << ranks << ",\n  \"hosts\": [";
  for (std::size_t i = 0; i < hosts.size(); ++i) out << (i ? ", " : "") << quoted(hosts[i]);
  out << "],\n  \"repetitions\": " << o.reps << ",\n  \"warmup\": " << o.warmup << ",\n  \"chunk\": " << o.chunk
      << ",\n";
  out << "  \"order\": [";
  for (std::size_t i = 0; i < o.order.size(); ++i) out << (i ? ", " : "") << quoted(kVariantNames[o.order[i]]);
  out << "],\n  \"raw_fedavg_comm\": " << quoted(o.a3_on_transport_comm ? "transport" : "bench") << ",\n";
  out << "  \"time\": \"seconds of one round, max over ranks, per repetition\",\n";
  out << "  \"gb_per_s\": \"8 * params / median_s / 1e9 (float32 update reduced + float32 model broadcast)\",\n";
  out << "  \"results\": [";
  bool first = true;
  for (const auto& r : results) {
    const double base = baseline(r, 0), base_fresh = baseline(r, kRawFresh);
    for (int v = 0; v < kVariants; ++v) {
      out << (first ? "\n" : ",\n") << "    {\"params\": " << r.params << ", \"variant\": \"" << kVariantNames[v]
          << "\", \"wrong\": " << r.check.wrong[v] << ", \"checked\": " << (r.check.ok() ? "true" : "false");
      first = false;
      if (r.check.ok() && !r.times[v].empty()) {
        const Stats s = stats_of(r.times[v]);
        out << fmt::format(", \"median_s\": {:.9g}, \"min_s\": {:.9g}, \"max_s\": {:.9g}, \"gb_per_s\": {:.6g}, "
                           "\"vs_raw_float32\": {}, \"vs_raw_float32_fresh\": {}",
                           s.median, s.min, s.max, round_bytes(r.params) / s.median / 1e9,
                           json_number(s.median / base - 1.0), json_number(s.median / base_fresh - 1.0));
        if (!phase_names(v).empty()) {
          // (a3) bypasses the Transport: no logical bytes counted
          if (v != kRawFedavg)
            out << ", \"root_logical_bytes\": {\"sent\": " << r.counts[v].bytes_sent
                << ", \"received\": " << r.counts[v].bytes_received << "}";
          out << ", \"root_phase_median_s\": {";
          for (std::size_t p = 0; p < phase_names(v).size(); ++p)
            out << (p ? ", " : "")
                << fmt::format("\"{}\": {:.9g}", phase_names(v)[p], stats_of(r.phases[v][p]).median);
          out << "}";
        }
        out << ", \"times_s\": [";
        for (std::size_t i = 0; i < r.times[v].size(); ++i)
          out << (i ? ", " : "") << fmt::format("{:.9g}", r.times[v][i]);
        out << "]";
      }
      out << "}";
    }
  }
  out << "\n  ]\n}\n";
  if (!out) throw_runtime_error("--json {}: write failed", path);
}

int run(const comm::MpiSession& session, const Options& o) {
  const auto transport = comm::make_mpi_transport(session);
  MPI_Comm raw = MPI_COMM_NULL;
  BENCH_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &raw));
  BENCH_MPI_CHECK(MPI_Comm_set_errhandler(raw, MPI_ERRORS_RETURN));
  // an output file that cannot be written is refused before anything runs, on every rank
  int json_ok = 1;
  if (session.is_root() && !o.json.empty()) json_ok = std::ofstream(o.json) ? 1 : 0;
  BENCH_MPI_CHECK(MPI_Bcast(&json_ok, 1, MPI_INT, kRoot, raw));
  if (!json_ok) throw_input_error("--json {}: cannot open for writing", o.json);
  const auto all_hosts = session.all_hosts();
  const std::set<std::string> hosts(all_hosts.begin(), all_hosts.end());
  std::vector<SizeResult> results;
  for (std::size_t n : o.sizes) {
    SizeResult r;
    r.params = n;
    AggregationRound round(*transport, raw, o.a3_on_transport_comm ? comm::detail::mpi_communicator(*transport) : raw,
                           n, o.chunk);
    r.check = check_round(round, *transport, raw, n);
    for (int v : {kInt64, kFloat32, kPreweighted}) {
      const auto before = transport->counts();
      round.run(v);
      r.counts[v] = transport->counts() - before;
    }
    if (r.check.ok()) time_rounds(round, raw, o, r);
    if (session.is_root()) {
      std::fprintf(stderr, "  %zu params: checked (%s), %s\n", n, r.check.detail.c_str(),
                   r.check.ok() ? "timed" : "NOT timed");
    }
    results.push_back(std::move(r));
  }
  BENCH_MPI_CHECK(MPI_Comm_free(&raw));
  bool ok = true;
  for (const auto& r : results) ok = ok && r.check.ok();
  if (session.is_root()) {
    print_table(results, session.size(), hosts.size(), o);
    if (!o.json.empty()) write_json(o.json, results, session.size(), {hosts.begin(), hosts.end()}, o);
  }
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  fedload::comm::MpiSession session(&argc, &argv);
  g_where = {session.rank(), session.host()};
  try {
    const Options options = parse_options(argc, argv);
    return run(session, options);
  } catch (const fedload::Error& e) {
    // bad arguments are the same on every rank: rank 0 says why, every rank exits with 2
    if (e.kind() == fedload::ErrorKind::kInput) {
      if (session.is_root()) std::fprintf(stderr, "fedload_bench_aggregate: error: %s\n", e.what());
      return e.exit_code();
    }
    std::fprintf(stderr, "fedload_bench_aggregate: rank %d: error: %s\n", session.rank(), e.what());
    fedload::comm::MpiSession::abort(e.exit_code());
  }
}
