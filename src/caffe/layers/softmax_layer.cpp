#include "caffe/layers/softmax_layer.hpp"

#include <algorithm>
#include <cmath>

namespace caffe {

template <typename Dtype>
void SoftmaxLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const int requested_axis = this->layer_param_.softmax_param().axis();
  const int num_axes = bottom[0]->num_axes();
  CAFFE_REQUIRE(requested_axis >= -num_axes && requested_axis < num_axes, ConfigError,
                this->Describe(), ": softmax_param.axis ", requested_axis,
                " is out of range for bottom shape ", bottom[0]->shape_string());
  const int axis = bottom[0]->CanonicalAxisIndex(requested_axis);
  top[0]->ReshapeLike(*bottom[0]);
  outer_num_ = bottom[0]->count(0, axis);
  channels_ = bottom[0]->shape(axis);
  inner_num_ = bottom[0]->count(axis + 1);
  scale_.resize(inner_num_);
}

template <typename Dtype>
void SoftmaxLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  const int dim = channels_ * inner_num_;
  Dtype* scale = scale_.data();
  for (int i = 0; i < outer_num_; ++i) {
    const Dtype* x = bottom_data + i * dim;
    Dtype* y = top_data + i * dim;
    // Subtracting the max before exp() keeps every exponent <= 0.
    std::copy(x, x + inner_num_, scale);
    for (int c = 1; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) scale[k] = std::max(scale[k], x[c * inner_num_ + k]);
    }
    for (int c = 0; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) {
        y[c * inner_num_ + k] = std::exp(x[c * inner_num_ + k] - scale[k]);
      }
    }
    std::fill(scale, scale + inner_num_, Dtype(0));
    for (int c = 0; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) scale[k] += y[c * inner_num_ + k];
    }
    for (int c = 0; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) y[c * inner_num_ + k] /= scale[k];
    }
  }
}

template <typename Dtype>
void SoftmaxLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                       const vector<bool>& propagate_down,
                                       const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* top_diff = top[0]->cpu_diff();
  const Dtype* top_data = top[0]->cpu_data();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int dim = channels_ * inner_num_;
  Dtype* dot = scale_.data();
  // dx_c = y_c * (dy_c - sum_k dy_k y_k)
  for (int i = 0; i < outer_num_; ++i) {
    const Dtype* dy = top_diff + i * dim;
    const Dtype* y = top_data + i * dim;
    Dtype* dx = bottom_diff + i * dim;
    std::fill(dot, dot + inner_num_, Dtype(0));
    for (int c = 0; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) dot[k] += dy[c * inner_num_ + k] * y[c * inner_num_ + k];
    }
    for (int c = 0; c < channels_; ++c) {
      for (int k = 0; k < inner_num_; ++k) {
        dx[c * inner_num_ + k] = (dy[c * inner_num_ + k] - dot[k]) * y[c * inner_num_ + k];
      }
    }
  }
}

INSTANTIATE_CLASS(SoftmaxLayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
