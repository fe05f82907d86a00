// SoftmaxLayer: normalised exponentials along softmax_param.axis (default 1;
// negative counts from the end): y_c = exp(x_c - max) / sum_k exp(x_k - max),
// independently for every position of the other axes. One bottom, one top of
// the same shape; in place is allowed (the gradient needs only the output).
#pragma once

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class SoftmaxLayer : public Layer<Dtype> {
 public:
  explicit SoftmaxLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Softmax"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 protected:  // read by the oneDNN subclass
  int outer_num_ = 0;  // product of the axes before the softmax axis
  int channels_ = 0;   // size of the softmax axis
  int inner_num_ = 0;  // product of the axes after it
  vector<Dtype> scale_;  // per inner position: the max, then the sum
};

}  // namespace caffe
