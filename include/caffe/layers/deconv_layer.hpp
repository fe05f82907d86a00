// DeconvolutionLayer<Dtype> (type "Deconvolution"): the transpose of
// Convolution with the same parameters - its forward pass is a convolution's
// backward pass with respect to the input - so a stride > 1 upsamples.
// Weights are shaped (channels, num_output / group, kernel...), as upstream.
// Output extent per spatial axis is
// stride * (in - 1) + dilation * (kernel - 1) + 1 - 2 * pad.
// See BaseConvolutionLayer for parameters and ownership.
#pragma once

#include "caffe/layers/base_conv_layer.hpp"

namespace caffe {

template <typename Dtype>
class DeconvolutionLayer : public BaseConvolutionLayer<Dtype> {
 public:
  explicit DeconvolutionLayer(const LayerParameter& param)
      : BaseConvolutionLayer<Dtype>(param) {}
  const char* type() const override { return "Deconvolution"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;
  bool reverse_dimensions() const override { return true; }
  void compute_output_shape() override;
};

}  // namespace caffe
