#pragma once
// The process's MPI lifetime (MPI_Init_thread .. MPI_Finalize) and what a result file records
// about the job: rank, size, every rank's host name, the MPI library; and each rank's place on
// its node (what picks its GPU). A program started without mpirun runs as a one-rank job (MPI
// singleton).
#include <string>
#include <vector>

namespace fedload::comm {

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  // This rank's place among the ranks that share its node (MPI_COMM_TYPE_SHARED), from 0, and
  // how many ranks that node has.
  int node_rank() const { return node_rank_; }
  int node_size() const { return node_size_; }
  // Host name of every rank, gathered on every rank (collective: call on all ranks).
  std::vector<std::string> all_hosts() const;
  const std::string& host() const { return host_; }
  // Every rank's `mine`, in rank order, on every rank (collective).
  std::vector<int> all_ints(int mine) const;
  // Every rank's bytes on rank 0, in rank order (other ranks get an empty list). Collective.
  std::vector<std::vector<char>> gather_to_root(const std::vector<char>& mine) const;
  // Collective: every rank says whether it failed (0 = no, else its exit code); all learn the
  // largest code and the lowest failing rank (-1 when none failed). For steps whose errors can
  // differ between ranks (each rank reads its own clients' data), so that one rank reports and
  // all exit alike instead of some waiting in the next collective.
  struct Agreement {
    int code = 0;
    int first_failed_rank = -1;
  };
  Agreement agree_on_failure(int my_code) const;
  static std::string library_version();
  // Ends every rank of the job (error path: no rank may be left waiting in a collective).
  [[noreturn]] static void abort(int code);

 private:
  int rank_ = 0, size_ = 1;
  int node_rank_ = 0, node_size_ = 1;
  std::string host_;
};

}  // namespace fedload::comm
