#include "caffe/layers/relu_layer.hpp"

#include <algorithm>

namespace caffe {

template <typename Dtype>
void ReLULayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const Dtype negative_slope = this->layer_param_.relu_param().negative_slope();
  // With a negative slope the output's sign no longer tells the input's, so
  // an in-place run must remember x for the backward pass.
  if (negative_slope < 0) this->SaveInputIfInPlace(bottom, top);
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  const int count = bottom[0]->count();
  for (int i = 0; i < count; ++i) {
    y[i] = std::max(x[i], Dtype(0)) + negative_slope * std::min(x[i], Dtype(0));
  }
}

template <typename Dtype>
void ReLULayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype negative_slope = this->layer_param_.relu_param().negative_slope();
  const Dtype* x = negative_slope < 0 ? this->ForwardInput(bottom, top) : bottom[0]->cpu_data();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int count = bottom[0]->count();
  for (int i = 0; i < count; ++i) {
    bottom_diff[i] = top_diff[i] * ((x[i] > 0) + negative_slope * (x[i] <= 0));
  }
}

INSTANTIATE_CLASS(ReLULayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
