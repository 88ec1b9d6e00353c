#!/bin/sh
# The sanitizer pass of CI: everything built with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (and libFuzzer's coverage instrumentation) in ./build-asan, the whole test suite run under it, then
# every fuzz harness fuzzed for STRATA_FUZZ_SECONDS (default 20) on its committed corpus. Any
# sanitizer report, crash or failing test fails the script; a crashing input is left in
# build-asan/fuzz-artifacts/ (add it to tests/fuzz/crashes/NAME/ once fixed: see docs/RELIABILITY.md).
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
jobs=$(nproc 2>/dev/null || echo 2)
seconds=${STRATA_FUZZ_SECONDS:-20}
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DSTRATA_FUZZ=ON >/dev/null
cmake --build build-asan -j"$jobs"
# Leaks are not checked: Qt and libtorch keep process-lifetime allocations that LeakSanitizer counts.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== tests under ASan + UBSan"
(cd build-asan && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"$jobs" --timeout 900)
echo "== fuzzing each harness for $seconds s"
artifacts=build-asan/fuzz-artifacts
mkdir -p "$artifacts"
for harness in $(sed -n 's/^set(STRATA_FUZZ_HARNESSES \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt); do
    found=$(mktemp -d)
    if ! build-asan/tests/fuzz/fuzz_"$harness" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
        -artifact_prefix="$artifacts/$harness-" -print_final_stats=1 "$found" tests/fuzz/corpus/"$harness" \
        > "$artifacts/$harness.log" 2>&1; then
        tail -40 "$artifacts/$harness.log"
        echo "fuzz_$harness: crashed (input in $artifacts)" >&2
        exit 1
    fi
    echo "fuzz_$harness: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$artifacts/$harness.log" | grep -o '[0-9]*$') inputs, no crash"
    rm -rf "$found"
done
echo "== sanitizer pass done in $(( $(date +%s) - start )) s"
