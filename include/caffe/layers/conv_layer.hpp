// ConvolutionLayer<Dtype> (type "Convolution"): cross-correlates each bottom
// with num_output learned filters, optionally in groups, and adds a learned
// bias per output channel. 2-D or N-D; see BaseConvolutionLayer for the
// parameters and ownership. Each bottom i produces top i (same shapes for
// every bottom); output extent per spatial axis is
// (in + 2 * pad - (dilation * (kernel - 1) + 1)) / stride + 1.
#pragma once

#include "caffe/layers/base_conv_layer.hpp"

namespace caffe {

template <typename Dtype>
class ConvolutionLayer : public BaseConvolutionLayer<Dtype> {
 public:
  explicit ConvolutionLayer(const LayerParameter& param) : BaseConvolutionLayer<Dtype>(param) {}
  const char* type() const override { return "Convolution"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;
  bool reverse_dimensions() const override { return false; }
  void compute_output_shape() override;
};

}  // namespace caffe
