#!/bin/sh
# Configures and builds Strata in ./build (Release, warnings as errors). Used by run.sh and test.sh.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSTRATA_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
