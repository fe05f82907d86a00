#!/usr/bin/env bash
# The main job: builds the project, then trains LeNet end to end on the
# handwritten digits that ship with scikit-learn (examples/digits).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
python3 -m pip install --quiet --disable-pip-version-check numpy scikit-learn
bash "$root/examples/digits/run.sh"
