#pragma once
// What the centralized and the federated experiments read from the config and record alike:
// the forecaster's shape, the optimizer and loss, and the attributes describing data and model.
#include <string>

#include "fedload/core/config.hpp"
#include "fedload/data/dataset.hpp"
#include "fedload/io/attribute.hpp"
#include "fedload/kernels/backend.hpp"

namespace fedload::app {

kernels::OptimizerOptions optimizer_options(const Config& c);
kernels::LossKind loss_kind(const Config& c);
// B from train.batch_size, T and O from the data's lookback and horizon, H and layers from [model]
kernels::ForecasterDims forecaster_dims(const Config& c, const data::ClientDatasets& data);
// attributes: model layout and size, data source, span, resolution, windows, repairs, features
void add_data_and_model_attributes(io::AttributeList& attrs, const data::ClientDatasets& data,
                                   const kernels::ForecasterDims& dims);
// 12.3s, 4m05s, 2h10m
std::string duration_text(double seconds);

}  // namespace fedload::app
