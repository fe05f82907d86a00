#!/usr/bin/env bash
# The project's whole test suite: builds, runs every C++ suite with CTest,
# then the engine's suites in a build without oneDNN, then the Python suite
# with pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)"
bash "$root/scripts/check_without_onednn.sh"
bash "$root/scripts/run_python_tests.sh"
