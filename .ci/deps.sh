#!/bin/sh
# Installs the Debian packages smpr needs to build, test and run its demo,
# skipping those already present.  Needs root (or sudo) only to install.
set -e
PKGS="gcc make pkg-config libpng-dev libjpeg62-turbo-dev libcairo2-dev \
libcmocka-dev libexif-dev fonts-dejavu-core valgrind poppler-utils \
libjson-c-dev libcsv-dev chromium clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
