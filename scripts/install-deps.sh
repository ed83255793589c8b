#!/bin/sh
# Install the Debian packages the project needs, only those missing.
# Run as root (apt-get), or with sudo available.  chromium (with CJK fonts)
# runs the browser tests in tests/browser.
set -eu
PKGS="kore libpq-dev postgresql postgresql-contrib libjansson-dev libxlsxwriter-dev
libsodium-dev libcmocka-dev build-essential pkg-config curl ca-certificates nodejs npm
chromium fonts-noto-cjk"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# node and npm may come from outside Debian on some machines: accept them.
case "$missing" in *nodejs*) command -v node >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ nodejs//');; esac
case "$missing" in *npm*) command -v npm >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ npm//');; esac
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/update-success-stamp
if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls /var/lib/apt/lists 2>/dev/null | grep -v lock | head -1)" ]; then
	$SUDO apt-get update -q
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q $missing; then
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q $missing
fi
