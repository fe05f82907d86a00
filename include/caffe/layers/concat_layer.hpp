// ConcatLayer: joins its bottoms along one axis (concat_param.axis, default 1;
// the legacy concat_dim is honoured when set). All bottoms must agree on
// every other dimension. Backward splits the top diff back into the bottoms.
// With a single bottom the top simply aliases it; otherwise the top may not
// be one of the bottoms.
//
// Ownership: the layer owns nothing; tops and bottoms belong to the Net.
// Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class ConcatLayer : public Layer<Dtype> {
 public:
  explicit ConcatLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Concat"; }
  int MinBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

  int concat_axis_ = 0;
  // Product of the dims before / after the concat axis.
  int num_concats_ = 0;
  int concat_input_size_ = 0;
};

}  // namespace caffe
