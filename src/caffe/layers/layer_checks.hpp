// Shared parameter checks for the layers in this directory, so that every
// error names the layer that raised it. Internal: not part of the public API.
#pragma once

#include <string>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"

namespace caffe {

// Maps `axis` (negative counts from the end) onto [0, blob.num_axes()), or
// throws ConfigError naming `who`, the parameter `field` and the blob's shape.
template <typename Dtype>
int CheckedAxis(const string& who, const char* field, int axis, const Blob<Dtype>& blob) {
  const int num_axes = blob.num_axes();
  CAFFE_REQUIRE(axis >= -num_axes && axis < num_axes, ConfigError, who, ": ", field, " ", axis,
                " is out of range for bottom shape ", blob.shape_string());
  return axis < 0 ? axis + num_axes : axis;
}

}  // namespace caffe
