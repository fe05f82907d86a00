// MVNLayer: mean-variance normalisation of each sample. For a bottom of
// N x C x H x W (at most 4 axes, missing trailing axes count as 1), every
// (n, c) plane - or every sample n when across_channels is set - is
// centred, and with normalize_variance (default) divided by (std + eps):
//   y = (x - mean) / (sqrt(E[(x - mean)^2]) + eps)       (eps default 1e-9).
// Backward is upstream's: with normalize_variance
//   dx = (dy - mean(dy) - mean(dy * y) * y) / (std + eps),
// else dx = dy - mean(dy).
// May run in place: each group's sums are taken before any value of it is
// overwritten.
//
// Ownership: owns its per-sample statistics. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class MVNLayer : public Layer<Dtype> {
 public:
  explicit MVNLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "MVN"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // The bottom viewed as groups_ rows of dim_ values, each normalised alone.
  int groups_ = 0;
  int dim_ = 0;
  // Per group: std + eps from the last Forward.
  vector<Dtype> denominator_;
};

}  // namespace caffe
