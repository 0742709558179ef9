#!/usr/bin/env bash
# The Windows build of the Qt-free core (the completion port on real IOCP), cross-built with
# mingw-w64 and tested under Wine. ctest runs this as one test of the Linux build; by hand:
#   cmake --preset mingw && cmake --build --preset mingw && ctest --preset mingw
# Exit 77 (skipped) when the cross compiler or Wine is missing: scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in x86_64-w64-mingw32-g++-posix wine; do
    if ! command -v "$tool" > /dev/null; then
        echo "SKIP: $tool is missing (scripts/install-deps.sh installs g++-mingw-w64-x86-64-posix, wine and wine64)"
        exit 77
    fi
done
export WINEDEBUG=-all
cmake --preset mingw > /dev/null
cmake --build --preset mingw
ctest --preset mingw
