#!/bin/sh
# Installs every Debian 12 package Strata needs to build, test, run and package, and points the
# BLAS/LAPACK alternatives at OpenBLAS (OpenMP variant: the pthread one fights torch's OpenMP
# threads; the reference BLAS is ~30x slower). Run as root. Idempotent and quiet: it only calls apt
# when something is missing.
set -eu

PACKAGES="cmake g++ make pkg-config clang-format clang libclang-rt-14-dev
qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
libqcustomplot-dev libtorch-dev libdnnl-dev libopenblas0-openmp libgl-dev zlib1g-dev libsqlite3-dev
lintian desktop-file-utils appstream bash-completion man-db binutils
xvfb xauth imagemagick dpkg-dev file fonts-wqy-microhei qt6-translations-l10n
slurm-wlm munge"

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: run as root (sudo sh packaging/setup-debian.sh)" >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for lib in libblas.so.3 liblapack.so.3; do
    target="/usr/lib/$arch/openblas-openmp/$lib"
    if [ -e "$target" ] && [ "$(readlink -f "/usr/lib/$arch/$lib")" != "$(readlink -f "$target")" ]; then
        update-alternatives --quiet --set "$lib-$arch" "$target"
    fi
done
echo "setup: ready (BLAS -> $(readlink -f "/usr/lib/$arch/libblas.so.3"))"
