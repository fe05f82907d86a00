// BatchReindexLayer: gathers items along axis 0. Bottom 0 is N x ...;
// bottom 1 is a 1-D blob of M indices in [0, N) (stored as Dtype, truncated
// to int); top is M x ... with top[i] = bottom0[index[i]]. Indices may
// repeat or be omitted; Backward scatter-adds the diffs, so a repeated item
// receives the sum. The index bottom gets no gradient (asking for one is a
// ConfigError); an out-of-range index is a DataError.
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class BatchReindexLayer : public Layer<Dtype> {
 public:
  explicit BatchReindexLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "BatchReindex"; }
  int ExactNumBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }
  bool AllowForceBackward(int bottom_index) const override { return bottom_index == 0; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;
};

}  // namespace caffe
