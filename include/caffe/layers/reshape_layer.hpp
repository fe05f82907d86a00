// ReshapeLayer: gives the bottom a new shape without touching its values.
// reshape_param.shape lists the new dims; 0 copies the bottom's dim at the
// same position and at most one -1 is inferred from the element count.
// `axis` and `num_axes` restrict the replacement to the bottom axes
// [axis, axis + num_axes) (num_axes -1: through the last axis; a negative
// axis counts from the end, -1 meaning "after the last axis"). The top shares
// the bottom's data and diff. Cannot run in place.
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class ReshapeLayer : public Layer<Dtype> {
 public:
  explicit ReshapeLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Reshape"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  // Data and diff are shared, so there is nothing to compute.
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}

  // Positions in reshape_param.shape holding 0 (copy) and -1 (infer, or -1).
  vector<int> copy_axes_;
  int inferred_axis_ = -1;
  // Product of the explicitly given (positive) dims.
  long long constant_count_ = 1;
};

}  // namespace caffe
