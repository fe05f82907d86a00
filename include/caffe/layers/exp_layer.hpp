// ExpLayer: y = base ^ (shift + scale * x) (exp_param; base -1, the default,
// means e). In place is allowed (the gradient needs only the output).
// A base that is not -1 must be positive (ConfigError otherwise).
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class ExpLayer : public NeuronLayer<Dtype> {
 public:
  explicit ExpLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Exp"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // y = outer_scale_ * exp(inner_scale_ * x).
  Dtype inner_scale_ = 1;
  Dtype outer_scale_ = 1;
};

}  // namespace caffe
