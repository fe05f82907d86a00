// BiasLayer: top = bottom[0] + b, where b is broadcast over bottom[0].
// b is either the second bottom or, with one bottom, a learned parameter
// blob (blobs()[0], filled by bias_param.filler, default constant 0).
// b's shape must equal bottom[0]'s dims [axis, axis + b.num_axes()); with a
// learned b that range is set by bias_param.axis (default 1) and num_axes
// (default 1; -1 = through the last axis; 0 = a scalar bias).
// E.g. bottom N x C x H x W with axis 1, num_axes 1 -> one bias per channel.
// May run in place (top == bottom[0]).
//
// Ownership: owns the learned bias blob (shared with ScaleLayer when it is
// the bias term of a Scale layer). Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class BiasLayer : public Layer<Dtype> {
 public:
  explicit BiasLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Bias"; }
  int MinBottomBlobs() const override { return 1; }
  int MaxBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // bottom[0] viewed as outer_dim_ x bias_dim_ x inner_dim_.
  int outer_dim_ = 0;
  int bias_dim_ = 0;
  int inner_dim_ = 0;
};

}  // namespace caffe
