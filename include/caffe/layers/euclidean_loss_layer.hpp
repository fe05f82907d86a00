// EuclideanLossLayer: loss = sum((a - b)^2) / (2 N), N = first dimension.
// Both bottoms are real-valued and both receive gradients; they must have the
// same first dimension and the same count per item (ShapeError otherwise).
#pragma once

#include "caffe/layers/loss_layer.hpp"

namespace caffe {

template <typename Dtype>
class EuclideanLossLayer : public LossLayer<Dtype> {
 public:
  explicit EuclideanLossLayer(const LayerParameter& param) : LossLayer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "EuclideanLoss"; }
  bool AllowForceBackward(int bottom_index) const override { return true; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Blob<Dtype> diff_;  // a - b from the last forward pass
};

}  // namespace caffe
