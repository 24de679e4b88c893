#include "fedload/he/packed_encoder.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "fedload/core/error.hpp"

namespace fedload::he {

namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

static_assert(sizeof(mp_limb_t) == sizeof(std::uint64_t), "fedload::he assumes 64-bit GMP limbs");

constexpr std::uint64_t kOffset = std::uint64_t{1} << 63;

// The 64 bits of `words` (least significant word first) starting at bit `at`; words must have a
// word beyond the last one read.
std::uint64_t bits64_at(const std::vector<std::uint64_t>& words, std::size_t at) {
  const std::size_t w = at / 64, s = at % 64;
  if (s == 0) return words[w];
  return (words[w] >> s) | (words[w + 1] << (64 - s));
}

}  // namespace

PackedEncoder::PackedEncoder(std::size_t modulus_bits, std::uint32_t max_clients) : max_clients_(max_clients) {
  if (max_clients == 0) throw_input_error("PackedEncoder: the maximum number of clients must be at least 1");
  // ceil(log2(K_max + 1)) = bit_width(K_max): a sum of K_max values below 2^64 is below 2^(64 + that).
  slot_bits_ = 64 + static_cast<std::size_t>(std::bit_width(max_clients));
  slots_ = modulus_bits > 1 ? (modulus_bits - 1) / slot_bits_ : 0;
  if (slots_ == 0) {
    throw_input_error("PackedEncoder: a {}-bit modulus holds no {}-bit slot (max clients {})", modulus_bits, slot_bits_,
                      max_clients);
  }
}

std::vector<BigInt> PackedEncoder::encode(std::span<const std::int64_t> values) const {
  const std::size_t count = plaintexts_for(values.size());
  std::vector<BigInt> out(count);
  // One word more than the slots need, so that a value straddling the last word has room.
  std::vector<std::uint64_t> words((slots_ * slot_bits_ + 63) / 64 + 1);
  for (std::size_t k = 0; k < count; ++k) {
    std::fill(words.begin(), words.end(), 0);
    const std::size_t first = k * slots_;
    const std::size_t last = std::min(values.size(), first + slots_);
    for (std::size_t j = first; j < last; ++j) {
      // v + 2^63 in [0, 2^64): flipping the sign bit of the two's complement word.
      const std::uint64_t u = static_cast<std::uint64_t>(values[j]) ^ kOffset;
      const std::size_t at = (j - first) * slot_bits_;
      const std::size_t w = at / 64, s = at % 64;
      words[w] |= u << s;
      if (s != 0) words[w + 1] |= u >> (64 - s);
    }
    mpz_import(out[k].mut(), words.size(), -1, sizeof(std::uint64_t), 0, 0, words.data());
  }
  return out;
}

void PackedEncoder::decode(std::span<const BigInt> sums, std::uint32_t clients, std::span<std::int64_t> out) const {
  if (clients == 0 || clients > max_clients_) {
    throw_input_error("PackedEncoder: {} clients, but this encoder's slots hold sums of 1 to {} clients", clients,
                      max_clients_);
  }
  if (sums.size() != plaintexts_for(out.size())) {
    throw_runtime_error("PackedEncoder: {} values need {} plaintexts, got {}", out.size(), plaintexts_for(out.size()),
                        sums.size());
  }
  const std::size_t used_bits = slots_ * slot_bits_;
  // Two spare words: a slot's high part is read 64 bits past its start.
  std::vector<std::uint64_t> words((used_bits + 63) / 64 + 2);
  const std::uint64_t high_mask = (std::uint64_t{1} << (slot_bits_ - 64)) - 1;
  const Int128 offset = static_cast<Int128>(clients) * static_cast<Int128>(kOffset);
  for (std::size_t k = 0; k < sums.size(); ++k) {
    const BigInt& s = sums[k];
    if (mpz_sgn(s.get()) < 0 || s.bits() > used_bits) {
      throw_runtime_error("PackedEncoder: plaintext {} has {} bits, more than its {} slots of {} bits: not a sum of encodings",
                          k, s.bits(), slots_, slot_bits_);
    }
    std::fill(words.begin(), words.end(), 0);
    std::size_t written = 0;
    mpz_export(words.data(), &written, -1, sizeof(std::uint64_t), 0, 0, s.get());
    const std::size_t first = k * slots_;
    const std::size_t last = std::min(out.size(), first + slots_);
    for (std::size_t j = first; j < last; ++j) {
      const std::size_t at = (j - first) * slot_bits_;
      const std::uint64_t low = bits64_at(words, at);
      const std::uint64_t high = bits64_at(words, at + 64) & high_mask;
      const Int128 sum = static_cast<Int128>((static_cast<UInt128>(high) << 64) | low) - offset;
      if (sum < std::numeric_limits<std::int64_t>::min() || sum > std::numeric_limits<std::int64_t>::max()) {
        throw_runtime_error("PackedEncoder: the sum of value {} over {} clients does not fit int64", j, clients);
      }
      out[j] = static_cast<std::int64_t>(sum);
    }
  }
}

std::vector<std::int64_t> PackedEncoder::decode(std::span<const BigInt> sums, std::uint32_t clients,
                                                std::size_t count) const {
  std::vector<std::int64_t> out(count);
  decode(sums, clients, out);
  return out;
}

}  // namespace fedload::he
