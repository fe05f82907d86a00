#!/usr/bin/env bash
# Long fuzzing runs with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (CI runs the same targets briefly with the
# in-tree driver instead; see docs/reliability.md).
#
#   bash scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]
#   bash scripts/fuzz.sh net_prototxt 3600 -jobs=2
#
# TARGET is one of: net_prototxt weights records lmdb. Builds into
# build-fuzz/ (installing Debian's clang and compiler-rt when missing),
# fuzzes fuzz/corpus/TARGET plus build-fuzz/corpus/TARGET (new inputs go to
# the latter) and writes crashes to build-fuzz/artifacts/. Reproduce one with
#   build-fuzz/fuzz/fuzz_TARGET build-fuzz/artifacts/crash-...
# and add it to fuzz/corpus/TARGET once fixed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: fuzz.sh TARGET [SECONDS] [libFuzzer flags...]}"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))
bash "$root/scripts/install_deps.sh"
if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-dev >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-dev
fi
build="$root/build-fuzz"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCAFFE_BUILD_TESTS=OFF -DCAFFE_BUILD_PYTHON=OFF -DCAFFE_FUZZ_ENGINE=libfuzzer \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build "$build" -j "$(nproc)" --target "fuzz_$target"
mkdir -p "$build/corpus/$target" "$build/artifacts"
dict=()
[ -f "$root/fuzz/$target.dict" ] && dict=(-dict="$root/fuzz/$target.dict")
# liblmdb's assertions are turned into errors by the library; ASan must let
# the fault guard of db_lmdb.cpp handle SIGSEGV.
export ASAN_OPTIONS="${ASAN_OPTIONS:-handle_segv=0:handle_sigbus=0:detect_leaks=0:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
  -artifact_prefix="$build/artifacts/" "${dict[@]}" "$@" \
  "$build/corpus/$target" "$root/fuzz/corpus/$target"
