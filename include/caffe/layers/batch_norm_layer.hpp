// BatchNormLayer: normalises each channel (axis 1) of the bottom to zero mean
// and unit variance over the batch and spatial positions:
//   top = (bottom - mean_c) / sqrt(var_c + eps).
// It has no learned scale or shift (follow it with a Scale layer for that).
//
// Parameter blobs, as upstream Caffe 1.0 (so models load unchanged):
//   blobs()[0]: running sum of means (C), blobs()[1]: running sum of
//   variances (C), blobs()[2]: one-element scale factor. The running
//   estimates are blobs()[i] / blobs()[2][0] (0 when the factor is 0).
// use_global_stats (default: true in TEST, false in TRAIN) chooses between
// the stored estimates and the batch statistics. With batch statistics each
// Forward updates, with f = moving_average_fraction (default 0.999) and
// m = count / C:
//   factor = f * factor + 1; sum_mean = f * sum_mean + mean;
//   sum_var = f * sum_var + m / (m - 1) * var    (m / (m - 1) = 1 when m = 1),
// where var is the biased batch variance, which is what normalises.
// These blobs are statistics, not weights: like upstream, the layer gives
// them lr_mult 0 (adding ParamSpecs when absent) and refuses a non-zero
// lr_mult unless exactly three ParamSpecs are given (old nets, whose three
// specs upstream's loader zeroes).
// May run in place.
//
// Ownership: owns its three statistics blobs and work buffers.
// Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class BatchNormLayer : public Layer<Dtype> {
 public:
  explicit BatchNormLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "BatchNorm"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 protected:  // read by the oneDNN subclass
  bool use_global_stats_ = false;
  Dtype moving_average_fraction_ = 0;
  Dtype eps_ = 0;
  int channels_ = 0;
  // bottom viewed as num_ x channels_ x spatial_dim_.
  int num_ = 0;
  int spatial_dim_ = 0;
  // Per channel: the mean and sqrt(variance + eps) used by the last Forward.
  vector<Dtype> mean_;
  vector<Dtype> stddev_;
  // The normalised output, kept because later in-place layers may overwrite the top.
  Blob<Dtype> x_norm_;

 private:
  void MaskStatisticsFromSolver();
};

}  // namespace caffe
