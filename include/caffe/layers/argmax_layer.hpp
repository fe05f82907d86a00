// ArgMaxLayer: the indices (and optionally values) of the top_k largest
// entries (argmax_param: out_max_val, top_k default 1, axis).
// - With axis set: top has the bottom's shape with that axis replaced by
//   top_k, holding the indices, or the values when out_max_val.
// - Without axis: each item (axis 0) is flattened; top is N x 1 x top_k
//   (N x 2 x top_k when out_max_val: indices, then values), padded with
//   trailing 1s to the bottom's number of axes.
// Equal values rank the higher index first, as upstream. top_k larger than
// the searched dimension is a ConfigError. Has no gradient.
#pragma once

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class ArgMaxLayer : public Layer<Dtype> {
 public:
  explicit ArgMaxLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "ArgMax"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Throws ConfigError when a gradient is asked for.
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  void CheckTopK(const Blob<Dtype>& bottom) const;

  bool out_max_val_ = false;
  int top_k_ = 1;
  bool has_axis_ = false;
  int axis_ = 0;
};

}  // namespace caffe
