#pragma once

#include <QString>

namespace strata {

// The numeric runtime under every model: torch's thread count and the BLAS library it really uses.
// Debian's libtorch calls whatever libblas.so.3 points at; a reference BLAS is ~30x slower than
// OpenBLAS, so the About dialog and `strata-cli --version` show what was loaded.
namespace ComputeRuntime {

// Sets torch's intra-op threads (and with them OpenMP's and OpenBLAS's). threads <= 0: one per core,
// or $STRATA_THREADS when set. Returns the count in effect.
int configureThreads(int threads = 0);
// Keeps freed blocks of up to 32 MiB in the heap for the next forward pass instead of returning them
// to the system (glibc's mmap and trim thresholds): measured 1.1-1.5x faster traces, as every layer's
// attention and residual buffers no longer fault in fresh zeroed pages (docs/PERFORMANCE.md). Called
// once at start by both executables.
// Also installs torch's CPU allocator for ReuseScope.
void configureAllocator();
// While at least one ReuseScope is alive anywhere in the process, large torch tensors (4 MiB and
// more) that are freed are kept and handed out again for a request of nearly the same size, instead
// of going back to the system and coming back as fresh pages the kernel must fault in and zero
// (blocks over 32 MiB always do in glibc: a T = 1024 attention matrix is 50 MB per layer). When the
// last scope ends, the kept blocks are freed. Every forward pass of LoadedModel holds one. Without
// configureAllocator() (as in the tests) a scope changes nothing.
class ReuseScope
{
public:
    ReuseScope();
    ~ReuseScope();
    ReuseScope(const ReuseScope &) = delete;
    ReuseScope &operator=(const ReuseScope &) = delete;
};
// Frees the blocks kept so far at once, scopes or not: called where a forward pass moves on to
// work of other shapes (the logits after the layers), so that blocks no later request fits do not
// add to the peak.
void releaseKept();
struct ReuseStats
{
    long long reused = 0;    // large requests served from kept blocks
    long long fresh = 0;     // large requests served by the system
    long long keptBytes = 0; // bytes kept now
    bool installed = false;  // configureAllocator() ran
};
ReuseStats reuseStats();
int threadCount();
QString torchVersion();
// Path of the BLAS library mapped into this process and OpenBLAS's own config/core when it is OpenBLAS.
QString blasDescription();
// Measured GEMM throughput (GFLOP/s) of n x n matrices, best of a few runs: float32, or with bf16 =
// true the product bf16 compute runs (ops::matmulBf16: bfloat16 operands through oneDNN accumulating
// in float32; where the CPU has no native bf16, the float32 product of the same values).
double measureGemmGflops(int n = 1024, int repeats = 5, bool bf16 = false);

// Compute precision of a loaded model. f32: every product in float32 (the exact path). bf16: weight
// matrices held in bfloat16; every matrix product (weights, attention scores, the value mix) takes
// bfloat16 operands through oneDNN, accumulating in float32 and giving float32 results; embeddings,
// norms, softmax, attention scores and probabilities, residual additions and everything a trace stores
// stay float32.
enum class Compute { F32, BF16 };
QString computeName(Compute c); // "f32" / "bf16"
// What the CPU offers for bf16 products, from its flags: "AMX-BF16", "AVX512-BF16", or "" (none:
// oneDNN emulates bf16, slower than float32).
QString nativeBf16();
// The request every load uses unless told otherwise: "auto" (default), "f32" or "bf16";
// $STRATA_COMPUTE sets it, so do strata-cli's --compute and the GUI's setting. Throws Error on an
// unknown value.
QString computeRequest();
void setComputeRequest(const QString &request);
// auto: bf16 where the CPU has native bf16 and the model has at least kAutoBf16Parameters
// parameters, f32 otherwise. An explicit bf16 without native support is honoured; `warning` then
// says it will be slow.
constexpr long long kAutoBf16Parameters = 1'000'000'000;
Compute resolveCompute(const QString &request, long long parameters, QString *warning = nullptr);
// Peak resident set size of this process in bytes.
long long peakRssBytes();
long long currentRssBytes();

} // namespace ComputeRuntime
} // namespace strata
