// BNLLLayer ("binomial normal log likelihood"): y = log(1 + exp(x)),
// computed without overflow for large |x|. In place is allowed: the input is
// then saved for the backward pass.
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class BNLLLayer : public NeuronLayer<Dtype> {
 public:
  explicit BNLLLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  const char* type() const override { return "BNLL"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;
};

}  // namespace caffe
