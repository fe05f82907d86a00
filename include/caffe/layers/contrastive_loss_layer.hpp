// ContrastiveLossLayer: for pairs (a_n, b_n) with similarity label y_n
// (bottom 2, nonzero = similar) and d_n = ||a_n - b_n||,
//   loss = sum_n [ y_n d_n^2 + (1 - y_n) max(margin - d_n, 0)^2 ] / (2N),
// or with contrastive_loss_param.legacy_version the dissimilar term
// max(margin - d_n^2, 0). Bottoms a and b are N x C (x 1 x 1); the label is
// N x 1 (x 1 x 1). Both a and b receive gradients, the label none.
#pragma once

#include "caffe/layers/loss_layer.hpp"

namespace caffe {

template <typename Dtype>
class ContrastiveLossLayer : public LossLayer<Dtype> {
 public:
  explicit ContrastiveLossLayer(const LayerParameter& param) : LossLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "ContrastiveLoss"; }
  int ExactNumBottomBlobs() const override { return 3; }
  bool AllowForceBackward(int bottom_index) const override { return bottom_index != 2; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  void CheckShapes(const vector<Blob<Dtype>*>& bottom) const;

  Blob<Dtype> diff_;     // a - b
  vector<Dtype> dist_sq_;  // ||a_n - b_n||^2
};

}  // namespace caffe
