#!/bin/sh
# Builds the .deb with CPack, installs it with apt (which checks its Depends), and runs the
# installed strata-cli and the GUI (offscreen, a few seconds). Removes the package afterwards.
set -eu
cd "$(dirname "$0")/../build"
rm -f strata_*.deb
cpack -G DEB >/dev/null
deb=$(ls strata_*.deb)
echo "built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Depends
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq strata >/dev/null' EXIT
/usr/bin/strata-cli --version
/usr/bin/strata-cli plugins
test -f /usr/share/applications/org.strata.Strata.desktop
test -f /usr/share/metainfo/org.strata.Strata.metainfo.xml
cfg=$(mktemp -d)
XDG_CONFIG_HOME="$cfg" QT_QPA_PLATFORM=offscreen timeout 60 /usr/bin/strata --quit-after 3
rm -rf "$cfg"
echo "installed package runs"
