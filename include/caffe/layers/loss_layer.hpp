// LossLayer<Dtype>: base of the layers that compute a scalar loss from a
// prediction (bottom 0) and a target (bottom 1, usually labels).
//
// - The first top is the loss, a scalar (0-axis blob). When the layer
//   parameter gives no loss_weight, LayerSetUp adds loss_weight 1, so a loss
//   layer contributes to the objective by default.
// - Bottoms 0 and 1 must agree on their first dimension (ShapeError naming
//   the layer and both shapes); subclasses check the rest.
// - Labels receive no gradient: AllowForceBackward is false for bottom 1, and
//   asking for a label gradient throws ConfigError.
// Also the normalisation rules shared by the classification losses.
#pragma once

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class LossLayer : public Layer<Dtype> {
 public:
  explicit LossLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  int ExactNumBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }
  bool AutoTopBlobs() const override { return true; }
  bool AllowForceBackward(int bottom_index) const override { return bottom_index != 1; }

 protected:
  // The divisor of a summed loss: FULL counts all outer_num * inner_num
  // positions, VALID the non-ignored ones (valid_count; -1 means all), BATCH_SIZE
  // outer_num, NONE 1. Never below 1, so a batch whose labels are all ignored
  // gives a zero loss instead of NaN.
  static Dtype Normalizer(LossParameter_NormalizationMode mode, int outer_num, int inner_num,
                          int valid_count);
  // loss_param.normalization when set, else the legacy loss_param.normalize
  // (true = VALID, false = BATCH_SIZE), else `default_mode`.
  LossParameter_NormalizationMode NormalizationMode(
      LossParameter_NormalizationMode default_mode) const;
  // The class index stored in `value` (truncated like upstream's int cast);
  // DataError naming this layer when it is outside [0, num_classes).
  int ClassIndex(Dtype value, int num_classes) const;
  // ConfigError when a gradient is asked for bottom `index` (a label input).
  void RefuseLabelGradient(const vector<bool>& propagate_down, int index) const;
};

}  // namespace caffe
