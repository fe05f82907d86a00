// ScaleLayer: top = bottom[0] * s (+ b), where s is broadcast over bottom[0].
// s is either the second bottom or, with one bottom, a learned parameter
// blob (blobs()[0], filled by scale_param.filler, default constant 1).
// s's shape must equal bottom[0]'s dims [axis, axis + s.num_axes()); with a
// learned s that range is set by scale_param.axis (default 1) and num_axes
// (default 1; -1 = through the last axis; 0 = a scalar).
// With bias_term, a learned bias b of s's shape (bias_filler, default 0) is
// added by an internal BiasLayer and stored as the last parameter blob.
// May run in place (top == bottom[0]); the input is then kept in a private
// buffer for the gradient of s.
//
// Ownership: owns s (when learned) and shares b with its internal BiasLayer.
// Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"
#include "caffe/layers/bias_layer.hpp"

namespace caffe {

template <typename Dtype>
class ScaleLayer : public Layer<Dtype> {
 public:
  explicit ScaleLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Scale"; }
  int MinBottomBlobs() const override { return 1; }
  int MaxBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  shared_ptr<BiasLayer<Dtype>> bias_layer_;
  vector<Blob<Dtype>*> bias_bottom_vec_;
  int bias_param_id_ = -1;
  // bottom[0] viewed as outer_dim_ x scale_dim_ x inner_dim_.
  int outer_dim_ = 0;
  int scale_dim_ = 0;
  int inner_dim_ = 0;
  // The input, kept when running in place.
  Blob<Dtype> saved_input_;
  // top_diff * input, element by element, then its sums per scale entry.
  Blob<Dtype> product_;
  vector<Dtype> scale_grad_;
};

}  // namespace caffe
