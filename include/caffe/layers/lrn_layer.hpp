// LRNLayer<Dtype> (type "LRN"): local response normalisation of a 4-D
// (num, channels, height, width) bottom, y = x * scale^-beta, with
// - ACROSS_CHANNELS (default): scale = k + alpha / n * sum of x^2 over the n
//   channels centred on x's channel (clipped at the ends);
// - WITHIN_CHANNEL: scale = 1 + alpha / n^2 * sum of x^2 over the n x n
//   window centred on x in its channel (zero outside the image). As upstream,
//   k is not used in this mode.
// n = local_size must be odd (ConfigError otherwise). Owns only the scale
// buffer kept for the backward pass. Not thread-safe; not in-place.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class LRNLayer : public Layer<Dtype> {
 public:
  explicit LRNLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "LRN"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // out = sum of `in` over each element's neighbourhood (channels or spatial
  // window, per the norm region). Neighbourhoods are symmetric, so the same
  // sum serves the backward pass.
  void NeighbourhoodSum(const Dtype* in, Dtype* out) const;

 protected:  // read by the oneDNN subclass
  int size_ = 0;
  int pre_pad_ = 0;
  Dtype alpha_ = 0, beta_ = 0, k_ = 0;
  bool across_channels_ = true;
  int num_ = 0, channels_ = 0, height_ = 0, width_ = 0;
  // The per-element scale of the last forward pass.
  Blob<Dtype> scale_;
  Blob<Dtype> buffer_;
};

}  // namespace caffe
