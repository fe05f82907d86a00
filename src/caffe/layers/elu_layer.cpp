#include "caffe/layers/elu_layer.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ELULayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const Dtype alpha = this->layer_param_.elu_param().alpha();
  // A negative alpha makes outputs of negative inputs positive, so the sign of
  // an in-place output no longer identifies the branch taken.
  if (alpha < 0) this->SaveInputIfInPlace(bottom, top);
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  const int count = bottom[0]->count();
  for (int i = 0; i < count; ++i) {
    y[i] = std::max(x[i], Dtype(0)) + alpha * (std::exp(std::min(x[i], Dtype(0))) - Dtype(1));
  }
}

template <typename Dtype>
void ELULayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype alpha = this->layer_param_.elu_param().alpha();
  const Dtype* x = alpha < 0 ? this->ForwardInput(bottom, top) : bottom[0]->cpu_data();
  const Dtype* y = top[0]->cpu_data();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int count = bottom[0]->count();
  // For x <= 0, dy/dx = alpha * exp(x) = y + alpha.
  for (int i = 0; i < count; ++i) {
    bottom_diff[i] = top_diff[i] * ((x[i] > 0) + (alpha + y[i]) * (x[i] <= 0));
  }
}

INSTANTIATE_CLASS(ELULayer);
REGISTER_LAYER_CLASS(ELU);

}  // namespace caffe
