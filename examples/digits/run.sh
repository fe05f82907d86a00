#!/usr/bin/env bash
# Digits end to end: images -> LMDB (convert_imageset) -> mean (compute_image_mean)
# -> LeNet training (caffe train) -> scoring the final weights (caffe test).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/../../build/tools"
cd "$here"
rm -rf work && mkdir -p work
python3 make_images.py work
"$tools/convert_imageset" -gray -backend lmdb work/ work/train.txt work/train_lmdb
"$tools/convert_imageset" -gray -backend lmdb work/ work/test.txt work/test_lmdb
"$tools/compute_image_mean" -backend lmdb work/train_lmdb work/mean.binaryproto
"$tools/caffe" train -solver lenet_solver.prototxt 2>&1 | tee work/train.log
"$tools/caffe" test -model lenet_train_test.prototxt -weights work/digits_lenet_iter_600.caffemodel \
  -iterations 3 2>&1 | tee work/test.log
accuracy=$(grep -E "\] accuracy = " work/test.log | tail -1 | sed 's/.*accuracy = //')
echo "Digits LeNet test accuracy after 600 iterations: ${accuracy}"
