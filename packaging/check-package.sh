#!/bin/sh
# Builds the .deb (and its strata-dbgsym .ddeb) with CPack, checks it with lintian (any error or
# warning fails), validates the desktop entry and the AppStream metadata, installs it with apt (which
# checks its Depends), and runs the installed strata-cli, its man page, its bash completion and the
# GUI (offscreen, a few seconds). Removes the package afterwards.
set -eu
cd "$(dirname "$0")/../build"
rm -f strata_*.deb strata-dbgsym_*.ddeb
cpack -G DEB >/dev/null
deb=$(ls strata_*.deb)
echo "built $deb ($(du -h "$deb" | cut -f1)) and $(ls strata-dbgsym_*.ddeb)"
dpkg-deb -f "$deb" Depends
# lintian: no error and no warning (overrides only with a written reason beside them).
report=$(lintian --fail-on none "$deb" 2>&1 | grep -v '^running with root privileges' || true)
if printf '%s\n' "$report" | grep -q '^[EW]:'; then
    printf '%s\n' "$report"
    echo "lintian found errors or warnings" >&2
    exit 1
fi
echo "lintian: clean"
desktop-file-validate ../packaging/org.strata.Strata.desktop
appstreamcli validate --no-net ../packaging/org.strata.Strata.metainfo.xml >/dev/null
echo "desktop entry and AppStream metadata valid"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq strata >/dev/null' EXIT
/usr/bin/strata-cli --version
/usr/bin/strata-cli plugins
# The layer report from the installed tree (strata_report, fonts, PDF writer).
report=$(mktemp -d)
/usr/bin/strata-cli report --model demo --out "$report/demo.pdf" >/dev/null 2>&1
head -c 5 "$report/demo.pdf" | grep -q '%PDF-'
rm -rf "$report"
echo "layer report written"
test -f /usr/share/applications/org.strata.Strata.desktop
test -f /usr/share/metainfo/org.strata.Strata.metainfo.xml
# The man pages list every command (one is enough to check they are the generated ones).
man -P cat strata-cli 2>/dev/null | grep -q 'patch'
man -P cat strata 2>/dev/null | grep -q 'workspace'
echo "man pages installed"
# Tab completion: commands, and a command's options.
completion=$(bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null; . /usr/share/bash-completion/completions/strata-cli
COMP_WORDS=(strata-cli pa); COMP_CWORD=1; _strata_cli; printf "%s\n" "${COMPREPLY[@]}"
COMP_WORDS=(strata-cli patch --si); COMP_CWORD=2; _strata_cli; printf "%s\n" "${COMPREPLY[@]}"')
printf '%s\n' "$completion" | grep -qx 'patch'
printf '%s\n' "$completion" | grep -qx -- '--site'
echo "bash completion works"
cfg=$(mktemp -d)
XDG_CONFIG_HOME="$cfg" QT_QPA_PLATFORM=offscreen timeout 60 /usr/bin/strata --quit-after 3
rm -rf "$cfg"
echo "installed package runs"
