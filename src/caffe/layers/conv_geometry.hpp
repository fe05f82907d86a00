// Internal to the convolution-family layers (Convolution, Deconvolution,
// Im2col): reads the per-spatial-axis kernel, stride, pad and dilation from a
// ConvolutionParameter with upstream Caffe's rules, and computes output
// extents.
#pragma once

#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

struct ConvGeometry {
  vector<int> kernel;
  vector<int> stride;
  vector<int> pad;
  vector<int> dilation;

  // Each quantity may be given once (all axes), once per spatial axis, or for
  // exactly two spatial axes as the *_h/*_w pair (never both forms). Kernel
  // extents must be positive and strides nonzero. `who` names the layer in
  // the ConfigError thrown otherwise.
  static ConvGeometry FromParam(const ConvolutionParameter& param, int num_spatial_axes,
                                const string& who);

  int KernelExtent(int axis) const { return dilation[axis] * (kernel[axis] - 1) + 1; }
  // Convolution output extent along `axis` for an input extent `in`; throws
  // ShapeError naming `who` when the dilated kernel does not fit.
  int ConvOutput(int axis, int in, const string& who) const;
  // Deconvolution output extent: the input extent that a convolution with the
  // same geometry maps to `in`.
  int DeconvOutput(int axis, int in, const string& who) const;
  // True when the lowering is the identity (1x1 kernels, unit stride, no pad).
  bool IsPointwise() const;
};

}  // namespace caffe
