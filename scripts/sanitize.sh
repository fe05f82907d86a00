#!/usr/bin/env bash
# Builds the C++ suites with AddressSanitizer + UndefinedBehaviorSanitizer
# into build-asan/ and runs them with CTest (including the fuzz corpus
# replays). Not part of CI: a second full build and the slower instrumented
# tests take about 25-35 minutes on 2 cores, more than CI's budget allows.
#
#   bash scripts/sanitize.sh [ctest arguments, e.g. -R bad_input]
#
# Needs $CAFFE_REFERENCE_DIR for the suites that read upstream fixtures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install_deps.sh"
build="$root/build-asan"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAFFE_BUILD_PYTHON=OFF \
  -DCAFFE_SANITIZE=address,undefined > /dev/null
cmake --build "$build" -j "$(nproc)"
# Leaks of process-lifetime singletons (glog, OpenBLAS) are not findings;
# the LMDB fault guard needs SIGSEGV/SIGBUS for itself.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_segv=0:handle_sigbus=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
