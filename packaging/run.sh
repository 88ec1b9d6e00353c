#!/bin/sh
# Sets up a fresh Debian 12 machine, builds Strata and starts it on the bundled demo model.
# Without a display it runs a short CLI demo instead, and says so.
set -eu
cd "$(dirname "$0")/.."
sh packaging/setup-debian.sh
sh packaging/build.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec ./build/bin/strata "$@"
fi
echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the CLI demo instead of the GUI."
exec ./build/bin/strata-cli demo "$@"
