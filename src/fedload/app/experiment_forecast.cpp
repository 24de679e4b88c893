// The "forecast" experiment: one LSTM forecaster trained on the pooled windows of every client
// (fl.mode = "centralized", the CL-LSTM baseline of the DearFSAC paper; with one client it is
// that client's own model), then day-ahead forecasts of every test day from midnight, compared
// with seasonal-naive and ridge baselines on the same days.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "fedload/app/client_table.hpp"
#include "fedload/app/data_config.hpp"
#include "fedload/app/experiment.hpp"
#include "fedload/app/forecast_evaluation.hpp"
#include "fedload/app/forecaster_model.hpp"
#include "fedload/app/online_correction.hpp"
#include "fedload/app/training_config.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/sha256.hpp"
#include "fedload/data/time.hpp"
#include "fedload/fl/defects.hpp"
#include "fedload/kernels/auto_backend.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::app {
namespace {

// [a; b] of every client's window set `which`
struct PooledRows {
  std::vector<float> x, y;
  std::size_t n = 0;
};
PooledRows pool(const data::ClientDatasets& d, data::WindowSet data::ClientDataset::*which) {
  PooledRows p;
  for (const auto& c : d.clients) {
    const auto& w = c.*which;
    p.x.insert(p.x.end(), w.x.begin(), w.x.end());
    p.y.insert(p.y.end(), w.y.begin(), w.y.end());
    p.n += w.size();
  }
  return p;
}

class ForecastExperiment final : public Experiment {
 public:
  explicit ForecastExperiment(const Config& c) : cfg_(c) {}
  std::string name() const override { return "forecast"; }
  // centralized training is one process; the federated runtime over MPI is a separate issue
  int max_ranks() const override { return 1; }

  void declare(io::ResultSchema& schema, io::AttributeList& attrs) override {
    // federated-only settings must not look applied to a centralized run
    if (const std::string d = cfg_.get_string("defects.kind"); fl::update_defect_from_name(d) != fl::UpdateDefect::kNone)
      throw_input_error("defects.kind = \"{}\" alters the updates clients send in a federated run; fl.mode = "
                        "\"centralized\" sends none (a data attack, scaling / ramp / random, applies to both)",
                        d);
    if (cfg_.get_string("dp.mode") != "off")
      throw_input_error("dp.mode = \"{}\" protects clients' updates in a federated run; fl.mode = \"centralized\" "
                        "trains on pooled data without DP (set dp.mode = \"off\" or fl.mode = \"federated\")",
                        cfg_.get_string("dp.mode"));
    if (cfg_.get_string("fl.aggregation") == "paillier")
      throw_input_error("fl.aggregation = \"paillier\" encrypts clients' updates in a federated run; fl.mode = "
                        "\"centralized\" aggregates nothing");
    const auto seed = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    data_ = data::build_client_datasets(data_options_from_config(cfg_), seed);
    model_ = forecaster_model(cfg_, data_, seed);
    dims_ = model_.dims;
    correction_ = online_correction_from_config(cfg_, model_);
    methods_ = forecast_methods(model_.kind, correction_.on);
    kernels::BackendChoice choice = choose_model_backend(cfg_, model_);
    backend_info_ = backend_record(choice);
    backend_ = std::move(choice.backend);
    params_ = model_.initial;
    backend_->set_params(params_.data());
    refit_ = cfg_.get_bool("train.refit");
    if (refit_ && cfg_.get_int("data.val_days") == 0)
      throw_input_error("train.refit needs validation days to choose the epoch count (data.val_days = 0)");
    init_params_ = params_;

    schema.table("training", "one row per epoch of the centralized model")
        .category("phase", {"select", "refit"},
                  "select: training with early stopping on validation; refit: train.refit's pass on train + validation")
        .int64("epoch")
        .float64("train_loss", "", "mean training loss (normalized load)")
        .float64("validation_loss", "", "loss on the validation windows after the epoch")
        .float64("seconds", "s")
        .float64("lr", "", "learning rate of the epoch");
    declare_client_table(schema, data_.columns);
    declare_forecast_outputs(schema, static_cast<std::size_t>(dims_.O), methods_);
    add_data_and_model_attributes(attrs, data_, model_);
    add_backend_attributes(attrs, backend_info_);
    attrs.push_back({"mode", cfg_.get_string("fl.mode")});
    attrs.push_back({"clients", static_cast<std::int64_t>(data_.clients.size())});
  }

  void run(ExperimentContext& ctx, std::vector<PhaseSample>& phases) override {
    io::ResultWriter* w = ctx.writer;
    if (w) write_clients(*w);
    const PooledRows train = pool(data_, &data::ClientDataset::train);
    PooledRows val = pool(data_, &data::ClientDataset::val);
    if (val.n == 0) val = pool(data_, &data::ClientDataset::test);  // val_days = 0: stop on test loss
    model::TrainOptions o;
    o.epochs = static_cast<int>(cfg_.get_int("train.epochs"));
    o.batch = dims_.B;
    o.patience = static_cast<int>(cfg_.get_int("train.patience"));
    o.loss = loss_kind(cfg_);
    o.optimizer = optimizer_options(cfg_);
    o.seed = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    o.lr_decay = cfg_.get_double("train.lr_decay");
    o.lr_decay_patience = static_cast<int>(cfg_.get_int("train.lr_decay_patience"));
    if (ctx.mpi.is_root()) {
      if (backend_info_.kind != backend_info_.ran)
        std::printf("fedload: backend.kind = %s chose %s: %s\n", backend_info_.kind.c_str(),
                    backend_info_.ran.c_str(), backend_info_.reason.c_str());
      std::printf("fedload: training %s (%zu parameters) on %zu windows of %zu client(s), validating on %zu\n",
                  backend_->name().c_str(), params_.size(), train.n, data_.clients.size(), val.n);
    }
    {
      PhaseTimer t(phases, "local_train");
      history_ = model::train_forecaster(*backend_, {train.x.data(), train.y.data(), train.n},
                                         {val.x.data(), val.y.data(), val.n}, o, progress(ctx, "select", o.epochs));
      if (refit_) {
        // same initialization, every window before the test span, the epoch count chosen above
        PooledRows all = train;
        all.x.insert(all.x.end(), val.x.begin(), val.x.end());
        all.y.insert(all.y.end(), val.y.begin(), val.y.end());
        all.n += val.n;
        model::TrainOptions r = o;
        r.epochs = history_.best_epoch + 1;
        r.patience = 0;
        r.restore_best = false;
        backend_->set_params(init_params_.data());
        if (ctx.mpi.is_root())
          std::printf("fedload: refit on %zu training + validation windows for %d epochs\n", all.n, r.epochs);
        refit_history_ = model::train_forecaster(*backend_, {all.x.data(), all.y.data(), all.n},
                                                 {val.x.data(), val.y.data(), val.n}, r,
                                                 progress(ctx, "refit", r.epochs));
      }
    }
    backend_->get_params(params_.data());
    {
      PhaseTimer t(phases, "evaluate");
      forecasts_ = forecast_test_days(data_, *backend_, refit_, &ridge_lambda_, correction_);
      metrics_ = score_forecasts(forecasts_, methods_);
    }
    if (w) {
      PhaseTimer t(phases, "write");
      write_results(*w);
    }
  }

  io::AttributeList final_attributes() const override {
    io::AttributeList a;
    a.push_back({"final_model_sha256", sha256_hex(params_.data(), params_.size() * sizeof(float))});
    a.push_back({"best_epoch", static_cast<std::int64_t>(history_.best_epoch)});
    a.push_back({"epochs_run", static_cast<std::int64_t>(history_.epochs.size())});
    a.push_back({"refit_epochs", static_cast<std::int64_t>(refit_history_.epochs.size())});
    a.push_back({"stopped_early", static_cast<std::int64_t>(history_.stopped_early)});
    a.push_back({"ridge_lambda", ridge_lambda_});
    add_pooled_metric_attributes(a, metrics_);
    return a;
  }

  std::vector<std::string> summary() const override {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("{} epochs (best {}){}, {} client(s), {} test days, backend {}",
                                history_.epochs.size(), history_.best_epoch + 1,
                                refit_ ? fmt::format(", refit {} epochs on train + validation", refit_history_.epochs.size()) : "",
                                data_.clients.size(), forecasts_.empty() ? 0 : test_days(), backend_info_.text()));
    append_pooled_metric_lines(lines, metrics_);
    return lines;
  }

 private:
  // writes each epoch to the file as it ends and prints the progress line
  model::EpochCallback progress(ExperimentContext& ctx, const char* phase, int epochs) {
    auto elapsed = std::make_shared<double>(0.0);
    return [this, &ctx, phase, epochs, elapsed](const model::EpochRecord& r) {
      *elapsed += r.seconds;
      if (ctx.writer)
        ctx.writer->append_row("training", {std::string_view(phase), std::int64_t{r.epoch}, r.train_loss,
                                            r.validation_loss, r.seconds, r.lr});
      if (!ctx.mpi.is_root()) return;
      const double eta = *elapsed / (r.epoch + 1) * (epochs - r.epoch - 1);
      std::printf("%-6s epoch %4d/%-4d train %.5f  val %.5f  %7.2fs  ETA %s\n", phase, r.epoch + 1, epochs,
                  r.train_loss, r.validation_loss, r.seconds, duration_text(eta).c_str());
      std::fflush(stdout);
    };
  }

  std::size_t test_days() const {
    std::size_t n = 0;
    for (const auto& f : forecasts_) n += f.origin.size();
    return n;
  }

  void write_clients(io::ResultWriter& w) const {
    std::vector<ClientRow> rows;
    for (const auto& c : data_.clients) rows.push_back(client_row(c, 0));
    append_client_rows(w, data_.columns, std::move(rows));
  }

  void write_results(io::ResultWriter& w) const {
    w.append_array("model/final", std::span<const float>(params_));
    write_forecast_outputs(w, forecasts_, metrics_, methods_);
  }

  const Config& cfg_;
  data::ClientDatasets data_;
  ForecasterModel model_;
  kernels::ForecasterDims dims_;
  OnlineCorrection correction_;
  std::vector<std::string> methods_;
  std::unique_ptr<kernels::ForecasterBackend> backend_;
  BackendRecord backend_info_;
  std::vector<float> params_, init_params_;
  bool refit_ = false;
  model::TrainHistory history_, refit_history_;
  std::vector<ClientForecasts> forecasts_;
  std::vector<MethodMetrics> metrics_;
  double ridge_lambda_ = 0.0;
};

}  // namespace

std::unique_ptr<Experiment> make_forecast_experiment(const Config& config) {
  return std::make_unique<ForecastExperiment>(config);
}

}  // namespace fedload::app
