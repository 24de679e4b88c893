#include "fedload/he/random_source.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <sys/random.h>

#include "fedload/core/error.hpp"

namespace fedload::he {

void OsRandom::fill(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // getrandom returns at most 33554431 bytes per call and may be interrupted by a signal;
    // both are ordinary, so loop. Flags 0: block only until the pool was first initialised.
    const ssize_t got = getrandom(out.data() + done, out.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_runtime_error("getrandom failed: {}", std::strerror(errno));
    }
    done += static_cast<std::size_t>(got);
  }
}

void SeededRandom::fill(std::span<std::byte> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t word = rng_.next_u64();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::byte>(word & 0xffu);
      word >>= 8;
    }
  }
}

BigInt random_bits(RandomSource& random, std::size_t bits) {
  if (bits == 0) return BigInt();
  std::vector<std::byte> bytes((bits + 7) / 8);
  random.fill(bytes);
  // Clear the excess high bits of the first (most significant) byte.
  const std::size_t excess = bytes.size() * 8 - bits;
  bytes[0] &= static_cast<std::byte>(0xffu >> excess);
  return BigInt::from_big_endian(bytes);
}

BigInt random_unit(RandomSource& random, const BigInt& n) {
  if (compare(n, BigInt(1)) <= 0) throw_runtime_error("random_unit: modulus must be > 1");
  const std::size_t bits = n.bits();
  BigInt r, g;
  // Each draw is accepted with probability > 1/2 (n >= 2^(bits-1)), so this ends quickly.
  for (;;) {
    r = random_bits(random, bits);
    if (r.is_zero() || compare(r, n) >= 0) continue;
    mpz_gcd(g.mut(), r.get(), n.get());
    if (mpz_cmp_ui(g.get(), 1) == 0) return r;
  }
}

}  // namespace fedload::he
