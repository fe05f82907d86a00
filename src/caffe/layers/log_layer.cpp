#include "caffe/layers/log_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void LogLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  const LogParameter& param = this->layer_param_.log_param();
  const Dtype base = param.base();
  if (base != Dtype(-1)) {
    CAFFE_REQUIRE(base > 0, ConfigError, this->Describe(), ": log_param.base must be -1 (e) ",
                  "or strictly positive, got ", base);
  }
  const Dtype log_base = (base == Dtype(-1)) ? Dtype(1) : std::log(base);
  CAFFE_REQUIRE(std::isfinite(log_base), ConfigError, this->Describe(),
                ": log(log_param.base) = log(", base, ") is not finite");
  base_scale_ = Dtype(1) / log_base;
  CAFFE_REQUIRE(std::isfinite(base_scale_), ConfigError, this->Describe(),
                ": log_param.base ", base, " gives the non-finite factor 1/log(base)");
  input_scale_ = param.scale();
  input_shift_ = param.shift();
  backward_num_scale_ = input_scale_ / log_base;
}

template <typename Dtype>
void LogLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  this->SaveInputIfInPlace(bottom, top);
  const int count = bottom[0]->count();
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  for (int i = 0; i < count; ++i) {
    Dtype value = x[i];
    if (input_scale_ != Dtype(1)) value *= input_scale_;
    if (input_shift_ != Dtype(0)) value += input_shift_;
    value = std::log(value);
    if (base_scale_ != Dtype(1)) value *= base_scale_;
    y[i] = value;
  }
}

template <typename Dtype>
void LogLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype* x = this->ForwardInput(bottom, top);
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  for (int i = 0; i < count; ++i) {
    Dtype value = x[i];
    if (input_scale_ != Dtype(1)) value *= input_scale_;
    if (input_shift_ != Dtype(0)) value += input_shift_;
    value = Dtype(1) / value;
    if (backward_num_scale_ != Dtype(1)) value *= backward_num_scale_;
    bottom_diff[i] = top_diff[i] * value;
  }
}

INSTANTIATE_CLASS(LogLayer);
REGISTER_LAYER_CLASS(Log);

}  // namespace caffe
