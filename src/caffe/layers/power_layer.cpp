#include "caffe/layers/power_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void PowerLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const PowerParameter& param = this->layer_param_.power_param();
  power_ = param.power();
  scale_ = param.scale();
  shift_ = param.shift();
  diff_scale_ = power_ * scale_;
}

template <typename Dtype>
void PowerLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  Dtype* y = top[0]->mutable_cpu_data();
  const int count = bottom[0]->count();
  if (diff_scale_ == Dtype(0)) {
    const Dtype value = (power_ == Dtype(0)) ? Dtype(1) : std::pow(shift_, power_);
    caffe_set(count, value, y);
    return;
  }
  this->SaveInputIfInPlace(bottom, top);
  const Dtype* x = bottom[0]->cpu_data();
  for (int i = 0; i < count; ++i) {
    Dtype value = x[i];
    if (scale_ != Dtype(1)) value *= scale_;
    if (shift_ != Dtype(0)) value += shift_;
    y[i] = (power_ != Dtype(1)) ? std::pow(value, power_) : value;
  }
}

template <typename Dtype>
void PowerLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  if (diff_scale_ == Dtype(0)) {
    caffe_set(count, Dtype(0), bottom_diff);
    return;
  }
  if (power_ == Dtype(1)) {
    for (int i = 0; i < count; ++i) bottom_diff[i] = diff_scale_ * top_diff[i];
    return;
  }
  const Dtype* x = this->ForwardInput(bottom, top);
  const Dtype* y = top[0]->cpu_data();
  for (int i = 0; i < count; ++i) {
    Dtype derivative;
    if (power_ == Dtype(2)) {
      // 2 * scale * (shift + scale * x), without a division.
      derivative = diff_scale_ * scale_ * x[i];
      if (shift_ != Dtype(0)) derivative += diff_scale_ * shift_;
    } else if (shift_ == Dtype(0)) {
      // power * scale * (scale x)^(power - 1) = power * y / x.
      derivative = y[i] / x[i] * power_;
    } else {
      Dtype base = x[i];
      if (scale_ != Dtype(1)) base *= scale_;
      base += shift_;
      derivative = y[i] / base;
      if (diff_scale_ != Dtype(1)) derivative *= diff_scale_;
    }
    bottom_diff[i] = top_diff[i] * derivative;
  }
}

INSTANTIATE_CLASS(PowerLayer);
REGISTER_LAYER_CLASS(Power);

}  // namespace caffe
