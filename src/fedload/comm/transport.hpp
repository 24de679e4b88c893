#pragma once
// Transport: the collectives one federated round needs, over any fabric. Rank 0 broadcasts the
// global model (one contiguous buffer), clients' updates are summed to rank 0, small metadata
// and opaque variable-size payloads (ciphertexts) are gathered. Implementations: MPI (host
// memory, mpi_transport.hpp); later NCCL (device memory and a stream) behind the same calls.
//
// Every call is collective: every rank of the transport calls it, in the same order, with the
// same root, and with buffers of the same type and element count (except reduce_sum's recv and
// the bytes payloads, see below). A call that breaks a precondition it can see locally (a device
// buffer the transport cannot move, a type a reduction does not take, a root that is not a rank)
// throws fedload::Error before any communication; such misuse is the same on every rank, so every
// rank throws. A failure inside the fabric throws fedload::Error naming the call, rank and host;
// the other ranks may then be left waiting in the collective, so whoever catches it must end
// the job (MpiSession::abort).
//
// Byte counting (counts()): logical payload bytes, independent of the algorithm the fabric
// picks (trees, rings, chunking) and of the sizes that travel with variable-size payloads.
// With P ranks and n = bytes of the buffer (or payload), per call:
//   broadcast, broadcast_bytes  root sent n·(P−1); every other rank received n
//   reduce_sum                  every non-root sent n; root received n·(P−1)
//   allreduce_max, allreduce_sum  every rank sent n·(P−1) and received n·(P−1)
//   gather_bytes                every non-root sent its own n_r; root received Σ_{r≠root} n_r
//   scatter_bytes               root sent Σ_{r≠root} n_r; rank r received its own n_r
//   allgather_bytes             rank r sent n_r·(P−1) and received Σ_{q≠r} n_q
//   barrier                     nothing
// So, summed over ranks, bytes sent equal bytes received for every call, and a one-rank
// transport counts nothing. A rank's own contribution is never counted as received.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fedload::comm {

enum class DataType { kByte, kFloat32, kFloat64, kInt64 };
enum class MemorySpace { kHost, kDevice };

std::size_t size_of(DataType t);
const char* name_of(DataType t);       // "byte", "float32", "float64", "int64"
const char* name_of(MemorySpace s);    // "host", "device"

// A typed, contiguous range of elements in host or device memory. Buffers do not own memory.
struct Buffer {
  void* data = nullptr;
  std::size_t count = 0;  // elements, not bytes
  DataType type = DataType::kByte;
  MemorySpace space = MemorySpace::kHost;
  std::size_t bytes() const { return count * size_of(type); }
};

struct ConstBuffer {
  const void* data = nullptr;
  std::size_t count = 0;
  DataType type = DataType::kByte;
  MemorySpace space = MemorySpace::kHost;
  std::size_t bytes() const { return count * size_of(type); }
};

// Host buffers over spans (a device buffer is written out field by field: its pointer says
// nothing about where it lives).
Buffer buffer_of(std::span<float> s);
Buffer buffer_of(std::span<double> s);
Buffer buffer_of(std::span<std::int64_t> s);
Buffer buffer_of(std::span<std::byte> s);
ConstBuffer const_buffer_of(std::span<const float> s);
ConstBuffer const_buffer_of(std::span<const double> s);
ConstBuffer const_buffer_of(std::span<const std::int64_t> s);
ConstBuffer const_buffer_of(std::span<const std::byte> s);
// The same range, read-only (e.g. reduce_sum in place on root: send = const_view(recv)).
ConstBuffer const_view(const Buffer& b);

struct TransferCounts {
  std::uint64_t bytes_sent = 0, bytes_received = 0;
};
// What one phase moved: counts() after minus counts() before.
TransferCounts operator-(const TransferCounts& after, const TransferCounts& before);

// A range of elements [offset, offset + count).
struct ElementRange {
  std::size_t offset = 0, count = 0;
};
// Splits `count` elements into consecutive ranges of at most `max_per_call` elements each (a
// fabric whose counts are `int` cannot move more than INT_MAX elements in one call). No ranges
// for count 0; max_per_call must be positive.
std::vector<ElementRange> chunk_ranges(std::size_t count, std::size_t max_per_call);

class Transport {
 public:
  virtual ~Transport() = default;
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  virtual std::string name() const = 0;  // "mpi"
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Whether buffers in this memory space can be passed to the collectives.
  virtual bool supports(MemorySpace space) const = 0;

  // root's buf to every rank, in place. Any type.
  virtual void broadcast(Buffer buf, int root) = 0;
  // Element-wise sum of every rank's send into root's recv. Types int64 (exact, so the result
  // does not depend on the number of ranks or the fabric's reduction order), float32, float64
  // (rounding depends on the order the fabric picks). recv is read on root only (may be empty
  // elsewhere); on root it has send's type and count, and may be send itself (in place).
  virtual void reduce_sum(ConstBuffer send, Buffer recv, int root) = 0;
  // Element-wise max / sum over every rank, result on every rank, in place. int64, float32,
  // float64 (an int64 sum is exact).
  virtual void allreduce_max(Buffer inout) = 0;
  virtual void allreduce_sum(Buffer inout) = 0;

  // Opaque variable-size payloads (sizes may differ between ranks, zero included).
  // Every rank's bytes on root, in rank order (other ranks get an empty list).
  virtual std::vector<std::vector<std::byte>> gather_bytes(std::span<const std::byte> mine, int root) = 0;
  // Every rank's bytes on every rank, in rank order.
  virtual std::vector<std::vector<std::byte>> allgather_bytes(std::span<const std::byte> mine) = 0;
  // root's bytes to every rank; the size travels too (what other ranks pass in is replaced).
  virtual void broadcast_bytes(std::vector<std::byte>& bytes, int root) = 0;
  // per_rank[r] (read on root only, one entry per rank, root's own included) to rank r: each
  // rank returns its own payload, so root can hand different ranks different bytes (or none),
  // e.g. a secret key to the ranks that host clients and nothing to the server.
  virtual std::vector<std::byte> scatter_bytes(const std::vector<std::vector<std::byte>>& per_rank, int root) = 0;

  virtual void barrier() = 0;

  // Logical payload bytes this rank sent and received since construction (rules above).
  TransferCounts counts() const { return counts_; }

 protected:
  TransferCounts counts_;
};

}  // namespace fedload::comm
