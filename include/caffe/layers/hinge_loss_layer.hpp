// HingeLossLayer: one-vs-all hinge loss for N items with K scores each
// (bottom 0 is N x ..., K = count / N) and one label per item (bottom 1).
// With t_k = 1 for the labelled class and -1 otherwise,
//   L1 (default): loss = sum max(0, 1 - t_k x_k) / N
//   L2:           loss = sum max(0, 1 - t_k x_k)^2 / N   (hinge_loss_param.norm)
// Labels outside [0, K) throw DataError.
#pragma once

#include "caffe/layers/loss_layer.hpp"

namespace caffe {

template <typename Dtype>
class HingeLossLayer : public LossLayer<Dtype> {
 public:
  explicit HingeLossLayer(const LayerParameter& param) : LossLayer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "HingeLoss"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Blob<Dtype> margins_;  // max(0, 1 - t_k x_k) from the last forward pass
};

}  // namespace caffe
