// InfogainLossLayer: a SoftmaxWithLoss generalised by an "information gain"
// matrix H (K x K): with p = softmax of the scores along
// infogain_loss_param.axis (default 1) and label l at each position,
//   loss = -sum_positions sum_k H[l, k] log(max(p_k, 1e-20)) / normaliser,
// the normaliser following loss_param.normalization (default VALID; the
// legacy loss_param.normalize is refused with ConfigError, as upstream).
// H = identity gives SoftmaxWithLoss.
//
// Bottoms: scores, labels (one per position, count must be outer * inner)
// and optionally H as a third bottom; without it H is read once from the
// BlobProto file infogain_loss_param.source. Labels equal to
// loss_param.ignore_label are skipped; others outside [0, K) throw DataError.
// Tops: the loss and, optionally, the softmax probabilities. Only the scores
// receive a gradient. Owns an internal Softmax layer (from the registry).
#pragma once

#include "caffe/layers/loss_layer.hpp"

namespace caffe {

template <typename Dtype>
class InfogainLossLayer : public LossLayer<Dtype> {
 public:
  explicit InfogainLossLayer(const LayerParameter& param) : LossLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "InfogainLoss"; }
  int ExactNumBottomBlobs() const override { return -1; }
  int MinBottomBlobs() const override { return 2; }
  int MaxBottomBlobs() const override { return 3; }
  int ExactNumTopBlobs() const override { return -1; }
  int MinTopBlobs() const override { return 1; }
  int MaxTopBlobs() const override { return 2; }
  bool AllowForceBackward(int bottom_index) const override { return bottom_index == 0; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  const Blob<Dtype>& Infogain(const vector<Blob<Dtype>*>& bottom) const {
    return bottom.size() >= 3 ? *bottom[2] : infogain_;
  }
  void SumRowsOfH(const Blob<Dtype>& infogain);
  bool Ignored(int label) const { return has_ignore_label_ && label == ignore_label_; }

  shared_ptr<Layer<Dtype>> softmax_layer_;
  Blob<Dtype> prob_;
  vector<Blob<Dtype>*> softmax_bottom_vec_;
  vector<Blob<Dtype>*> softmax_top_vec_;
  Blob<Dtype> infogain_;        // H from `source`, when there is no third bottom
  vector<Dtype> sum_rows_H_;    // sum_k H[l, k] for each l
  bool has_ignore_label_ = false;
  int ignore_label_ = 0;
  LossParameter_NormalizationMode normalization_ = LossParameter_NormalizationMode_VALID;
  int infogain_axis_ = 1;
  int outer_num_ = 0;
  int inner_num_ = 0;
  int num_labels_ = 0;
};

}  // namespace caffe
