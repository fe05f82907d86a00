// SliceLayer: cuts one bottom into several tops along an axis
// (slice_param.axis, default 1; the legacy slice_dim is honoured when set).
// With slice_point p1 < p2 < ... (one fewer than the tops) top i gets the
// range [p_i, p_{i+1}); without slice points the axis is split evenly, which
// requires the axis length to be a multiple of the number of tops. Backward
// copies each top diff back into its range. With a single top, it aliases
// the bottom; otherwise no top may be the bottom.
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class SliceLayer : public Layer<Dtype> {
 public:
  explicit SliceLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Slice"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int MinTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

  int slice_axis_ = 0;
  // Product of the dims before / after the slice axis.
  int num_slices_ = 0;
  int slice_size_ = 0;
  vector<int> slice_points_;
};

}  // namespace caffe
