#!/usr/bin/env bash
# The triplet story of triplet_story.py: triplet LMDBs from Python, a short
# policy search, `caffe train` with the found policy and without
# augmentation, `caffe test` of both on held-out triplets. A few minutes on
# 2 cores. Needs the project built in build/ and python3 with numpy,
# scikit-learn, optuna and matplotlib.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PYTHONPATH="$here:$here/../../build/python${PYTHONPATH:+:$PYTHONPATH}"
export CAFFE_TOOL="${CAFFE_TOOL:-$here/../../build/tools/caffe}"
cd "$here"
rm -rf work_triplets
python3 triplet_story.py work_triplets
