#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Strata, checks formatting, runs every test, runs a batch
# on a real one-node Slurm cluster (slurm-test.sh), builds the .deb, installs it and checks that the
# installed tree runs, then the whole suite again under AddressSanitizer + UBSan and a short pass of
# every fuzz harness (sanitize.sh). This is what CI runs.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
sh packaging/setup-debian.sh
sh packaging/build.sh
echo "== format check (clang-format)"
git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
echo "== tests"
(cd build && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j2 --timeout 600)
echo "== a real Slurm (munged, slurmctld, slurmd on this machine)"
sh packaging/slurm-test.sh build
echo "== package"
sh packaging/check-package.sh
echo "== sanitizers and fuzzing (clang, ASan + UBSan)"
sh packaging/sanitize.sh
echo "== all done in $(( $(date +%s) - start )) s"
