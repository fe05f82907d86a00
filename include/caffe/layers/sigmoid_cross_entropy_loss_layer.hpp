// SigmoidCrossEntropyLossLayer: the cross-entropy between targets t in [0, 1]
// and sigmoid(x), summed over all elements as
//   -[x (t - [x >= 0]) - log(1 + exp(x - 2 x [x >= 0]))],
// a form that never overflows, and divided by the normaliser of
// loss_param.normalization. Without normalization or the legacy normalize
// field the default is BATCH_SIZE (upstream's historical behaviour), not VALID.
// Elements whose target (cast to int) equals loss_param.ignore_label add
// nothing and get no gradient. Bottoms: scores and targets of the same count.
// Owns an internal SigmoidLayer for the gradient sigmoid(x) - t.
#pragma once

#include <memory>

#include "caffe/layers/loss_layer.hpp"
#include "caffe/layers/sigmoid_layer.hpp"

namespace caffe {

template <typename Dtype>
class SigmoidCrossEntropyLossLayer : public LossLayer<Dtype> {
 public:
  explicit SigmoidCrossEntropyLossLayer(const LayerParameter& param);
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "SigmoidCrossEntropyLoss"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  bool Ignored(Dtype target) const {
    return has_ignore_label_ && static_cast<int>(target) == ignore_label_;
  }

  std::unique_ptr<SigmoidLayer<Dtype>> sigmoid_layer_;
  Blob<Dtype> sigmoid_output_;
  vector<Blob<Dtype>*> sigmoid_bottom_vec_;
  vector<Blob<Dtype>*> sigmoid_top_vec_;
  bool has_ignore_label_ = false;
  int ignore_label_ = 0;
  LossParameter_NormalizationMode normalization_ = LossParameter_NormalizationMode_BATCH_SIZE;
  int outer_num_ = 0;  // batch size
  int inner_num_ = 0;  // elements per item
  Dtype normalizer_ = 1;  // from the last forward pass, reused by backward
};

}  // namespace caffe
