#pragma once
// The "cpu" backend's knobs and the single-precision GEMM it is built on, for the benchmarks
// (the machine's SGEMM rate at each step's GEMM shapes) and for tools that report what ran.
//
// Threads: the backend's GEMMs run on OpenBLAS threads; everything else is single-threaded.
// The count is 1 unless the environment variable FEDLOAD_CPU_THREADS says otherwise (read once,
// at the first GEMM) or set_cpu_threads() is called; with 128 simulated clients per machine,
// one thread per client is what scales.
//
// SIMD: the gate pointwise code is compiled three times (AVX-512, AVX2+FMA, baseline x86-64)
// and the widest one the processor supports is chosen at run time; FEDLOAD_CPU_SIMD=avx512 |
// avx2 | generic forces one (an InputError names the problem when the processor lacks it).
#include <cstddef>
#include <string>

#include "fedload/kernels/backend.hpp"

namespace fedload::kernels {

// Row-major C [M][N] = alpha op(A) op(B) + beta C, op(A) [M][K], op(B) [K][N]; ld* are row
// strides. K == 0 scales C by beta (C = 0 when beta == 0). OpenBLAS when built with it,
// otherwise a plain loop nest.
void cpu_sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc);

// Threads of the GEMMs of the "cpu" backend (process-wide). n >= 1, else InputError.
void set_cpu_threads(int n);
int cpu_threads();

// "avx512", "avx2" or "generic": the pointwise code the "cpu" backend runs.
std::string cpu_simd_level();
// What the GEMMs run on, e.g. "OpenBLAS 0.3.21 core=Zen threads=1" or "builtin loops".
std::string cpu_blas_description();

// Bytes of the buffers a "cpu" backend built for d holds (parameters, gradients, Adam moments,
// the batch, activations kept for backward, gradient scratch); bench/README.md states the
// formula and fedload_bench_lstm checks the process's peak RSS against it.
std::size_t cpu_backend_bytes(const ForecasterDims& d);

}  // namespace fedload::kernels
