// The federated experiment (fl.mode = "federated"): every rank hosts some clients (rank 0 too,
// unless fl.server_hosts_clients = false); per round the selected clients train the global
// model on their own windows, their updates are summed on rank 0 in client-id order (exactly,
// in fixed point, for linear strategies), the strategy makes the new global model, which is
// broadcast and evaluated on every client's test days. The global model after any round is
// bitwise the same whatever the number of ranks and clients per rank.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fedload/app/client_table.hpp"
#include "fedload/app/data_config.hpp"
#include "fedload/app/dp_ledger.hpp"
#include "fedload/app/experiment.hpp"
#include "fedload/app/federated_client.hpp"
#include "fedload/app/forecast_evaluation.hpp"
#include "fedload/app/forecaster_model.hpp"
#include "fedload/app/online_correction.hpp"
#include "fedload/app/round_aggregator.hpp"
#include "fedload/app/round_messages.hpp"
#include "fedload/app/transport_phase.hpp"
#include "fedload/app/training_config.hpp"
#include "fedload/fl/defects.hpp"
#include "fedload/comm/mpi_transport.hpp"
#include "fedload/comm/transport.hpp"
#include "fedload/core/checkpoint_state.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/sha256.hpp"
#include "fedload/core/stall_watchdog.hpp"
#include "fedload/fl/placement.hpp"
#include "fedload/fl/selection.hpp"
#include "fedload/fl/strategy.hpp"
#include "fedload/he/random_source.hpp"
#include "fedload/io/provenance.hpp"
#include "fedload/io/table_copy.hpp"
#include "fedload/kernels/init.hpp"

namespace fedload::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// checkpoint state bytes are stored 8 per int64 word, the last one zero-padded
constexpr std::size_t state_words_for(std::size_t bytes) { return (bytes + 7) / 8; }

model::ForecastMetrics metrics_or_nan(const model::ForecastSums& s) {
  if (s.n_nonzero == 0) return {kNaN, kNaN, kNaN, kNaN};
  return s.metrics();
}

struct RoundSummary {
  std::int64_t round = 0;
  std::size_t selected = 0;
  double train_loss = kNaN;
  model::ForecastMetrics global{kNaN, kNaN, kNaN, kNaN};
  model::ForecastMetrics honest{kNaN, kNaN, kNaN, kNaN};  // pooled over the clients that are not defective
  bool evaluated = false;
  double seconds = 0.0;
  double epsilon = kNaN;  // local DP: spent so far by the client that released most (NaN: DP off)
};

class FederatedExperiment final : public Experiment {
 public:
  FederatedExperiment(const Config& c, const comm::MpiSession& mpi) : cfg_(c), mpi_(mpi) {}
  std::string name() const override { return "federated"; }

  void declare(io::ResultSchema& schema, io::AttributeList& attrs) override {
    const auto seed = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    data::DataOptions opts = data_options_from_config(cfg_);
    // the run's client count is known once the source is read; this rank's share is chosen
    // inside the same build (a rank that hosts none gets the table-level facts only)
    opts.choose_clients = [this](std::size_t clients) {
      clients_ = clients;
      placement_ =
          fl::place_clients({.clients = clients,
                             .ranks = mpi_.size(),
                             .server_hosts_clients = cfg_.get_bool("fl.server_hosts_clients"),
                             .clients_per_rank = static_cast<std::size_t>(cfg_.get_int("fl.clients_per_rank"))});
      const auto& mine = placement_.clients_of_rank[static_cast<std::size_t>(mpi_.rank())];
      return std::vector<std::size_t>(mine.begin(), mine.end());
    };
    data::ClientDatasets data = data::build_client_datasets(opts, seed);
    const ForecasterModel model = forecaster_model(cfg_, data, seed);
    dims_ = model.dims;
    correction_ = online_correction_from_config(cfg_, model);
    methods_ = forecast_methods(model.kind, correction_.on);
    columns_ = data.columns;
    kernels::BackendChoice choice = choose_model_backend(cfg_, model);
    backend_ = backend_record(choice);
    auto backend = std::move(choice.backend);
    global_ = model.initial;

    LocalWork work;
    work.epochs = static_cast<int>(cfg_.get_int("fl.local_epochs"));
    work.steps = cfg_.get_int("fl.local_steps");
    work.variation = cfg_.get_double("fl.work_variation");
    work.batch = dims_.B;
    work.loss = loss_kind(cfg_);
    work.optimizer = optimizer_options(cfg_);
    work.seed = seed;
    work.fault = injected_fault_from_config(cfg_, mpi_);  // test only: [debug]
    selection_.kind = fl::parse_selection_kind(cfg_.get_string("fl.selection"));
    selection_.fraction = cfg_.get_double("fl.fraction");
    selection_.rate = cfg_.get_double("fl.rate");
    fl::StrategyOptions strategy_options{.prox_mu = cfg_.get_double("fl.prox_mu"),
                                         .server_lr = cfg_.get_double("fl.server_lr"),
                                         .trim_fraction = cfg_.get_double("fl.trim_fraction"),
                                         .krum_byzantine = cfg_.get_int("fl.krum_byzantine"),
                                         .krum_select = cfg_.get_int("fl.krum_select")};
    set_up_dp(work, strategy_options);
    set_up_defects(work, seed);
    strategy_ = fl::make_strategy(cfg_.get_string("fl.strategy"), strategy_options);
    add_data_and_model_attributes(attrs, data, model);
    local_ = std::make_unique<FederatedClients>(std::move(data), std::move(backend), work);

    rounds_ = cfg_.get_int("fl.rounds");
    eval_every_ = cfg_.get_int("fl.eval_every");
    checkpoint_every_ = cfg_.get_int("fl.checkpoint_every");
    const std::string aggregation = cfg_.get_string("fl.aggregation");
    linear_sum_ = aggregation == "float" ? LinearSum::kFloat
                  : aggregation == "paillier" ? LinearSum::kPaillier
                                              : LinearSum::kExact;
    const bool linear = strategy_->coefficients({}).has_value();
    if (linear_sum_ == LinearSum::kPaillier) {
      if (!linear)
        throw_input_error("fl.aggregation = \"paillier\" adds the clients' updates on ciphertexts, which needs a "
                          "linear strategy; fl.strategy = \"{}\" gathers every update in the clear",
                          strategy_->name());
      if (cfg_.get_bool("fl.server_hosts_clients") || mpi_.size() < 2)
        throw_input_error("fl.aggregation = \"paillier\" keeps the secret key away from the server: it needs "
                          "fl.server_hosts_clients = false and at least 2 ranks (rank 0 adds ciphertexts only, the "
                          "clients on ranks 1.. hold the key); this job has {} rank(s), server_hosts_clients = {}",
                          mpi_.size(), cfg_.get_bool("fl.server_hosts_clients"));
      paillier_options_ = {.key_bits = static_cast<std::size_t>(cfg_.get_int("he.key_bits")),
                           .seeded = cfg_.get_string("he.keys") == "seeded",
                           .seed = seed,
                           .max_clients = static_cast<std::uint32_t>(clients_)};
      he::check_key_bits(paillier_options_.key_bits);  // here, before the result file exists
    }
    // a strategy that cannot aggregate rounds of this size says so now, when every round has the same
    if (const auto per_round = fl::clients_per_round(selection_, clients_)) strategy_->check_round_size(*per_round);

    declare_client_table(schema, columns_);
    schema.table("rounds", "one row per federated round; accuracy of the new global model on every client's test days, pooled")
        .int64("round")
        .int64("selected", "", "clients selected (and trained) in the round")
        .float64("train_loss", "", "mean local training loss of the selected clients, weighted by training windows")
        .float64("mape", "%", "pooled over every client's test days (NaN: not evaluated this round)")
        .float64("rmse")
        .float64("mae")
        .float64("r2")
        .float64("honest_mape", "%", "pooled over the test days of the clients that are not defective ([defects]; = mape without defects)")
        .float64("honest_rmse", "", "the same, RMSE")
        .float64("seconds", "s", "wall time of the round on rank 0")
        .float64("epsilon", "", "epsilon at dp.delta spent so far (local: by the client that released most updates; central: by every client) (NaN: DP off)");
    schema.table("round_clients", "one row per selected client and round: its local work and its weight")
        .int64("round")
        .int64("client")
        .int64("rank")
        .float64("samples", "", "training windows (FedAvg's weight)")
        .int64("local_steps", "", "optimizer steps taken (FedNova's tau)")
        .float64("train_loss", "", "mean local training loss")
        .float64("coefficient", "", "c_i in g' = g + sum c_i (w_i - g) (NaN: a rule without one weight per client, e.g. median; krum: 1/m chosen, 0 rejected)")
        .float64("update_norm", "", "L2 norm of w_i - g");
    add_metric_columns(
        schema.table("evaluation", "the global model on each client's test days; client -1 = all pooled (sample-weighted); -2 = the clients that are not defective pooled ([defects] only)")
            .int64("round")
            .int64("client"));
    declare_forecast_outputs(schema, static_cast<std::size_t>(dims_.O), methods_);
    io::ProvenanceChain::declare(schema);
    // checkpoints (fl.checkpoint_every): checkpoint/round is appended last, so a run killed in
    // the middle of writing one leaves it uncounted
    schema.array({"checkpoint/model", io::ElementType::kFloat32, global_.size(), "",
                  "global model after each checkpointed round (flat, layout in model_layout)"});
    schema.array({"checkpoint/state", io::ElementType::kInt64, 0, "",
                  "registered components' state (CheckpointRegistry bytes, 8 per word, zero-padded)"});
    schema.array({"checkpoint/state_bytes", io::ElementType::kInt64, 0, "bytes", "state bytes of each checkpoint"});
    schema.array({"checkpoint/round", io::ElementType::kInt64, 0, "", "round of each checkpoint"});

    add_backend_attributes(attrs, backend_);  // rank 0's; run() checks that every rank agrees
    attrs.push_back({"mode", cfg_.get_string("fl.mode")});
    attrs.push_back({"clients", static_cast<std::int64_t>(clients_)});
    attrs.push_back({"strategy", strategy_->name()});
    attrs.push_back({"rounds", rounds_});
    attrs.push_back({"selection", cfg_.get_string("fl.selection")});
    attrs.push_back({"aggregation",
                     !linear ? std::string("gathered: every update to rank 0, strategy in client-id order")
                     : linear_sum_ == LinearSum::kExact
                         ? std::string("linear, exact: int64 fixed-point sum of c_i (w_i - g), reduced to rank 0")
                     : linear_sum_ == LinearSum::kFloat
                         ? std::string("linear, float: float32 sum of c_i (w_i - g), reduced to rank 0 (last bits "
                                       "depend on the placement)")
                         : "linear, exact int64 fixed-point sum of c_i (w_i - g) on ciphertexts: " +
                               describe_paillier(paillier_options_)});
    attrs.push_back({"checkpoint_every", checkpoint_every_});
    attrs.push_back({"dp", dp_description_});
    attrs.push_back({"defects", defects_description_});
    attrs.push_back({"ridge_scope", std::string("per client (each client's own windows: the local baseline)")});
  }

  // [defects]: which clients are defective (the same pure function the data pipeline used for a
  // data attack) and, for an update defect, what they do to their updates
  void set_up_defects(LocalWork& work, std::uint64_t seed) {
    const std::string kind = cfg_.get_string("defects.kind");
    defects_description_ = "none";
    if (kind == "none") return;
    const double m = cfg_.get_double("defects.magnitude");
    const auto defective = fl::defective_clients(seed, clients_, cfg_.get_double("defects.fraction"));
    if (defective.empty()) {  // defects.fraction = 0: the kind is named, nobody does it
      defects_description_ = fmt::format("none (defects.kind = {} with defects.fraction = 0)", kind);
      return;
    }
    any_defective_ = true;
    work.defect = fl::update_defect_from_name(kind);
    std::string what;
    if (work.defect != fl::UpdateDefect::kNone) {
      fl::check_update_defect(work.defect, m);
      work.defect_magnitude = m;
      work.defective = defective;
      what = work.defect == fl::UpdateDefect::kNoise
                 ? fmt::format("communication noise N(0, ({} rms(update))^2) added to every update they send", m)
                 : fmt::format("every update they send is -{} times what they learnt", m);
    } else {
      what = fmt::format("their training load is attacked ({}, m = {}, on {}% of training days); validation and "
                         "test data stay true",
                         kind, m, 100 * cfg_.get_double("defects.coverage"));
    }
    defects_description_ =
        fmt::format("{} of {} clients defective (clients {}): {}", defective.size(), clients_,
                    fmt::join(defective, ", "), what);
  }

  // [dp]: what clients do to their updates (work.dp), what the server adds, and the ledger
  void set_up_dp(LocalWork& work, fl::StrategyOptions& strategy_options) {
    const std::string mode = cfg_.get_string("dp.mode");
    dp_description_ = "off";
    if (mode == "off") return;
    const double clip = cfg_.get_double("dp.clip"), z = cfg_.get_double("dp.noise_multiplier");
    const double delta = cfg_.get_double("dp.delta");
    const bool seeded = cfg_.get_string("dp.noise") == "seeded";
    if (seeded) {
      dp_seed_ = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    } else {
      // a secret of this process: the result file stores run.seed, from which seeded noise can be
      // regenerated and subtracted
      he::OsRandom os;
      std::byte bytes[8];
      os.fill(bytes);
      std::memcpy(&dp_seed_, bytes, sizeof dp_seed_);
    }
    work.dp_seed = dp_seed_;
    const std::string noise_source = seeded ? "noise from run.seed (reproducible, NOT private: for measuring)"
                                            : "noise from a secret per-process seed drawn from the OS";
    if (mode == "local") {
      dp_ledger_.emplace(DpMode::kLocal, clients_, z, delta);
      work.dp.emplace(clip, z);
      dp_description_ = fmt::format(
          "local: every client clips its update to L2 <= {} and adds N(0, ({} x {})^2) noise per coordinate; epsilon "
          "by RDP (sensitivity 2C, q = 1 per participation, the client with most releases), Balle et al. 2020 "
          "conversion, delta {}; {}",
          clip, z, clip, delta, noise_source);
      return;
    }
    // central: the fixed-denominator mean of clipped updates plus one Gaussian draw per round
    const std::string strategy = cfg_.get_string("fl.strategy"), selection = cfg_.get_string("fl.selection");
    if (strategy != "mean")
      throw_input_error("dp.mode = \"central\" bounds one client's effect on the aggregate by weighting every client "
                        "the same: it needs fl.strategy = \"mean\", not \"{}\"",
                        strategy);
    // poisson: q = fl.rate, add/remove one client, denominator qN; fixed: K of N without
    // replacement, q = K/N, replace one client (sensitivity 2C), denominator K (dp_ledger.hpp)
    const bool fixed = selection_.kind == fl::SelectionKind::kFixed;
    const double n = static_cast<double>(clients_);
    const double expected = selection == "poisson" ? selection_.rate * n
                            : fixed                ? static_cast<double>(*fl::clients_per_round(selection_, clients_))
                                                   : n;
    const double q = selection == "poisson" ? selection_.rate : expected / n;
    const auto sampling = fixed ? privacy::Sampling::kWithoutReplacement : privacy::Sampling::kPoisson;
    dp_ledger_.emplace(DpMode::kCentral, clients_, z, delta, q, sampling);
    work.dp.emplace(clip, 0.0);  // clip only
    strategy_options.fixed_denominator = expected;
    central_sigma_ = z * clip * strategy_options.server_lr / expected;
    dp_description_ = fmt::format(
        "central: every client clips its update to L2 <= {}; the server sums them over the fixed denominator {} = {} "
        "and adds N(0, {}^2) per coordinate once a round (z = {}); epsilon by RDP of the {} (q = {}), "
        "Balle et al. 2020 conversion, delta {}; {}",
        clip, fixed ? "K" : "q N", expected, central_sigma_, z,
        fixed ? "Gaussian on K of N clients drawn without replacement (replace-one neighbours, sensitivity 2C: "
                "noise multiplier z/2; Wang, Balle, Kasiviswanathan 2019, Theorem 9)"
              : "Poisson-subsampled Gaussian (add/remove-one neighbours)",
        q, delta, noise_source);
  }

  void resume(const io::ResultReader& old) override {
    // every rank reads the small index arrays and the LAST checkpoint only; run() copies the
    // history (every checkpoint) on rank 0
    auto& c = stored_;
    c.rounds = old.array("checkpoint/round");
    c.state_bytes = old.array("checkpoint/state_bytes");
    const auto& rounds = c.rounds;
    const auto models = old.array_shape("checkpoint/model");
    const auto state_words = old.array_shape("checkpoint/state");
    const auto& sizes = c.state_bytes;
    const std::size_t n = rounds.rows;
    if (n == 0 && checkpoint_every_ == 0)
      throw_input_error("'{}' was run with fl.checkpoint_every = 0 (no checkpoints): it cannot be resumed; start it again",
                        old.path().string());
    if (n == 0)
      throw_input_error("'{}' holds no checkpoint yet (written every fl.checkpoint_every = {} rounds): start it again",
                        old.path().string(), checkpoint_every_);
    if (models.rows < n || sizes.rows < n || models.width != global_.size())
      throw_input_error("'{}': checkpoint arrays disagree with each other or with this model ({} parameters)",
                        old.path().string(), global_.size());
    for (std::size_t i = 0; i < n; ++i)
      if (sizes.integers[i] < 0)
        throw_input_error("'{}': checkpoint {} records a negative state size ({})", old.path().string(), i,
                          sizes.integers[i]);
    resume_round_ = rounds.integers[n - 1];
    if (resume_round_ >= rounds_)
      throw_input_error("'{}' has its last checkpoint at round {} of {}: nothing left to run", old.path().string(),
                        resume_round_, rounds_);
    // the model of the last checkpoint (float32 widened to double on reading: exact)
    const auto last = old.array_rows("checkpoint/model", n - 1, 1);
    for (std::size_t j = 0; j < global_.size(); ++j) global_[j] = static_cast<float>(last.reals[j]);
    const std::size_t words_before = c.state_words(n - 1), words_end = c.state_words(n);
    const auto bytes = static_cast<std::size_t>(sizes.integers[n - 1]);
    if (state_words.rows < words_end || words_end - words_before < state_words_for(bytes))
      throw_input_error("'{}': checkpoint state is shorter than recorded", old.path().string());
    const auto words = old.array_rows("checkpoint/state", words_before, words_end - words_before);
    std::vector<std::byte> state(bytes);
    std::memcpy(state.data(), words.integers.data(), bytes);
    registry_.restore(state);
    if (dp_ledger_)  // the releases of the rounds already run: selection is a function of (seed, round)
      for (std::int64_t r = 1; r <= resume_round_; ++r) dp_ledger_->record(round_selection(r));
    resume_checkpoints_ = n;
    // the hash chain goes on from the checkpointed round's record (copied with the history)
    const auto head = io::stored_record_hash(old, resume_round_);
    if (!head)
      throw_input_error("'{}' has no provenance record of round {}, its last checkpoint", old.path().string(),
                        resume_round_);
    chain_.restore(*head, resume_round_);
  }

  void run(ExperimentContext& ctx, std::vector<PhaseSample>& phases) override {
    transport_ = comm::make_mpi_transport(ctx.mpi);
    if (linear_sum_ == LinearSum::kPaillier)
      paillier_ = std::make_unique<PaillierRound>(*transport_, paillier_options_, phases);
    aggregator_ = std::make_unique<RoundAggregator>(*transport_, linear_sum_, paillier_.get());
    auto& tr = *transport_;
    const bool root = ctx.mpi.is_root();
    backend_per_rank_ = backends_if_ranks_differ(ctx.mpi, backend_.ran);
    {
      TransportPhase t(phases, "write", 0, tr);
      const auto rows = decode_client_rows(tr.gather_bytes(encode_client_rows(local_->rows(ctx.mpi.rank())), 0));
      if (ctx.writer) append_client_rows(*ctx.writer, columns_, rows);
    }
    if (root) {
      std::size_t most = 0, least = clients_;
      for (const auto& c : placement_.clients_of_rank) {
        most = std::max(most, c.size());
        least = std::min(least, c.size());
      }
      if (backend_.kind != backend_.ran)
        std::printf("fedload: backend.kind = %s chose %s: %s\n", backend_.kind.c_str(), backend_.ran.c_str(),
                    backend_.reason.c_str());
      std::printf("fedload: federated %s, %zu clients on %d rank(s) (%zu-%zu per rank), %lld rounds, backend %s, %zu parameters\n",
                  strategy_->name().c_str(), clients_, ctx.mpi.size(), least, most, static_cast<long long>(rounds_),
                  backend_.ran.c_str(), global_.size());
      if (any_defective_) std::printf("fedload: defects: %s\n", defects_description_.c_str());
      std::fflush(stdout);
    }

    if (ctx.resumed_from && ctx.writer) {
      PhaseTimer t(phases, "write", 0);
      copy_history(*ctx.resumed_from, *ctx.writer);
    }
    stored_ = {};  // the continued run's checkpoints are in the new file now
    if (root && resume_round_ > 0)
      std::printf("fedload: resumed from %s at its checkpoint after round %lld\n",
                  ctx.resumed_from->path().string().c_str(), static_cast<long long>(resume_round_));

    double elapsed = 0;
    for (std::int64_t r = resume_round_ + 1; r <= rounds_; ++r) {
      const auto round_start = std::chrono::steady_clock::now();
      RoundSummary s = run_round(ctx, phases, r);
      s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - round_start).count();
      elapsed += s.seconds;
      if (root) print_progress(s, elapsed);
      {
        PhaseTimer t(phases, "write", r);
        if (ctx.writer) {
          write_round(*ctx.writer, s);
          append_provenance(*ctx.writer, s.round);
          if (checkpoint_every_ > 0 && r % checkpoint_every_ == 0) write_checkpoint(*ctx.writer, r);
        }
      }
      ctx.flush_timing(phases);
      last_ = s;
    }

    sync_global(phases, rounds_);
    {
      TransportPhase t(phases, "evaluate", rounds_, tr);
      const auto mine = local_->forecast(global_, correction_);
      forecasts_ = decode_forecasts(tr.gather_bytes(encode_forecasts(mine), 0));
      if (root) metrics_ = score_forecasts(forecasts_, methods_);
    }
    if (ctx.writer) {
      PhaseTimer t(phases, "write", rounds_);
      ctx.writer->append_array("model/final", std::span<const float>(global_));
      write_forecast_outputs(*ctx.writer, forecasts_, metrics_, methods_);
    }
  }

  io::AttributeList final_attributes() const override {
    io::AttributeList a;
    a.push_back({"final_model_sha256", sha256_hex(global_.data(), global_.size() * sizeof(float))});
    a.push_back({std::string(io::kProvenanceHeadAttribute), to_hex(chain_.head())});
    a.push_back({"rounds_run", last_.round});
    if (!backend_per_rank_.empty()) a.push_back({"backend_per_rank", io::StringList(backend_per_rank_)});
    if (dp_ledger_) {
      const auto spent = dp_ledger_->spent();
      a.push_back({"dp_epsilon", spent.epsilon});
      a.push_back({"dp_delta", dp_ledger_->delta()});
      a.push_back({"dp_releases", dp_ledger_->releases()});
    }
    add_pooled_metric_attributes(a, metrics_);
    return a;
  }

  std::vector<std::string> summary() const override {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("{} rounds of {} over {} clients on {} rank(s), backend {}", last_.round,
                                strategy_->name(), clients_, mpi_.size(), backend_.text()));
    append_pooled_metric_lines(lines, metrics_);
    lines.push_back(fmt::format("final model sha256 {}", sha256_hex(global_.data(), global_.size() * sizeof(float))));
    return lines;
  }

 private:
  // rank 0's global model to every rank, unless they already hold it
  void sync_global(std::vector<PhaseSample>& phases, std::int64_t r) {
    if (global_synced_) return;
    TransportPhase t(phases, "broadcast", r, *transport_);
    transport_->broadcast(comm::buffer_of(std::span<float>(global_)), 0);
    global_synced_ = true;
  }

  // the clients of round r: a pure function of (seed, round); under paillier a round of one client
  // trains nobody (the decrypted "sum" would be that client's update in the clear)
  std::vector<std::int64_t> round_selection(std::int64_t r) const {
    auto selected = fl::select_clients(selection_, clients_, static_cast<std::uint64_t>(cfg_.get_int("run.seed")), r);
    if (linear_sum_ == LinearSum::kPaillier && selected.size() == 1) selected.clear();
    return selected;
  }

  RoundSummary run_round(ExperimentContext& ctx, std::vector<PhaseSample>& phases, std::int64_t r) {
    auto& tr = *transport_;
    const bool root = ctx.mpi.is_root();
    RoundSummary s;
    s.round = r;
    const auto selected = round_selection(r);
    if (root && selected.empty() && linear_sum_ == LinearSum::kPaillier)
      std::printf("fedload: round %lld trains nobody (paillier aggregates two clients or more)\n",
                  static_cast<long long>(r));
    s.selected = selected.size();
    if (dp_ledger_) {
      dp_ledger_->record(selected);
      s.epsilon = dp_ledger_->spent().epsilon;
    }

    sync_global(phases, r);

    std::vector<LocalUpdate> updates;  // this rank's selected clients, by client id
    {
      PhaseTimer t(phases, "local_train", r);
      const auto objective = strategy_->local_objective();
      for (const auto c : selected) {
        if (!local_->hosts(c)) continue;
        note_progress(fmt::format("local_train of client {}", c), r);  // a stall message names the client
        updates.push_back(local_->train(c, global_, r, objective));
      }
    }

    round_reports_.clear();
    std::optional<std::vector<double>> coefficients;
    if (!selected.empty()) {
      std::vector<ReportMessage> mine;
      {
        PhaseTimer t(phases, "update_transform", r);  // each update's SHA-256, for the provenance chain
        for (const auto& u : updates)
          mine.push_back({u.report, u.update_norm, ctx.mpi.rank(), io::float_sha256(u.delta)});
      }
      {
        TransportPhase t(phases, "communicate", r, tr);
        round_reports_ = decode_reports(tr.allgather_bytes(encode_reports(mine)));
        if (round_reports_.size() != selected.size())
          throw_runtime_error("round {}: {} clients selected but {} reported", r, selected.size(), round_reports_.size());
      }
      std::vector<fl::ClientReport> reports;
      for (const auto& m : round_reports_) reports.push_back(m.report);
      coefficients = strategy_->coefficients(reports);
      if (coefficients) {
        std::vector<double> mine_c;  // this rank's updates' coefficients, in their order
        for (const auto& u : updates) mine_c.push_back((*coefficients)[report_index(u.report.client)]);
        aggregator_->apply_linear(phases, r, mine_c, coefficients->size(), updates, global_);
      } else {
        // rank 0: what the strategy applied (NaN for coordinate-wise rules; Krum: 1/m or 0)
        auto applied = aggregator_->apply_gathered(phases, r, *strategy_, reports, updates, global_);
        if (root) {
          coefficients = std::move(applied.coefficients);
          if (!applied.remark.empty())
            std::printf("fedload: round %lld: %s\n", static_cast<long long>(r), applied.remark.c_str());
        }
      }
      global_synced_ = tr.size() == 1;  // the new model is on rank 0 only
      double loss = 0, weight = 0;
      for (const auto& m : round_reports_) {
        loss += m.report.samples * m.report.train_loss;
        weight += m.report.samples;
      }
      s.train_loss = weight > 0 ? loss / weight : kNaN;
    }
    if (central_sigma_ > 0) {
      // central DP: the server's one Gaussian draw per round, selected clients or none
      if (root) add_central_noise(global_, central_sigma_, dp_seed_, r);
      global_synced_ = tr.size() == 1;
    }
    coefficients_ = coefficients.value_or(std::vector<double>(round_reports_.size(), kNaN));

    if (r % eval_every_ == 0 || r == rounds_) {
      sync_global(phases, r);
      TransportPhase t(phases, "evaluate", r, tr);
      evaluations_ = decode_evaluations(tr.gather_bytes(encode_evaluations(local_->evaluate(global_)), 0));
      if (root) {
        model::ForecastSums pooled, honest;
        for (const auto& e : evaluations_) {
          pooled.merge(e.sums);
          if (!e.defective) honest.merge(e.sums);
        }
        s.global = metrics_or_nan(pooled);
        s.honest = metrics_or_nan(honest);
        pooled_ = pooled;
        pooled_honest_ = honest;
      }
      s.evaluated = true;
    } else {
      evaluations_.clear();
    }
    return s;
  }

  // position of a client in this round's reports (sorted by client id)
  std::size_t report_index(std::int64_t client) const {
    const auto it = std::lower_bound(round_reports_.begin(), round_reports_.end(), client,
                                     [](const ReportMessage& m, std::int64_t id) { return m.report.client < id; });
    return static_cast<std::size_t>(it - round_reports_.begin());
  }

  void write_checkpoint(io::ResultWriter& w, std::int64_t round) const {
    const auto state = registry_.save();
    std::vector<std::int64_t> words(state_words_for(state.size()), 0);
    std::memcpy(words.data(), state.data(), state.size());
    w.append_array("checkpoint/model", std::span<const float>(global_));
    w.append_array("checkpoint/state", std::span<const std::int64_t>(words));
    const std::int64_t bytes = static_cast<std::int64_t>(state.size());
    w.append_array("checkpoint/state_bytes", std::span<const std::int64_t>(&bytes, 1));
    w.append_array("checkpoint/round", std::span<const std::int64_t>(&round, 1));
  }

  // the continued run's history up to its checkpoint: every table with a round column (rows of
  // rounds after the checkpoint are dropped: they are run again) and the checkpoints themselves
  void copy_history(const io::ResultReader& old, io::ResultWriter& w) const {
    for (const auto& name : old.table_names()) {
      if (name == "clients") continue;  // written again by this run
      const auto table = old.table(name);
      const auto* round = table.column("round");
      if (!round || !round->is_integer()) continue;
      // timing's round 0 is the old run's set-up: this run has its own, and adding both would
      // count set-up twice
      const std::int64_t first = name == "timing" ? 1 : std::numeric_limits<std::int64_t>::min();
      io::copy_table_rows(table, w, name, [&](std::size_t row) {
        return round->integers[row] >= first && round->integers[row] <= resume_round_;
      });
    }
    const auto& c = stored_;
    const std::size_t n = resume_checkpoints_;
    const auto models = old.array_rows("checkpoint/model", 0, n);
    const auto state = old.array_rows("checkpoint/state", 0, c.state_words(n));
    w.append_array("checkpoint/model", std::span<const double>(models.reals.data(), n * global_.size()));
    w.append_array("checkpoint/state", std::span<const std::int64_t>(state.integers.data(), c.state_words(n)));
    w.append_array("checkpoint/state_bytes", std::span<const std::int64_t>(c.state_bytes.integers.data(), n));
    w.append_array("checkpoint/round", std::span<const std::int64_t>(c.rounds.integers.data(), n));
  }

  // rank 0, after aggregation: the round's record in the hash chain (weights = the coefficients
  // applied, the model = the new global model)
  void append_provenance(io::ResultWriter& w, std::int64_t round) {
    io::ProvenanceRecord rec;
    rec.round = round;
    for (std::size_t i = 0; i < round_reports_.size(); ++i) {
      rec.clients.push_back(round_reports_[i].report.client);
      rec.update_sha256.push_back(round_reports_[i].update_sha256);
      rec.weights.push_back(coefficients_[i]);
    }
    rec.model_sha256 = io::float_sha256(global_);
    chain_.append(w, rec);
  }

  void write_round(io::ResultWriter& w, const RoundSummary& s) const {
    w.append_row("rounds", {s.round, static_cast<std::int64_t>(s.selected), s.train_loss, s.global.mape,
                            s.global.rmse, s.global.mae, s.global.r2, s.honest.mape, s.honest.rmse, s.seconds,
                            s.epsilon});
    std::vector<io::Row> rows;
    for (std::size_t i = 0; i < round_reports_.size(); ++i) {
      const auto& m = round_reports_[i];
      rows.push_back({s.round, m.report.client, m.rank, m.report.samples, m.report.local_steps, m.report.train_loss,
                      coefficients_[i], m.update_norm});
    }
    if (!rows.empty()) w.append_rows("round_clients", rows);
    if (!s.evaluated) return;
    std::vector<io::Row> eval;
    for (const auto& e : evaluations_) {
      const auto m = metrics_or_nan(e.sums);
      eval.push_back({s.round, e.client, m.mape, m.rmse, m.mae, m.r2, static_cast<std::int64_t>(e.sums.n)});
    }
    eval.push_back({s.round, std::int64_t{-1}, s.global.mape, s.global.rmse, s.global.mae, s.global.r2,
                    static_cast<std::int64_t>(pooled_.n)});
    if (any_defective_)
      eval.push_back({s.round, std::int64_t{-2}, s.honest.mape, s.honest.rmse, s.honest.mae, s.honest.r2,
                      static_cast<std::int64_t>(pooled_honest_.n)});
    w.append_rows("evaluation", eval);
  }

  void print_progress(const RoundSummary& s, double elapsed) const {
    const double eta = elapsed / static_cast<double>(s.round - resume_round_) * static_cast<double>(rounds_ - s.round);
    const std::string mape = s.evaluated ? fmt::format("{:7.3f}%", s.global.mape) : std::string("      - ");
    const std::string rmse = s.evaluated ? fmt::format("{:10.4g}", s.global.rmse) : std::string("         -");
    const std::string eps = dp_ledger_ ? fmt::format("  eps {:.3g}", s.epsilon) : std::string();
    const std::string honest = any_defective_ && s.evaluated
                                   ? fmt::format("  honest {:7.3f}%", s.honest.mape)
                                   : std::string();
    std::printf("round %4lld/%-4lld clients %4zu  loss %.5f  MAPE %s%s  RMSE %s%s  %7.2fs  ETA %s\n",
                static_cast<long long>(s.round), static_cast<long long>(rounds_), s.selected, s.train_loss,
                mape.c_str(), honest.c_str(), rmse.c_str(), eps.c_str(), s.seconds, duration_text(eta).c_str());
    std::fflush(stdout);
  }

  const Config& cfg_;
  const comm::MpiSession& mpi_;
  std::size_t clients_ = 0;
  fl::Placement placement_;
  kernels::ForecasterDims dims_;
  OnlineCorrection correction_;
  std::vector<std::string> methods_;
  std::vector<std::string> columns_;
  BackendRecord backend_;  // this rank's
  std::vector<std::string> backend_per_rank_;  // rank 0: every rank's backend, when they differ
  std::unique_ptr<FederatedClients> local_;
  std::unique_ptr<fl::Strategy> strategy_;
  fl::SelectionOptions selection_;
  std::int64_t rounds_ = 0, eval_every_ = 1, checkpoint_every_ = 0;
  LinearSum linear_sum_ = LinearSum::kExact;  // fl.aggregation
  PaillierOptions paillier_options_;           // fl.aggregation = "paillier"
  std::unique_ptr<PaillierRound> paillier_;
  std::optional<DpLedger> dp_ledger_;  // dp.mode != "off"
  double central_sigma_ = 0;            // dp.mode = "central": the server's noise per coordinate
  std::uint64_t dp_seed_ = 0;           // the noise's seed (dp.noise)
  std::string dp_description_;
  std::string defects_description_;
  bool any_defective_ = false;  // [defects] with at least one defective client
  std::int64_t resume_round_ = 0;       // > 0: continuing a run from its checkpoint after this round
  std::size_t resume_checkpoints_ = 0;  // checkpoints carried over from that run
  CheckpointRegistry registry_;         // state beyond the global model that a checkpoint keeps
  // the checkpoint index of the file being resumed, from resume() until run() has copied the history
  struct StoredCheckpoints {
    io::ArrayData rounds, state_bytes;
    // int64 words holding the state of the first k checkpoints
    std::size_t state_words(std::size_t k) const {
      std::size_t words = 0;
      for (std::size_t i = 0; i < k; ++i) words += state_words_for(static_cast<std::size_t>(state_bytes.integers[i]));
      return words;
    }
  } stored_;
  std::unique_ptr<comm::Transport> transport_;
  std::unique_ptr<RoundAggregator> aggregator_;  // on transport_
  std::vector<float> global_;
  bool global_synced_ = false;  // every rank holds the current global model

  // the current round's records (rank 0 writes them)
  std::vector<ReportMessage> round_reports_;
  std::vector<double> coefficients_;
  std::vector<ClientEvaluation> evaluations_;
  model::ForecastSums pooled_;
  model::ForecastSums pooled_honest_;  // the clients that are not defective
  RoundSummary last_;

  std::vector<ClientForecasts> forecasts_;
  std::vector<MethodMetrics> metrics_;
  io::ProvenanceChain chain_{cfg_.to_toml()};  // rank 0 appends; genesis from the config text
};

}  // namespace

std::unique_ptr<Experiment> make_federated_experiment(const Config& config, const comm::MpiSession& mpi) {
  return std::make_unique<FederatedExperiment>(config, mpi);
}

}  // namespace fedload::app
