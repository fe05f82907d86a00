// PowerLayer: y = (shift + scale * x) ^ power (power_param; defaults 1, 1, 0).
// In place is allowed: the input is then saved for the backward pass.
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class PowerLayer : public NeuronLayer<Dtype> {
 public:
  explicit PowerLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Power"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Dtype power_ = 1;
  Dtype scale_ = 1;
  Dtype shift_ = 0;
  // power * scale: the derivative's constant factor; 0 means y is constant.
  Dtype diff_scale_ = 1;
};

}  // namespace caffe
