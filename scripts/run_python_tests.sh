#!/usr/bin/env bash
# Builds pycaffe and the caffe tool into build/ and runs the Python test
# suite (tests/python) against that build tree, which is put on PYTHONPATH.
# Installs the Python packages the tests import (numpy, protobuf, pytest, pydot
# for caffe.draw, OpenCV and Pillow for image reading, matplotlib for plots,
# scikit-learn for the Python triplet example, Optuna and a PostgreSQL driver
# for the policy search) into
# the current Python, or into build/pyvenv when that Python refuses pip
# installs (Debian's system Python). Set PYTHON to choose the interpreter.
# Exits non-zero when a test fails or when no test was collected.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$(command -v "${PYTHON:-python3}")"
requirements=(numpy "protobuf>=3.20" pytest pydot opencv-python-headless Pillow matplotlib
              scikit-learn "optuna>=4,<6" "psycopg[binary]>=3.1")

have_requirements() {
  "$1" - <<'PY' 2>/dev/null
import numpy, pytest, pydot, cv2, PIL, matplotlib, sklearn, optuna, psycopg
import google.protobuf as protobuf
major, minor = (int(part) for part in protobuf.__version__.split('.')[:2])
assert (3, 20) <= (major, minor)
PY
}

bash "$root/scripts/install_deps.sh"
if ! have_requirements "$python"; then
  if ! "$python" -m pip install -q "${requirements[@]}"; then
    echo "run_python_tests: pip refused to install into $python; using build/pyvenv" >&2
    "$python" -m venv --system-site-packages "$root/build/pyvenv"
    python="$root/build/pyvenv/bin/python3"
    have_requirements "$python" || "$python" -m pip install -q "${requirements[@]}"
  fi
fi

mkdir -p "$root/build"
cmake_log="$root/build/python.cmake.log"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DCAFFE_BUILD_PYTHON=ON \
  -DPython3_EXECUTABLE="$python" > "$cmake_log" 2>&1 || { cat "$cmake_log"; exit 1; }
grep -q "pycaffe: Python" "$cmake_log" \
  || { cat "$cmake_log"; echo "run_python_tests: pycaffe is not configured" >&2; exit 1; }
# The data-layer and converter tests compare with convert_imageset and
# convert_triplet_db; the bad-input corpus runs every tool.
targets=(pycaffe tool_caffe tool_convert_imageset tool_convert_triplet_db tool_compute_image_mean
         tool_extract_features)
cmake --build "$root/build" -j "$(nproc)" --target "${targets[@]}"

export PYTHONPATH="$root/build/python${PYTHONPATH:+:$PYTHONPATH}"
export CAFFE_TOOL="$root/build/tools/caffe"
cd "$root"
status=0
# No cache or benchmark folders are left in the source tree.
"$python" -m pytest -p no:cacheprovider -p no:benchmark tests/python "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "run_python_tests: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
