#!/usr/bin/env bash
# Builds and installs the package with the [image] extra into a brand-new
# virtualenv, then checks from outside the source tree that
# `import caffe; caffe.io.load_image(...)` works and the tools are on PATH.
# Needs the system libraries (scripts/install_deps.sh) and PyPI. It compiles
# everything again (15-20 minutes on 2 cores), so it is run by hand, not in CI.
#
#   bash scripts/check_fresh_venv.sh [VENV_DIR]     # default: a temporary directory
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$(command -v "${PYTHON:-python3}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="${1:-$work/venv}"
bash "$root/scripts/install_deps.sh"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# A copy of the sources, so no build output lands in the checkout.
mkdir "$work/src"
tar -C "$root" --exclude='./build' --exclude='./build-*' --exclude='./.git' \
  --exclude='./python/caffe/_caffe*.so' --exclude='./python/caffe/proto/caffe_pb2.py' \
  -cf - . | tar -C "$work/src" -xf -
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  "$venv/bin/python" -m pip install "$work/src[image]"
cd "$work"
"$venv/bin/python" - <<'PY'
import numpy as np
from PIL import Image
import caffe
Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3)).save('probe.png')
image = caffe.io.load_image('probe.png')
assert image.shape == (4, 4, 3) and image.dtype == np.float32, (image.shape, image.dtype)
assert abs(image[0, 0, 2] - 2 / 255.0) < 1e-6
print('caffe', caffe.__version__, 'from', caffe.__file__, ': load_image ok')
PY
for tool in caffe convert_imageset convert_triplet_db compute_image_mean extract_features; do
  [ -x "$venv/bin/$tool" ] || { echo "missing tool on PATH: $tool" >&2; exit 1; }
done
"$venv/bin/caffe" --version
echo "fresh venv check passed ($venv)"
