// DropoutLayer (dropout_param.dropout_ratio p, default 0.5, 0 <= p < 1).
// TRAIN: each element is kept with probability 1 - p (a Bernoulli draw from
// the thread's Caffe::rng(), in the same order as upstream, so seeded runs
// drop the same elements) and kept ones are scaled by 1 / (1 - p).
// TEST: identity.
// With dropout_param.scale_train = false (as NVIDIA Caffe) the kept elements
// are not scaled in TRAIN, and TEST scales everything by (1 - p) instead.
// In place is allowed: the gradient needs only the mask, which the layer keeps.
#pragma once

#include <vector>

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class DropoutLayer : public NeuronLayer<Dtype> {
 public:
  explicit DropoutLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Dropout"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Dtype threshold_ = 0.5;  // the drop probability p
  Dtype scale_ = 2;        // 1 / (1 - p)
  bool scale_train_ = true;
  std::vector<unsigned int> mask_;  // 1 = kept, from the last TRAIN forward
};

}  // namespace caffe
