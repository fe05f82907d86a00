#!/usr/bin/env bash
# The main job: builds the project, then tells the project's story on the
# handwritten digits that ship with scikit-learn:
#  1. examples/triplet_digits: triplet LMDBs, training through the TripletData
#     layer, embeddings of held-out digits, their nearest-neighbour accuracy
#     and a PCA plot;
#  2. examples/policy_search_digits/triplet_story.sh: triplet LMDBs written
#     from Python, a short augmentation-policy search on a triplet child net,
#     `caffe train` with the found policy beside training without
#     augmentation, and `caffe test` of both on held-out triplets (the last two
#     lines printed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
python3 -m pip install --quiet --disable-pip-version-check numpy scikit-learn lmdb matplotlib \
  "protobuf>=3.20" "optuna>=4,<6"
bash "$root/examples/triplet_digits/run.sh"
bash "$root/examples/policy_search_digits/triplet_story.sh"
