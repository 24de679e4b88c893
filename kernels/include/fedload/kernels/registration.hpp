#pragma once
// Explicit backend registration. Static initializers in a static library are dropped by the
// linker when nothing references their object file, so every backend exposes one registration
// function and register_builtin_backends() calls them all (once; make_backend and
// backend_names call it, so users never need to).
namespace fedload::kernels {

// Registers "cpu_reference" (kernels/cpu/reference_backend.cpp).
void register_cpu_reference_backends();
// Registers "cpu" (kernels/cpu/fast/cpu_backend.cpp).
void register_cpu_fast_backends();
// Registers the CUDA/cuDNN backends. Defined by the GPU library (fedload_kernels_gpu) when CUDA
// is built, otherwise by kernels/gpu_stub.cpp, which registers nothing.
void register_gpu_backends();
// Idempotent and thread-safe.
void register_builtin_backends();

}  // namespace fedload::kernels
