// FilterLayer: keeps the items (indices along axis 0) whose selector value
// is non-zero. Bottoms: K blobs to filter, then the selector (last bottom,
// shape N or N x 1 x ...); tops: the K filtered blobs, in the same order.
// All bottoms share the first dimension N. Forward copies the selected items;
// Backward copies their diffs back and zeroes the diffs of dropped items.
// The selector gets no gradient (asking for one is a ConfigError).
// At setup the tops get all N items, as the selector values are not known
// yet; each Forward reshapes them to the selected count (which may be 0).
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class FilterLayer : public Layer<Dtype> {
 public:
  explicit FilterLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Filter"; }
  int MinBottomBlobs() const override { return 2; }
  int MinTopBlobs() const override { return 1; }
  // Before SetUp the bottom count comes from the parameter's bottom names.
  bool AllowForceBackward(int bottom_index) const override {
    const int num_bottoms = num_bottoms_ > 0 ? num_bottoms_ : this->layer_param_.bottom_size();
    return bottom_index != num_bottoms - 1;
  }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  int num_bottoms_ = 0;
  bool first_reshape_ = true;
  // Items whose selector is non-zero, ascending.
  vector<int> indices_to_forward_;
};

}  // namespace caffe
