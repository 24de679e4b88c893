// The "forecast" experiment: one LSTM forecaster trained on the pooled windows of every client
// (fl.mode = "centralized", the CL-LSTM baseline of the DearFSAC paper; with one client it is
// that client's own model), then day-ahead forecasts of every test day from midnight, compared
// with seasonal-naive and ridge baselines on the same days.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "fedload/app/data_config.hpp"
#include "fedload/app/experiment.hpp"
#include "fedload/app/forecast_evaluation.hpp"
#include "fedload/core/error.hpp"
#include "fedload/core/sha256.hpp"
#include "fedload/data/time.hpp"
#include "fedload/kernels/backend.hpp"
#include "fedload/kernels/init.hpp"
#include "fedload/model/trainer.hpp"

namespace fedload::app {
namespace {

kernels::OptimizerOptions optimizer_options(const Config& c) {
  kernels::OptimizerOptions o;
  o.kind = c.get_string("train.optimizer") == "sgd" ? kernels::OptimizerKind::kSgd : kernels::OptimizerKind::kAdam;
  o.lr = static_cast<float>(c.get_double("train.lr"));
  o.momentum = static_cast<float>(c.get_double("train.momentum"));
  o.weight_decay = static_cast<float>(c.get_double("train.weight_decay"));
  o.max_grad_norm = static_cast<float>(c.get_double("train.max_grad_norm"));
  return o;
}

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

std::string duration_text(double s) {
  if (s < 60) return fmt::format("{:.1f}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
}

class ForecastExperiment final : public Experiment {
 public:
  explicit ForecastExperiment(const Config& c) : cfg_(c) {}
  std::string name() const override { return "forecast"; }
  // centralized training is one process; the federated runtime over MPI is a separate issue
  int max_ranks() const override { return 1; }

  void declare(io::ResultSchema& schema, io::AttributeList& attrs) override {
    const auto seed = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    data_ = data::build_client_datasets(data_options_from_config(cfg_), seed);
    dims_.B = static_cast<int>(cfg_.get_int("train.batch_size"));
    dims_.T = static_cast<int>(data_.lookback);
    dims_.I = static_cast<int>(data::kFeatureCount);
    dims_.H = static_cast<int>(cfg_.get_int("model.hidden"));
    dims_.layers = static_cast<int>(cfg_.get_int("model.layers"));
    dims_.O = static_cast<int>(data_.horizon);
    backend_ = kernels::make_backend(cfg_.get_string("backend.kind"), dims_);
    params_.resize(kernels::forecaster_param_count(dims_));
    kernels::init_forecaster_params(dims_, seed, params_.data());
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
    schema.table("clients", "one row per client: its data, the mapping to series, cleaning counts")
        .int64("client")
        .category("column", data_.columns, "load column the client's (first) slice comes from")
        .int64("slices", "", "series slices the client owns (partition = spread: several)")
        .int64("begin", "s", "unix time of the client's first step")
        .int64("end", "s", "unix time of the client's last step")
        .int64("train_windows")
        .int64("val_windows")
        .int64("test_days", "", "test days forecast from midnight")
        .int64("missing_imputed")
        .int64("outliers_replaced")
        .float64("norm_min", "", "min-max normalizer fitted on the training span")
        .float64("norm_max");
    schema.table("metrics", "accuracy on the test days, original units; client -1 = all clients pooled")
        .category("method", forecast_methods())
        .int64("client")
        .float64("mape", "%")
        .float64("rmse")
        .float64("mae")
        .float64("r2")
        .int64("values", "", "forecast values scored");
    const auto O = static_cast<std::size_t>(dims_.O);
    schema.array({"model/final", io::ElementType::kFloat32, 0, "", "flat parameters, layout in attribute model_layout"});
    schema.array({"forecast/origin", io::ElementType::kInt64, 0, "s", "unix time of each forecast's first step (midnight)"});
    schema.array({"forecast/client", io::ElementType::kInt64, 0, "", "client of each forecast row"});
    schema.array({"forecast/actual", io::ElementType::kFloat32, O, "", "observed load, original units"});
    for (const auto& m : forecast_methods())
      schema.array({"forecast/" + m, io::ElementType::kFloat32, O, "", m + " forecast, original units (NaN: no history)"});

    io::StringList layout;
    for (const auto& s : kernels::forecaster_layout(dims_)) {
      std::string shape;
      for (int v : s.shape) {
        if (!shape.empty()) shape += 'x';
        shape += std::to_string(v);
      }
      layout.push_back(fmt::format("{} {} {}", s.name, s.offset, shape));
    }
    attrs.push_back({"model_layout", layout});
    attrs.push_back({"model_parameters", static_cast<std::int64_t>(params_.size())});
    attrs.push_back({"backend", backend_->name()});
    attrs.push_back({"mode", cfg_.get_string("fl.mode")});
    attrs.push_back({"clients", static_cast<std::int64_t>(data_.clients.size())});
    attrs.push_back({"data_source", data_.source});
    attrs.push_back({"data_columns", io::StringList(data_.columns.begin(), data_.columns.end())});
    attrs.push_back({"data_start", data::format_timestamp(data_.start)});
    attrs.push_back({"data_end", data::format_timestamp(data_.end)});
    attrs.push_back({"resolution_seconds", data_.resolution_seconds});
    attrs.push_back({"steps_per_day", static_cast<std::int64_t>(data_.steps_per_day)});
    attrs.push_back({"lookback", static_cast<std::int64_t>(data_.lookback)});
    attrs.push_back({"horizon", static_cast<std::int64_t>(data_.horizon)});
    attrs.push_back({"stride", static_cast<std::int64_t>(data_.stride)});
    attrs.push_back({"holidays", data_.holidays});
    attrs.push_back({"grid_gaps_repaired", static_cast<std::int64_t>(data_.repairs.gaps)});
    attrs.push_back({"grid_steps_inserted", static_cast<std::int64_t>(data_.repairs.gap_steps_inserted)});
    attrs.push_back({"missing_cells", static_cast<std::int64_t>(data_.repairs.missing_cells)});
    attrs.push_back({"features", io::StringList(data::kFeatureNames.begin(), data::kFeatureNames.end())});
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
    o.loss = cfg_.get_string("train.loss") == "l1" ? kernels::LossKind::kL1 : kernels::LossKind::kMse;
    o.optimizer = optimizer_options(cfg_);
    o.seed = static_cast<std::uint64_t>(cfg_.get_int("run.seed"));
    o.lr_decay = cfg_.get_double("train.lr_decay");
    o.lr_decay_patience = static_cast<int>(cfg_.get_int("train.lr_decay_patience"));
    if (ctx.mpi.is_root())
      std::printf("fedload: training %s (%zu parameters) on %zu windows of %zu client(s), validating on %zu\n",
                  backend_->name().c_str(), params_.size(), train.n, data_.clients.size(), val.n);
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
      forecasts_ = forecast_test_days(data_, *backend_, refit_, &ridge_lambda_);
      metrics_ = score_forecasts(forecasts_);
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
    for (const auto& m : metrics_) {
      if (m.client != -1) continue;
      a.push_back({m.method + "_mape", m.metrics.mape});
      a.push_back({m.method + "_rmse", m.metrics.rmse});
      a.push_back({m.method + "_mae", m.metrics.mae});
      a.push_back({m.method + "_r2", m.metrics.r2});
    }
    return a;
  }

  std::vector<std::string> summary() const override {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("{} epochs (best {}){}, {} client(s), {} test days, backend {}",
                                history_.epochs.size(), history_.best_epoch + 1,
                                refit_ ? fmt::format(", refit {} epochs on train + validation", refit_history_.epochs.size()) : "",
                                data_.clients.size(), forecasts_.empty() ? 0 : test_days(), backend_->name()));
    lines.push_back(fmt::format("{:<14}{:>9}{:>12}{:>12}{:>9}", "method", "MAPE %", "RMSE", "MAE", "R2"));
    for (const auto& m : metrics_)
      if (m.client == -1)
        lines.push_back(fmt::format("{:<14}{:>9.3f}{:>12.4f}{:>12.4f}{:>9.4f}", m.method, m.metrics.mape,
                                    m.metrics.rmse, m.metrics.mae, m.metrics.r2));
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
    for (const auto& c : data_.clients) {
      const auto& s = c.slices.front();
      w.append_row("clients",
                   {static_cast<std::int64_t>(c.client), std::string_view(s.column),
                    static_cast<std::int64_t>(c.slices.size()), s.begin, c.slices.back().end,
                    static_cast<std::int64_t>(c.train.size()), static_cast<std::int64_t>(c.val.size()),
                    static_cast<std::int64_t>(c.test_midnight.size()),
                    static_cast<std::int64_t>(c.cleaning.missing_imputed),
                    static_cast<std::int64_t>(c.cleaning.outliers_replaced), c.normalizer.min, c.normalizer.max});
    }
  }

  void write_results(io::ResultWriter& w) const {
    w.append_array("model/final", std::span<const float>(params_));
    for (const auto& f : forecasts_) {
      std::vector<std::int64_t> client(f.origin.size(), static_cast<std::int64_t>(f.client));
      w.append_array("forecast/origin", std::span<const std::int64_t>(f.origin));
      w.append_array("forecast/client", std::span<const std::int64_t>(client));
      w.append_array("forecast/actual", std::span<const float>(f.actual));
      for (std::size_t m = 0; m < forecast_methods().size(); ++m)
        w.append_array("forecast/" + forecast_methods()[m], std::span<const float>(f.predicted[m]));
    }
    std::vector<io::Row> rows;
    for (const auto& m : metrics_)
      rows.push_back({std::string_view(m.method), m.client, m.metrics.mape, m.metrics.rmse, m.metrics.mae,
                      m.metrics.r2, static_cast<std::int64_t>(m.values)});
    w.append_rows("metrics", rows);
  }

  const Config& cfg_;
  data::ClientDatasets data_;
  kernels::ForecasterDims dims_;
  std::unique_ptr<kernels::ForecasterBackend> backend_;
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
