#!/usr/bin/env bash
# Installs system dependencies (idempotent) and builds everything into build/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install_deps.sh"
mkdir -p "$root/build"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release > "$root/build/cmake.log" 2>&1 \
  || { cat "$root/build/cmake.log"; exit 1; }
cmake --build "$root/build" -j "$(nproc)"
