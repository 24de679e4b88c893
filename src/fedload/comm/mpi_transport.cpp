#include "fedload/comm/mpi_transport.hpp"
#include "fedload/comm/mpi_transport_comm.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <string>

#include "fedload/core/error.hpp"

namespace fedload::comm {

namespace detail {

void throw_mpi_error(int code, std::string_view call, int rank, std::string_view host) {
  // the call's text up to its argument list: "MPI_Bcast(p, n, ...)" names MPI_Bcast
  const std::string_view name = call.substr(0, call.find('('));
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  std::string message = MPI_Error_string(code, text, &len) == MPI_SUCCESS
                            ? std::string(text, static_cast<std::size_t>(len))
                            : "MPI error code " + std::to_string(code);
  throw_runtime_error("{} failed on rank {} (host {}): {}", name, rank, host, message);
}

}  // namespace detail

namespace {

#define FEDLOAD_MPI_CHECK(call)                                                    \
  do {                                                                             \
    const int fedload_mpi_status_ = (call);                                        \
    if (fedload_mpi_status_ != MPI_SUCCESS)                                        \
      detail::throw_mpi_error(fedload_mpi_status_, #call, rank_, host_);           \
  } while (0)

MPI_Datatype mpi_type(DataType t) {
  switch (t) {
    case DataType::kByte: return MPI_BYTE;
    case DataType::kFloat32: return MPI_FLOAT;
    case DataType::kFloat64: return MPI_DOUBLE;
    case DataType::kInt64: return MPI_INT64_T;
  }
  throw_runtime_error("mpi transport: unknown comm::DataType {}", static_cast<int>(t));
}

template <typename Pointer>
Pointer advance(Pointer p, std::size_t elements, DataType t) {
  using Byte = std::conditional_t<std::is_const_v<std::remove_pointer_t<Pointer>>, const std::byte, std::byte>;
  return static_cast<Pointer>(static_cast<Byte*>(p) + elements * size_of(t));
}

class MpiTransport final : public Transport {
 public:
  MpiTransport(const MpiSession& session, MpiTransportOptions options)
      : rank_(session.rank()), host_(session.host()), max_per_call_(options.max_elements_per_call) {
    if (max_per_call_ == 0 || max_per_call_ > static_cast<std::size_t>(INT_MAX))
      throw_runtime_error("mpi transport: max_elements_per_call = {} is outside 1..{}", max_per_call_, INT_MAX);
    FEDLOAD_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
    FEDLOAD_MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
    FEDLOAD_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
    FEDLOAD_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  }

  ~MpiTransport() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }

  std::string name() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool supports(MemorySpace space) const override { return space == MemorySpace::kHost; }

  void broadcast(Buffer buf, int root) override {
    require_host(buf.space, "broadcast");
    require_root(root, "broadcast");
    for (const auto& c : chunk_ranges(buf.count, max_per_call_))
      FEDLOAD_MPI_CHECK(MPI_Bcast(advance(buf.data, c.offset, buf.type), static_cast<int>(c.count),
                                  mpi_type(buf.type), root, comm_));
    count_one_to_all(buf.bytes(), root);
  }

  void reduce_sum(ConstBuffer send, Buffer recv, int root) override {
    require_host(send.space, "reduce_sum");
    require_numeric(send.type, "reduce_sum");
    require_root(root, "reduce_sum");
    const bool is_root = rank_ == root;
    if (is_root) {
      require_host(recv.space, "reduce_sum");
      if (recv.type != send.type || recv.count != send.count)
        throw_runtime_error("mpi transport: reduce_sum on root {}: recv is {} x {}, send is {} x {} (they must match)",
                            root, recv.count, name_of(recv.type), send.count, name_of(send.type));
    }
    const bool in_place = is_root && recv.data == send.data;
    for (const auto& c : chunk_ranges(send.count, max_per_call_)) {
      const void* from = in_place ? MPI_IN_PLACE : advance(send.data, c.offset, send.type);
      void* to = is_root ? advance(recv.data, c.offset, recv.type) : nullptr;
      FEDLOAD_MPI_CHECK(MPI_Reduce(from, to, static_cast<int>(c.count), mpi_type(send.type), MPI_SUM, root, comm_));
    }
    const std::uint64_t n = send.bytes(), others = static_cast<std::uint64_t>(size_ - 1);
    if (is_root)
      counts_.bytes_received += n * others;
    else
      counts_.bytes_sent += n;
  }

  void allreduce_max(Buffer inout) override { allreduce(inout, MPI_MAX, "allreduce_max"); }
  void allreduce_sum(Buffer inout) override { allreduce(inout, MPI_SUM, "allreduce_sum"); }

  std::vector<std::vector<std::byte>> gather_bytes(std::span<const std::byte> mine, int root) override {
    require_root(root, "gather_bytes");
    return gather_variable(mine, root);
  }

  std::vector<std::vector<std::byte>> allgather_bytes(std::span<const std::byte> mine) override {
    return gather_variable(mine, kEveryRank);
  }

  void broadcast_bytes(std::vector<std::byte>& bytes, int root) override {
    require_root(root, "broadcast_bytes");
    std::uint64_t n = bytes.size();
    FEDLOAD_MPI_CHECK(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_));
    if (rank_ != root) bytes.assign(n, std::byte{0});
    for (const auto& c : chunk_ranges(bytes.size(), max_per_call_))
      FEDLOAD_MPI_CHECK(MPI_Bcast(bytes.data() + c.offset, static_cast<int>(c.count), MPI_BYTE, root, comm_));
    count_one_to_all(bytes.size(), root);
  }

  std::vector<std::byte> scatter_bytes(const std::vector<std::vector<std::byte>>& per_rank, int root) override {
    require_root(root, "scatter_bytes");
    const auto P = static_cast<std::size_t>(size_);
    const bool is_root = rank_ == root;
    if (is_root && per_rank.size() != P)
      throw_runtime_error("mpi transport: scatter_bytes got {} payloads for {} ranks", per_rank.size(), P);
    std::vector<std::uint64_t> sizes(P, 0);
    if (is_root)
      for (std::size_t r = 0; r < P; ++r) sizes[r] = per_rank[r].size();
    std::uint64_t my_size = 0;
    FEDLOAD_MPI_CHECK(MPI_Scatter(sizes.data(), 1, MPI_UINT64_T, &my_size, 1, MPI_UINT64_T, root, comm_));
    std::vector<std::byte> mine(my_size);
    // in rounds of at most max_per_call_ / P bytes per rank, so every count and displacement fits an int
    const std::size_t per_call = std::max<std::size_t>(1, max_per_call_ / P);
    const std::uint64_t largest = *std::max_element(sizes.begin(), sizes.end());
    std::uint64_t rounds_needed = 0;
    if (is_root) rounds_needed = (largest + per_call - 1) / per_call;
    FEDLOAD_MPI_CHECK(MPI_Bcast(&rounds_needed, 1, MPI_UINT64_T, root, comm_));
    std::vector<int> counts(P), displs(P);
    std::vector<std::byte> staging(is_root ? std::min<std::uint64_t>(largest, per_call) * P : 0);
    for (std::uint64_t k = 0; k < rounds_needed; ++k) {
      const std::uint64_t start = k * per_call;
      int offset = 0;
      for (std::size_t r = 0; r < P; ++r) {
        const std::uint64_t left = sizes[r] > start ? sizes[r] - start : 0;
        counts[r] = static_cast<int>(std::min<std::uint64_t>(left, per_call));
        displs[r] = offset;
        if (is_root && counts[r] > 0)
          std::memcpy(staging.data() + offset, per_rank[r].data() + start, static_cast<std::size_t>(counts[r]));
        offset += counts[r];
      }
      const std::uint64_t left = my_size > start ? my_size - start : 0;
      const int my_count = static_cast<int>(std::min<std::uint64_t>(left, per_call));
      FEDLOAD_MPI_CHECK(MPI_Scatterv(staging.data(), counts.data(), displs.data(), MPI_BYTE,
                                     my_count > 0 ? mine.data() + start : mine.data(), my_count, MPI_BYTE, root,
                                     comm_));
    }
    if (is_root) {
      for (std::size_t r = 0; r < P; ++r)
        if (static_cast<int>(r) != rank_) counts_.bytes_sent += sizes[r];
    } else {
      counts_.bytes_received += my_size;
    }
    return mine;
  }

  void barrier() override { FEDLOAD_MPI_CHECK(MPI_Barrier(comm_)); }

 private:
  static constexpr int kEveryRank = -1;

  void require_host(MemorySpace space, const char* op) const {
    if (space != MemorySpace::kHost)
      throw_runtime_error("mpi transport: {} was given a {} buffer, but it moves host memory only "
                          "(supports(MemorySpace::kDevice) is false): copy the buffer to the host or "
                          "use a transport that supports device memory",
                          op, name_of(space));
  }

  void require_root(int root, const char* op) const {
    if (root < 0 || root >= size_)
      throw_runtime_error("mpi transport: {} with root {}, which is not a rank of this {}-rank job", op, root, size_);
  }

  static void require_numeric(DataType t, const char* op) {
    if (t == DataType::kByte)
      throw_runtime_error("mpi transport: {} takes int64, float32 or float64 elements, not {}", op, name_of(t));
  }

  void count_one_to_all(std::uint64_t n, int root) {
    if (rank_ == root)
      counts_.bytes_sent += n * static_cast<std::uint64_t>(size_ - 1);
    else
      counts_.bytes_received += n;
  }

  void allreduce(Buffer inout, MPI_Op op, const char* what) {
    require_host(inout.space, what);
    require_numeric(inout.type, what);
    for (const auto& c : chunk_ranges(inout.count, max_per_call_))
      FEDLOAD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, advance(inout.data, c.offset, inout.type),
                                      static_cast<int>(c.count), mpi_type(inout.type), op, comm_));
    const std::uint64_t moved = inout.bytes() * static_cast<std::uint64_t>(size_ - 1);
    counts_.bytes_sent += moved;
    counts_.bytes_received += moved;
  }

  // gather (root >= 0) or allgather (root == kEveryRank) of variable-size payloads. Every rank
  // learns every size first; then the bytes move in rounds in which each rank contributes at
  // most `per_rank` bytes, so counts and displacements stay within max_per_call_.
  std::vector<std::vector<std::byte>> gather_variable(std::span<const std::byte> mine, int root) {
    const auto P = static_cast<std::size_t>(size_);
    std::uint64_t my_size = mine.size();
    std::vector<std::uint64_t> sizes(P);
    FEDLOAD_MPI_CHECK(MPI_Allgather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm_));
    const bool receives = root == kEveryRank || rank_ == root;

    std::vector<std::vector<std::byte>> out;
    if (receives) {
      out.resize(P);
      for (std::size_t r = 0; r < P; ++r) out[r].resize(sizes[r]);
    }
    const std::size_t per_rank = std::max<std::size_t>(1, max_per_call_ / P);
    const std::uint64_t largest = *std::max_element(sizes.begin(), sizes.end());
    std::vector<int> counts(P), displs(P);
    std::vector<std::byte> staging(receives ? std::min<std::uint64_t>(largest, per_rank) * P : 0);
    for (std::uint64_t start = 0; start < largest; start += per_rank) {
      int offset = 0;
      for (std::size_t r = 0; r < P; ++r) {
        const std::uint64_t left = sizes[r] > start ? sizes[r] - start : 0;
        counts[r] = static_cast<int>(std::min<std::uint64_t>(left, per_rank));
        displs[r] = offset;
        offset += counts[r];
      }
      const int my_count = counts[static_cast<std::size_t>(rank_)];
      const std::byte* from = my_count > 0 ? mine.data() + start : mine.data();
      if (root == kEveryRank)
        FEDLOAD_MPI_CHECK(MPI_Allgatherv(from, my_count, MPI_BYTE, staging.data(), counts.data(), displs.data(),
                                         MPI_BYTE, comm_));
      else
        FEDLOAD_MPI_CHECK(MPI_Gatherv(from, my_count, MPI_BYTE, staging.data(), counts.data(), displs.data(),
                                      MPI_BYTE, root, comm_));
      if (receives)
        for (std::size_t r = 0; r < P; ++r)
          if (counts[r] > 0)
            std::memcpy(out[r].data() + start, staging.data() + displs[r], static_cast<std::size_t>(counts[r]));
    }

    std::uint64_t others = 0;
    for (std::size_t r = 0; r < P; ++r)
      if (static_cast<int>(r) != rank_) others += sizes[r];
    if (root == kEveryRank) {
      counts_.bytes_sent += my_size * (P - 1);
      counts_.bytes_received += others;
    } else if (rank_ == root) {
      counts_.bytes_received += others;
    } else {
      counts_.bytes_sent += my_size;
    }
    return out;
  }

  friend MPI_Comm detail::mpi_communicator(const Transport& transport);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::string host_;
  std::size_t max_per_call_;
};

#undef FEDLOAD_MPI_CHECK

}  // namespace

std::unique_ptr<Transport> make_mpi_transport(const MpiSession& session, MpiTransportOptions options) {
  return std::make_unique<MpiTransport>(session, options);
}

MPI_Comm detail::mpi_communicator(const Transport& transport) {
  const auto* mpi = dynamic_cast<const MpiTransport*>(&transport);
  if (mpi == nullptr) throw_runtime_error("mpi_communicator: the transport is not an MPI Transport");
  return mpi->comm_;
}

}  // namespace fedload::comm
