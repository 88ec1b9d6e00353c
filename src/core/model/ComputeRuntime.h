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
int threadCount();
QString torchVersion();
// Path of the BLAS library mapped into this process and OpenBLAS's own config/core when it is OpenBLAS.
QString blasDescription();
// Measured float32 GEMM throughput (GFLOP/s) of n x n matrices, best of a few runs.
double measureGemmGflops(int n = 1024, int repeats = 5);
// Peak resident set size of this process in bytes.
long long peakRssBytes();
long long currentRssBytes();

} // namespace ComputeRuntime
} // namespace strata
