#pragma once
// When a GPU backend runs its training step eagerly, captures it into a CUDA graph, or replays
// a captured graph: plain C++ (no CUDA), so that CI tests the policy without a GPU.
//
// A graph holds every launch parameter by value, so one graph is kept per key (batch size and
// loss; a backend whose descriptors or buffers change calls reset()). The first step with a new
// key runs eagerly: library calls initialise lazily (cuBLAS workspaces, cuDNN kernel loading)
// and such work must not happen while the stream is capturing. The second step with that key is
// captured and launched, every later one replayed. Once a capture is refused, every step runs
// eagerly until reset() forgets the refusal.
#include <map>
#include <string>
#include <utility>

namespace fedload::kernels {

enum class StepAction {
  kEager,    // graphs disabled or refused: launch the step's work directly
  kWarmUp,   // first step with this key: eager, and remember the key
  kCapture,  // second step with this key: capture it, then launch the graph
  kReplay    // a graph for this key exists: launch it
};

class GraphReplayPolicy {
 public:
  // enabled = false: every step is kEager and describe() says why (e.g. "FEDLOAD_CUDA_GRAPH=0").
  explicit GraphReplayPolicy(bool enabled, std::string why_disabled = {});
  StepAction next(int batch, int loss);
  // The capture of (batch, loss) succeeded and its graph is kept.
  void captured(int batch, int loss);
  // A capture failed (an error while capturing, or the end of capture reported an invalidated
  // capture, or instantiation failed): eager from now on. The reason is kept without the
  // folders of a leading source path and cut to 240 characters.
  void refuse(std::string reason);
  // Forgets every key (the caller drops its graphs too). refused non-empty: eager from now on
  // with that reason (e.g. restoring what an earlier setup learned); empty: capture again.
  void reset(std::string refused = {});
  bool refused() const { return !refused_.empty(); }
  const std::string& refusal() const { return refused_; }
  // "graph", "eager (FEDLOAD_CUDA_GRAPH=0)", "eager (capture refused: ...)".
  std::string describe() const;

 private:
  enum class KeyState { kWarm, kCaptured };
  bool enabled_;
  std::string why_disabled_;
  std::string refused_;
  std::map<std::pair<int, int>, KeyState> keys_;
};

// Whether NVIDIA_TF32_OVERRIDE (its value, or nullptr when unset) switches TF32 off in cuBLAS
// and cuDNN whatever the program asks for: "0" does.
bool tf32_disabled_by_environment(const char* nvidia_tf32_override);

}  // namespace fedload::kernels
