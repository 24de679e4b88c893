// fedload_bench_he: what Paillier encryption costs (src/fedload/he), one thread.
//   keygen/bits                      one key pair (seeded source, a different stream per key)
//   encrypt/bits, encrypt_crt/bits   one ciphertext with the public key (r^n mod n^2) and with
//                                    the private key (r^n by the CRT mod p^2, q^2)
//   add/bits                         one homomorphic addition (c1 c2 mod n^2)
//   decrypt_crt/bits, decrypt/bits   one decryption by the CRT and by c^λ mod n^2
//   round/bits/K/P                   K clients each encode + encrypt (CRT) P int64 values, the
//                                    ciphertexts are multiplied, the sum decrypted (CRT) and
//                                    decoded; phase seconds as counters
//   plain_round/K/P                  the same K-fold int64 sum in the clear
// Per-ciphertext rows also report values/s: packed int64 values per second with K_max = 8
// (PackedEncoder: floor((bits - 1) / 68) values per ciphertext). Keys are seeded (reproducible,
// NOT secure; the same cost as OS-random keys) and made before timing. Every operation is
// checked before it is timed: a ciphertext decrypts to its plaintext, a sum to the sum, a
// round's decoded result equals the plain int64 sum; a failing row is skipped with an error.
// Formulas and measured numbers: bench/README.md, "Homomorphic encryption (Paillier)".
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "fedload/core/rng.hpp"
#include "fedload/he/encrypted_terms.hpp"
#include "fedload/he/packed_encoder.hpp"
#include "fedload/he/paillier.hpp"

namespace {

using namespace fedload::he;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kMaxClients = 8;

const PaillierPrivateKey& key_of(std::size_t bits) {
  static std::map<std::size_t, PaillierPrivateKey> keys;
  auto it = keys.find(bits);
  if (it == keys.end()) {
    SeededRandom random(4242, bits);
    it = keys.emplace(bits, generate_paillier_key(bits, random)).first;
  }
  return it->second;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void per_ciphertext_counters(benchmark::State& state, std::size_t bits) {
  const double slots = static_cast<double>(PackedEncoder(bits, kMaxClients).slots());
  state.counters["values/s"] = benchmark::Counter(slots, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["values/ct"] = slots;
  state.counters["bytes/ct"] = static_cast<double>(key_of(bits).public_key().ciphertext_bytes());
}

void bench_keygen(benchmark::State& state) {
  const auto bits = static_cast<std::size_t>(state.range(0));
  std::uint64_t stream = 0;
  for (auto _ : state) {
    SeededRandom random(99, stream++);
    auto key = generate_paillier_key(bits, random);
    benchmark::DoNotOptimize(key.public_key().n().get());
  }
}

// kind: 0 = public-key encryption, 1 = CRT encryption with the private key
void bench_encrypt(benchmark::State& state, int kind) {
  const auto bits = static_cast<std::size_t>(state.range(0));
  const auto& key = key_of(bits);
  SeededRandom random(1, bits);
  const BigInt m(0x123456789abcdefull);
  auto encrypt = [&] { return kind == 0 ? key.public_key().encrypt(m, random) : key.encrypt(m, random); };
  if (!(key.decrypt(encrypt()) == m)) {
    state.SkipWithError("encryption does not decrypt to its plaintext");
    return;
  }
  for (auto _ : state) {
    auto c = encrypt();
    benchmark::DoNotOptimize(c.value.get());
  }
  per_ciphertext_counters(state, bits);
}

void bench_add(benchmark::State& state) {
  const auto bits = static_cast<std::size_t>(state.range(0));
  const auto& key = key_of(bits);
  SeededRandom random(2, bits);
  PaillierCiphertext acc = key.encrypt(BigInt(1), random);
  const PaillierCiphertext one = key.encrypt(BigInt(1), random);
  if (!(key.decrypt(key.public_key().add(acc, one)) == BigInt(2))) {
    state.SkipWithError("E(1) E(1) does not decrypt to 2");
    return;
  }
  for (auto _ : state) {
    key.public_key().add_to(acc, one);
    benchmark::DoNotOptimize(acc.value.get());
  }
  per_ciphertext_counters(state, bits);
}

// crt: decrypt() (CRT) or decrypt_without_crt()
void bench_decrypt(benchmark::State& state, bool crt) {
  const auto bits = static_cast<std::size_t>(state.range(0));
  const auto& key = key_of(bits);
  SeededRandom random(3, bits);
  const BigInt m(987654321);
  const PaillierCiphertext c = key.encrypt(m, random);
  auto decrypt = [&] { return crt ? key.decrypt(c) : key.decrypt_without_crt(c); };
  if (!(decrypt() == m)) {
    state.SkipWithError("decryption gives the wrong plaintext");
    return;
  }
  for (auto _ : state) {
    auto x = decrypt();
    benchmark::DoNotOptimize(x.get());
  }
  per_ciphertext_counters(state, bits);
}

// K clients' P int64 values, each uniform in [min/K, max/K] so that every sum fits int64.
std::vector<std::vector<std::int64_t>> round_inputs(std::size_t k, std::size_t p) {
  fedload::CounterRng rng(5, k * 1000003 + p);
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(k);
  std::vector<std::vector<std::int64_t>> out(k, std::vector<std::int64_t>(p));
  for (auto& v : out) {
    for (auto& x : v) x = static_cast<std::int64_t>(rng.below(2 * static_cast<std::uint64_t>(hi) + 1)) - hi;
  }
  return out;
}

std::vector<std::int64_t> plain_sum(const std::vector<std::vector<std::int64_t>>& clients) {
  std::vector<std::int64_t> sum(clients[0].size(), 0);
  for (const auto& v : clients) {
    for (std::size_t j = 0; j < v.size(); ++j) {
      // wrapping add: partial sums may leave int64, the total does not
      sum[j] = static_cast<std::int64_t>(static_cast<std::uint64_t>(sum[j]) + static_cast<std::uint64_t>(v[j]));
    }
  }
  return sum;
}

void bench_round(benchmark::State& state) {
  const auto bits = static_cast<std::size_t>(state.range(0));
  const auto k = static_cast<std::size_t>(state.range(1));
  const auto p = static_cast<std::size_t>(state.range(2));
  const auto& key = key_of(bits);
  const PackedEncoder enc(bits, kMaxClients);
  const auto clients = round_inputs(k, p);
  const auto expected = plain_sum(clients);
  SeededRandom random(6, bits);
  double t_encrypt = 0, t_add = 0, t_decrypt = 0;
  std::vector<std::int64_t> out(p);
  bool checked = false;
  for (auto _ : state) {
    auto t0 = Clock::now();
    std::vector<std::vector<PaillierCiphertext>> sent;
    for (const auto& v : clients) sent.push_back(encrypt_terms(enc, key, v, random));
    t_encrypt += seconds_since(t0);
    t0 = Clock::now();
    std::vector<PaillierCiphertext> acc = std::move(sent[0]);
    for (std::size_t i = 1; i < k; ++i) add_terms(key.public_key(), acc, sent[i]);
    t_add += seconds_since(t0);
    t0 = Clock::now();
    decrypt_terms(enc, key, acc, static_cast<std::uint32_t>(k), out);
    t_decrypt += seconds_since(t0);
    if (!checked) {
      state.PauseTiming();
      checked = true;
      const bool ok = out == expected;
      state.ResumeTiming();
      if (!ok) {
        state.SkipWithError("the decrypted round is not the plain int64 sum");
        break;
      }
    }
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["encrypt_s"] = t_encrypt / iters;
  state.counters["add_s"] = t_add / iters;
  state.counters["decrypt_s"] = t_decrypt / iters;
  state.counters["ciphertexts"] = static_cast<double>(k * enc.plaintexts_for(p));
  state.counters["bytes_per_client"] = static_cast<double>(enc.plaintexts_for(p) * key.public_key().ciphertext_bytes());
}

void bench_plain_round(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const auto p = static_cast<std::size_t>(state.range(1));
  const auto clients = round_inputs(k, p);
  for (auto _ : state) {
    auto sum = plain_sum(clients);
    benchmark::DoNotOptimize(sum.data());
  }
  state.counters["bytes_per_client"] = static_cast<double>(p * sizeof(std::int64_t));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("keygen", bench_keygen)->ArgName("bits")->Arg(1024)->Arg(2048)->Arg(3072)
      ->Unit(benchmark::kMillisecond)->Iterations(8)->Repetitions(3)->ReportAggregatesOnly(true);
  auto per_ct = [](benchmark::internal::Benchmark* b) {
    b->ArgName("bits")->Arg(2048)->Arg(3072)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
  };
  per_ct(benchmark::RegisterBenchmark("encrypt", bench_encrypt, 0));
  per_ct(benchmark::RegisterBenchmark("encrypt_crt", bench_encrypt, 1));
  per_ct(benchmark::RegisterBenchmark("add", bench_add));
  per_ct(benchmark::RegisterBenchmark("decrypt_crt", bench_decrypt, true));
  per_ct(benchmark::RegisterBenchmark("decrypt", bench_decrypt, false));
  benchmark::RegisterBenchmark("round", bench_round)->ArgNames({"bits", "K", "P"})->Args({2048, 8, 10000})
      ->Args({3072, 8, 10000})->Unit(benchmark::kSecond)->Iterations(1)->Repetitions(3)->ReportAggregatesOnly(true);
  benchmark::RegisterBenchmark("plain_round", bench_plain_round)->ArgNames({"K", "P"})->Args({8, 10000})
      ->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
