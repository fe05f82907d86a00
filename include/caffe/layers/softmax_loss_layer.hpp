// SoftmaxWithLossLayer: the multinomial logistic loss of the softmax of the
// prediction, -log(softmax(x)[label]), summed over every position and divided
// by the normaliser of loss_param.normalization (default VALID; the legacy
// loss_param.normalize maps true to VALID and false to BATCH_SIZE).
//
// Bottoms: the scores, softmax taken along softmax_param.axis (default 1),
// and the labels, one per position of the other axes (count must be
// outer * inner, else ShapeError). Labels equal to loss_param.ignore_label
// add nothing and receive no gradient; other labels outside [0, C) throw
// DataError. Tops: the loss and, optionally, the softmax probabilities.
//
// Owns an internal Softmax layer (built through the registry) and its output.
#pragma once

#include "caffe/layers/loss_layer.hpp"

namespace caffe {

template <typename Dtype>
class SoftmaxWithLossLayer : public LossLayer<Dtype> {
 public:
  explicit SoftmaxWithLossLayer(const LayerParameter& param) : LossLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "SoftmaxWithLoss"; }
  int ExactNumTopBlobs() const override { return -1; }
  int MinTopBlobs() const override { return 1; }
  int MaxTopBlobs() const override { return 2; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  bool Ignored(int label) const { return has_ignore_label_ && label == ignore_label_; }

  shared_ptr<Layer<Dtype>> softmax_layer_;
  Blob<Dtype> prob_;
  vector<Blob<Dtype>*> softmax_bottom_vec_;
  vector<Blob<Dtype>*> softmax_top_vec_;
  bool has_ignore_label_ = false;
  int ignore_label_ = 0;
  LossParameter_NormalizationMode normalization_ = LossParameter_NormalizationMode_VALID;
  int softmax_axis_ = 1;
  int outer_num_ = 0;
  int inner_num_ = 0;
};

}  // namespace caffe
