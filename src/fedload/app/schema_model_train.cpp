// [model], [train], [fl] and [backend] keys.
#include "fedload/app/schema_sections.hpp"
#include "fedload/fl/strategy.hpp"

namespace fedload::app {

void add_model_keys(ConfigSchema& s) {
  s.choice("model.kind", "lstm", {"lstm", "hybrid"},
           "lstm = stacked LSTM and a linear head (the default forecaster); hybrid = Lu et al. 2024: the same LSTM block plus a fully connected block on week statistics, similarity to K-means week centroids and embedded time indices, joined by one output layer (CPU only: backend.kind cpu, cpu_reference or auto)");
  s.integer("model.hybrid_clusters", 4, 1, 64,
            "hybrid: K, the K-means centroids of each client's training weeks its similarity features compare against");
  s.integer("model.hybrid_embed", 4, 1, 256, "hybrid: embedding width of each time index (hour, day of week, month, holiday)");
  s.integer("model.hybrid_fc", 16, 1, 4096, "hybrid: width of the fully connected block");
  s.boolean("model.correction", false,
            "online correction at forecast time: before each test day, the output layer (head) alone takes model.correction_steps steps on the windows of the last model.correction_days days whose targets are already observed; the corrected forecasts are method <kind>_corrected beside the uncorrected ones");
  s.integer("model.correction_days", 7, 1, 3650, "online correction: days of latest observed windows it fits");
  s.integer("model.correction_steps", 5, 1, 100000, "online correction: optimizer steps on the output layer before each test day");
  s.real("model.correction_lr", 1e-3, 1e-9, 10, "online correction: learning rate (train.optimizer and train.loss as in training)");
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
  s.choice("fl.mode", "centralized", {"centralized", "federated"},
           "centralized = pool every client's windows and train one model (the CL-LSTM baseline); federated = clients train locally, rank 0 aggregates, for fl.rounds rounds");
  s.integer("fl.clients", 0, 0, 1000000,
            "number of clients; 0 = natural count (synthetic: 4, CSV: one per load column)");
  s.integer("fl.rounds", 20, 1, 1000000, "federated: communication rounds");
  s.choice("fl.strategy", "fedavg", fl::strategy_names(),
           "federated: aggregation rule (fedavg: weights by training windows; fedprox: fedavg + proximal term in the local objective; fednova: normalized by local steps; mean: unweighted; median: coordinate-wise median of the updates; trimmed_mean: coordinate-wise mean without the fl.trim_fraction largest and smallest; krum: the plain mean of the fl.krum_select updates closest to their n - f - 2 nearest others, f = fl.krum_byzantine; quality_weighted: updates rescaled to the norm of the coordinate-wise median and weighted by max(0, cosine to it))");
  s.choice("fl.aggregation", "exact", {"exact", "float", "paillier"},
           "federated, linear strategies (not median / trimmed_mean / krum / quality_weighted, which gather every update to rank 0): exact = int64 fixed-point sum, the model bitwise the same on any number of ranks; float = float32 sum reduced by MPI, faster, last bits depend on the placement; paillier = each client's int64 terms Paillier-encrypted ([he]), rank 0 adds the ciphertexts and decrypts the sum: exact's model bit for bit, at the cost of the encryption");
  s.real("fl.prox_mu", 0.01, 0, 1e6, "fedprox: weight mu of the proximal term mu/2 |w - w_global|^2");
  s.real("fl.trim_fraction", 0.1, 0.0, 0.499999,
         "trimmed_mean: fraction beta of the clients cut at each end of every coordinate (floor(beta K) of K), in [0, 0.5)");
  s.integer("fl.krum_byzantine", 1, 0, 1000000,
            "krum: f, the Byzantine clients a round tolerates; every round needs n >= 2f + 3 clients (fixed counts are checked at start; a Poisson round with fewer leaves the model unchanged)");
  s.integer("fl.krum_select", 1, 1, 1000000,
            "krum: m, the lowest-scored updates averaged without weights: 1 = Krum, > 1 = multi-Krum; at most n - f (a Poisson round where n - f < m averages its n - f best)");
  s.real("fl.server_lr", 1.0, 1e-9, 1e3, "federated: server learning rate scaling the aggregated update");
  s.choice("fl.selection", "all", {"all", "fixed", "poisson"},
           "federated: clients per round: all; fixed = floor(fl.fraction * clients) without replacement; poisson = each client independently with probability fl.rate");
  s.real("fl.fraction", 1.0, 1e-9, 1.0, "selection = \"fixed\": fraction of the clients selected per round (at least one)");
  s.real("fl.rate", 0.1, 1e-9, 1.0, "selection = \"poisson\": each client's probability of taking part in a round");
  s.integer("fl.local_epochs", 1, 1, 100000, "federated: passes over the client's training windows per round (when fl.local_steps = 0)");
  s.integer("fl.local_steps", 0, 0, 1000000000, "federated: > 0 = exactly this many optimizer steps per round instead of epochs");
  s.real("fl.work_variation", 0.0, 0.0, 0.99,
         "federated: client c does a fixed fraction (1 - v*u_c), u_c uniform in [0,1) from the seed, of the local epochs or steps: heterogeneous local work (what FedNova corrects)");
  s.integer("fl.clients_per_rank", 0, 0, 1000000,
            "federated: clients run one after another on each rank; 0 = spread evenly over the ranks that host clients");
  s.boolean("fl.server_hosts_clients", true, "federated: rank 0 hosts clients too (false: it only aggregates)");
  s.integer("fl.checkpoint_every", 5, 0, 1000000,
            "federated: store the global model and registered state every k rounds, so `fedload run --resume FILE` can continue a killed run; 0 = never");
  s.integer("fl.eval_every", 1, 1, 1000000, "federated: evaluate the global model on every client's test days every k rounds (and after the last)");
}

void add_backend_keys(ConfigSchema& s) {
  s.string("backend.kind", "cpu",
           "training backend by name (see `fedload --version`): cpu (fast), cpu_reference (the judge); cuda, cuda_stream, cuda_persistent, cuda_cluster, cudnn* where built with CUDA; auto = the fastest for the model's shape by a fixed rule (README: \"Choosing a backend\"), cpu without a GPU");
}

}  // namespace fedload::app
