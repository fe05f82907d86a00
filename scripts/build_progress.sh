#!/bin/sh
# Compiler launcher used by `pip install .` (see CMakeLists.txt): pip hides
# the build's output unless run with -v, so each compilation announces itself
# on the terminal, when there is one, as "caffe build: [ 12/190] src/...".
# Without a terminal (CI, pipes) it prints nothing. Then runs the compiler.
#
#   build_progress.sh COUNTER_FILE TOTAL SOURCE_DIR compiler args...
counter=$1
total=$2
source_dir=$3
shift 3
previous=""
source=""
for argument in "$@"; do
  [ "$previous" = "-c" ] && source=$argument
  previous=$argument
done
# A subshell: a failed redirection of a shell builtin may end the shell itself.
if [ -n "$source" ] && (true > /dev/tty) 2>/dev/null; then
  echo >> "$counter"
  count=$(wc -l < "$counter")
  # \r starts at the left edge, over pip's spinner character.
  printf '\rcaffe build: [%3d/%d] %s\n' "$count" "$total" "${source#"$source_dir"/}" > /dev/tty
fi
exec "$@"
