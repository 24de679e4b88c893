#include "fedload/app/online_correction.hpp"

#include <algorithm>

#include "fedload/app/training_config.hpp"
#include "fedload/core/stall_watchdog.hpp"
#include "fedload/data/time.hpp"
#include "fedload/kernels/optimizer.hpp"

namespace fedload::app {

OnlineCorrection online_correction_from_config(const Config& c, const ForecasterModel& m) {
  OnlineCorrection o;
  o.on = c.get_bool("model.correction");
  o.days = static_cast<int>(c.get_int("model.correction_days"));
  o.steps = static_cast<int>(c.get_int("model.correction_steps"));
  o.optimizer = optimizer_options(c);
  o.optimizer.lr = static_cast<float>(c.get_double("model.correction_lr"));
  o.loss = loss_kind(c);
  o.output_layer = m.output_layer();
  return o;
}

namespace {

struct WindowRef {
  data::Timestamp origin;
  const data::WindowSet* set;
  std::size_t index;
};

// every window of the client, by origin (a stable order for equal origins: train, val, test)
std::vector<WindowRef> windows_by_origin(const data::ClientDataset& c) {
  std::vector<WindowRef> all;
  for (const data::WindowSet* set : {&c.train, &c.val, &c.test})
    for (std::size_t i = 0; i < set->size(); ++i) all.push_back({set->origin[i], set, i});
  std::stable_sort(all.begin(), all.end(), [](const WindowRef& a, const WindowRef& b) { return a.origin < b.origin; });
  return all;
}

}  // namespace

std::vector<float> corrected_test_day_forecasts(const data::ClientDataset& c, std::int64_t resolution_seconds,
                                                kernels::ForecasterBackend& backend, const OnlineCorrection& o) {
  const auto& days = c.test_midnight;
  const std::size_t n = backend.param_count(), H = days.horizon, row = days.lookback * days.features;
  const auto B = static_cast<std::size_t>(backend.dims().B);
  std::vector<float> initial(n), p(n), g(n), out(days.size() * H);
  backend.get_params(initial.data());
  p = initial;
  std::size_t tuned = 0;
  for (const auto& s : o.output_layer) tuned += s.size();
  kernels::OptimizerState<float> state(tuned);
  std::vector<float> head(tuned), head_grad(tuned);
  const std::vector<WindowRef> all = windows_by_origin(c);
  std::vector<float> x, y;
  for (std::size_t d = 0; d < days.size(); ++d) {
    const data::Timestamp origin = days.origin[d];
    const data::Timestamp observed_by = origin - static_cast<std::int64_t>(H) * resolution_seconds;
    const data::Timestamp earliest = origin - static_cast<std::int64_t>(o.days) * data::kSecondsPerDay;
    // windows [first, last) have earliest <= origin' <= observed_by
    const auto by_origin = [](const WindowRef& w, data::Timestamp t) { return w.origin < t; };
    const auto first = std::lower_bound(all.begin(), all.end(), earliest, by_origin);
    const auto last = std::lower_bound(all.begin(), all.end(), observed_by + 1, by_origin);
    const auto count = static_cast<std::size_t>(last - first);
    for (int s = 0; s < o.steps && count > 0; ++s) {
      // one step on the mean loss over all of them: batches of at most B, gradients weighted
      // by their share of the windows
      std::fill(head_grad.begin(), head_grad.end(), 0.0f);
      for (std::size_t begin = 0; begin < count; begin += B) {
        const std::size_t b = std::min(B, count - begin);
        x.clear();
        y.clear();
        for (auto w = first + static_cast<std::ptrdiff_t>(begin); w != first + static_cast<std::ptrdiff_t>(begin + b); ++w) {
          const auto xi = w->set->x.begin() + static_cast<std::ptrdiff_t>(w->index * row);
          const auto yi = w->set->y.begin() + static_cast<std::ptrdiff_t>(w->index * H);
          x.insert(x.end(), xi, xi + static_cast<std::ptrdiff_t>(row));
          y.insert(y.end(), yi, yi + static_cast<std::ptrdiff_t>(H));
        }
        backend.set_params(p.data());
        backend.load_batch(x.data(), y.data(), static_cast<int>(b));
        backend.forward_backward(o.loss);
        backend.get_grads(g.data());
        const float share = static_cast<float>(b) / static_cast<float>(count);
        std::size_t k = 0;
        for (const auto& slot : o.output_layer)
          for (std::size_t j = 0; j < slot.size(); ++j) head_grad[k++] += share * g[slot.offset + j];
      }
      // only the output layer moves; the rest of p stays the trained model
      std::size_t k = 0;
      for (const auto& slot : o.output_layer) {
        std::copy_n(p.begin() + static_cast<std::ptrdiff_t>(slot.offset), slot.size(), head.begin() + static_cast<std::ptrdiff_t>(k));
        k += slot.size();
      }
      state.step(o.optimizer, head.data(), head_grad.data());
      k = 0;
      for (const auto& slot : o.output_layer) {
        std::copy_n(head.begin() + static_cast<std::ptrdiff_t>(k), slot.size(), p.begin() + static_cast<std::ptrdiff_t>(slot.offset));
        k += slot.size();
      }
    }
    note_heartbeat();  // StallWatchdog: correcting is training too
    backend.set_params(p.data());
    backend.load_batch(days.x.data() + d * row, nullptr, 1);
    backend.predict(out.data() + d * H);
  }
  backend.set_params(initial.data());
  return out;
}

}  // namespace fedload::app
