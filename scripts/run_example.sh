#!/usr/bin/env bash
# The main job: builds the project, then learns a triplet embedding of the
# handwritten digits that ship with scikit-learn (examples/triplet_digits):
# triplet LMDBs, training, embeddings of held-out digits, nearest-neighbour
# accuracy (the last line printed) and a PCA plot.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
# protobuf 4.21.x is the Python runtime of protoc 3.21's generated code.
python3 -m pip install --quiet --disable-pip-version-check numpy scikit-learn lmdb matplotlib \
  "protobuf>=3.20,<4.22"
bash "$root/examples/triplet_digits/run.sh"
