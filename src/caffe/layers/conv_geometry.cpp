#include "caffe/layers/conv_geometry.hpp"

namespace caffe {

namespace {

// Reads one quantity for every spatial axis. `pair_h`/`pair_w` are the 2-D
// *_h/*_w fields (present when has_pair); `values` is the repeated field.
vector<int> ReadPerAxis(const char* name, int num_spatial_axes, bool has_pair, int pair_h,
                        int pair_w, const google::protobuf::RepeatedField<uint32_t>& values,
                        int default_value, bool repeated_required, const string& who) {
  vector<int> result(num_spatial_axes, default_value);
  if (has_pair) {
    CAFFE_REQUIRE(num_spatial_axes == 2, ConfigError, who, ": ", name, "_h and ", name,
                  "_w can only be used for 2-D convolution, but the input has ",
                  num_spatial_axes, " spatial axes");
    CAFFE_REQUIRE(values.size() == 0, ConfigError, who, ": give either ", name, " or ", name,
                  "_h and ", name, "_w, not both");
    result[0] = pair_h;
    result[1] = pair_w;
    return result;
  }
  const int given = values.size();
  const bool count_ok = given == 1 || given == num_spatial_axes ||
                        (!repeated_required && given == 0);
  CAFFE_REQUIRE(count_ok, ConfigError, who, ": ", name,
                " must be given once or once per spatial axis (", num_spatial_axes,
                " spatial axes), but was given ", given, " times");
  for (int i = 0; i < num_spatial_axes && given > 0; ++i) {
    result[i] = static_cast<int>(values.Get(given == 1 ? 0 : i));
  }
  return result;
}

}  // namespace

ConvGeometry ConvGeometry::FromParam(const ConvolutionParameter& param, int num_spatial_axes,
                                     const string& who) {
  ConvGeometry g;
  g.kernel = ReadPerAxis("kernel", num_spatial_axes, param.has_kernel_h() || param.has_kernel_w(),
                         param.kernel_h(), param.kernel_w(), param.kernel_size(), 0,
                         num_spatial_axes > 0, who);
  g.stride = ReadPerAxis("stride", num_spatial_axes, param.has_stride_h() || param.has_stride_w(),
                         param.stride_h(), param.stride_w(), param.stride(), 1, false, who);
  g.pad = ReadPerAxis("pad", num_spatial_axes, param.has_pad_h() || param.has_pad_w(),
                      param.pad_h(), param.pad_w(), param.pad(), 0, false, who);
  // Dilation has no _h/_w form.
  g.dilation = ReadPerAxis("dilation", num_spatial_axes, false, 0, 0, param.dilation(), 1, false,
                           who);
  for (int i = 0; i < num_spatial_axes; ++i) {
    CAFFE_REQUIRE(g.kernel[i] > 0, ConfigError, who, ": kernel size must be positive (axis ", i,
                  " has ", g.kernel[i], ")");
    CAFFE_REQUIRE(g.stride[i] > 0, ConfigError, who, ": stride must be positive (axis ", i,
                  " has ", g.stride[i], ")");
    CAFFE_REQUIRE(g.dilation[i] > 0, ConfigError, who, ": dilation must be positive (axis ", i,
                  " has ", g.dilation[i], ")");
  }
  return g;
}

int ConvGeometry::ConvOutput(int axis, int in, const string& who) const {
  const int span = in + 2 * pad[axis] - KernelExtent(axis);
  CAFFE_REQUIRE(span >= 0, ShapeError, who, ": kernel extent ", KernelExtent(axis),
                " exceeds the padded input extent ", in + 2 * pad[axis], " on spatial axis ",
                axis);
  return span / stride[axis] + 1;
}

int ConvGeometry::DeconvOutput(int axis, int in, const string& who) const {
  const int out = stride[axis] * (in - 1) + KernelExtent(axis) - 2 * pad[axis];
  CAFFE_REQUIRE(out > 0, ShapeError, who, ": padding ", pad[axis],
                " leaves no output on spatial axis ", axis, " for input extent ", in);
  return out;
}

bool ConvGeometry::IsPointwise() const {
  for (size_t i = 0; i < kernel.size(); ++i) {
    if (kernel[i] != 1 || stride[i] != 1 || pad[i] != 0) return false;
  }
  return true;
}

}  // namespace caffe
