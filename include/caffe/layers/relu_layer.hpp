// ReLULayer: y = max(x, 0) + negative_slope * min(x, 0) (relu_param).
// In place is allowed; dy/dx is 1 for x > 0 and negative_slope otherwise.
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class ReLULayer : public NeuronLayer<Dtype> {
 public:
  explicit ReLULayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  const char* type() const override { return "ReLU"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;
};

}  // namespace caffe
