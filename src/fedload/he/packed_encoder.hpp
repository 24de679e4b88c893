#pragma once
// PackedEncoder: many signed int64 values per Paillier plaintext, so that one homomorphic
// addition adds them all (the batching idea of BatchCrypt, Zhang et al., USENIX ATC 2020, for
// exact integers).
//
// Layout: slot i of a plaintext holds bits [i w, (i + 1) w) with
//   w = 64 + ceil(log2(K_max + 1))     (slot_bits)
// and the value v stored as v + 2^63, which lies in [0, 2^64). A sum of K <= K_max encodings
// holds K v-sums plus K 2^63 in each slot, at most K (2^64 - 1) < 2^w, so no slot carries into
// the next and decode recovers every slot's exact sum; subtracting K 2^63 gives the int64 sum.
// The slots per plaintext are floor((bits(n) - 1) / w) (slots), so every encoding and every
// such sum stays below 2^(bits(n) - 1) <= n: the additions modulo n never wrap.
// For a 2048-bit n and K_max = 8: w = 68, 30 slots; for 3072 bits: 45 slots.
//
// The plaintext sum is exact only if the true sum of every slot fits int64; decode checks this
// and throws otherwise. A K wrong by d shifts every sum by d 2^63: always caught for |d| >= 2,
// for |d| = 1 only at values whose sign the shift pushes out of range, so K must be right.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fedload/he/big_int.hpp"

namespace fedload::he {

class PackedEncoder {
 public:
  // For plaintexts below an n of modulus_bits bits, and sums of 1..max_clients encodings;
  // a fedload::InputError if max_clients is 0 or no slot fits.
  PackedEncoder(std::size_t modulus_bits, std::uint32_t max_clients);

  std::size_t slot_bits() const { return slot_bits_; }
  std::size_t slots() const { return slots_; }
  std::uint32_t max_clients() const { return max_clients_; }
  // Plaintexts needed for `values` values: ceil(values / slots()).
  std::size_t plaintexts_for(std::size_t values) const { return (values + slots_ - 1) / slots_; }

  // values, slots() per plaintext in order; the last plaintext's unused slots hold 0.
  std::vector<BigInt> encode(std::span<const std::int64_t> values) const;

  // out[j] = the int64 sum of value j over the `clients` encodings whose plaintext sums are
  // `sums` (sums.size() == plaintexts_for(out.size())). A fedload::InputError if clients is 0 or
  // exceeds max_clients(); a fedload::Error if sums has the wrong length, a plaintext exceeds
  // slots() * slot_bits() bits, or a slot's sum lies outside int64 (naming the value's index).
  void decode(std::span<const BigInt> sums, std::uint32_t clients, std::span<std::int64_t> out) const;
  std::vector<std::int64_t> decode(std::span<const BigInt> sums, std::uint32_t clients, std::size_t count) const;

 private:
  std::size_t slot_bits_, slots_;
  std::uint32_t max_clients_;
};

}  // namespace fedload::he
