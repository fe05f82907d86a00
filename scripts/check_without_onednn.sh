#!/usr/bin/env bash
# The fallback build: configures the project without oneDNN
# (CAFFE_USE_ONEDNN=OFF) in build-noonednn/, builds the caffe tool and the
# suites of the layers oneDNN computes otherwise, checks that nothing links
# oneDNN, and runs those suites with the upstream LeNet fixture. The default
# build (build/) compares the two engines with each other; this shows that a
# machine without libdnnl gets a working engine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/build-noonednn"
mkdir -p "$dir"
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCAFFE_USE_ONEDNN=OFF \
  > "$dir/cmake.log" 2>&1 || { cat "$dir/cmake.log"; exit 1; }
suites=(test_lenet_fixture test_conv_layers test_inner_product_layer test_pooling_layers
        test_lrn_layer test_neuron_layers test_batch_norm_layer test_softmax_layers test_net_fusion)
cmake --build "$dir" -j "$(nproc)" --target tool_caffe "${suites[@]}"
for binary in "$dir/libcaffe.so" "$dir/tools/caffe"; do
  if ldd "$binary" | grep -q dnnl; then
    echo "check_without_onednn: $binary links oneDNN in a build configured without it" >&2
    exit 1
  fi
done
cd "$dir"
ctest --output-on-failure -j "$(nproc)" -R "^($(IFS='|'; echo "${suites[*]}"))\$"
