#!/usr/bin/env bash
# Triplet digits end to end: digits -> class folders -> triplet LMDBs
# (convert_triplet_db -folders) -> embedding training (caffe train, TripletData
# STACKED + TripletLoss) -> embeddings of every digit (extract_features) ->
# nearest-neighbour accuracy of the held-out digits and a PCA plot.
# Needs: python3 with numpy, scikit-learn, lmdb, protobuf, matplotlib; protoc;
# the project built in build/. The last line printed is the accuracy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/../../build/tools"
cd "$here"
rm -rf work && mkdir -p work
python3 make_images.py work
"$tools/convert_triplet_db" -folders -gray -shuffle -seed 1 -triplets_per_anchor 20 \
  work/train/ work/train_triplets
"$tools/convert_triplet_db" -folders -gray -seed 2 -triplets_per_anchor 2 \
  work/test/ work/test_triplets
cat work/train.txt work/test.txt > work/all.txt
"$tools/convert_imageset" -gray -backend lmdb work/ work/all.txt work/images_lmdb
"$tools/caffe" train -solver triplet_solver.prototxt 2>&1 | tee work/train.log
batches=$(( ($(wc -l < work/all.txt) + 99) / 100 ))
"$tools/extract_features" work/triplet_digits_iter_1000.caffemodel triplet_features.prototxt \
  embedding work/embeddings "$batches" lmdb 2>&1 | tail -2
python3 evaluate.py work "$here/../../proto"
