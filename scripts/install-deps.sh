#!/usr/bin/env bash
# Installs what Porthole needs to build, test and run on Debian 12 (or an Ubuntu with the same packages).
set -euo pipefail
packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-svg-dev libqcustomplot-dev
    liburing-dev libbenchmark-dev
    xvfb xauth imagemagick desktop-file-utils appstream
    g++-mingw-w64-x86-64-posix wine wine64
    mono-runtime mono-mcs
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
