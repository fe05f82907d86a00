// NormalizeLayer (ours, type "Normalize"): scales vectors to unit L2 norm.
// For a bottom of shape d0 x ... x dk and normalize_param.axis a (default 1,
// negative counts from the end), each vector along axis a - one per index
// of all the other axes - is normalised:
//   y = x / sqrt(sum_c x_c^2 + eps)              (eps default 1e-10).
// E.g. N x C x H x W with axis 1: each (n, h, w) position's C-vector; N x D
// with axis 1: each row (embedding). Backward is exact:
//   dx = (dy - y * (y . dy)) / sqrt(|x|^2 + eps).
// May run in place.
//
// Ownership: owns the per-vector norms of the last Forward. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class NormalizeLayer : public Layer<Dtype> {
 public:
  explicit NormalizeLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Normalize"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Dtype eps_ = 0;
  // The bottom viewed as outer_ x channels_ x inner_; vectors run along channels_.
  int outer_ = 0;
  int channels_ = 0;
  int inner_ = 0;
  vector<Dtype> norms_;
};

}  // namespace caffe
