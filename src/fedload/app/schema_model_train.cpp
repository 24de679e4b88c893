// [model], [train], [fl] and [backend] keys.
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_model_keys(ConfigSchema& s) {
  s.integer("model.hidden", 32, 1, 4096, "LSTM hidden size H of every layer");
  s.integer("model.layers", 1, 1, 8, "stacked LSTM layers; a linear head maps the last hidden state to the horizon");
}

void add_train_keys(ConfigSchema& s) {
  s.integer("train.epochs", 20, 1, 100000, "passes over the training windows (upper bound with early stopping)");
  s.integer("train.batch_size", 64, 1, 1048576, "windows per optimizer step");
  s.choice("train.optimizer", "adam", {"adam", "sgd"}, "Adam (PyTorch semantics) or SGD with momentum");
  s.real("train.lr", 1e-3, 1e-8, 10, "learning rate");
  s.real("train.momentum", 0.9, 0, 0.999999, "SGD momentum");
  s.real("train.weight_decay", 0.0, 0, 10, "L2 penalty added to the gradient");
  s.real("train.max_grad_norm", 1.0, 0, 1e9, "clip the global gradient L2 norm to this; 0 = no clipping");
  s.choice("train.loss", "mse", {"mse", "l1"}, "training loss on normalized load");
  s.integer("train.patience", 5, 0, 100000,
            "early stopping: epochs without a better validation loss before stopping (best epoch restored); 0 = off");
  s.real("train.lr_decay", 1.0, 1e-6, 1.0,
         "multiply the learning rate by this after train.lr_decay_patience epochs without a better validation loss; 1 = constant");
  s.integer("train.lr_decay_patience", 2, 1, 100000, "epochs without improvement before the learning rate decays");
  s.boolean("train.refit", false,
            "after early stopping picks the epoch count, train again from the same initialization on training + validation windows for that many epochs (and refit ridge on both), so the model sees everything before the test span");
}

void add_fl_keys(ConfigSchema& s) {
  s.choice("fl.mode", "centralized", {"centralized"},
           "centralized = pool every client's windows and train one model (the CL-LSTM baseline)");
  s.integer("fl.clients", 0, 0, 1000000,
            "number of clients; 0 = natural count (synthetic: 4, CSV: one per load column)");
}

void add_backend_keys(ConfigSchema& s) {
  s.string("backend.kind", "cpu",
           "training backend by name (see `fedload --version`): cpu (fast), cpu_reference (the judge); cuda, cuda_stream, cuda_persistent, cuda_cluster, cudnn* where built with CUDA");
}

}  // namespace fedload::app
