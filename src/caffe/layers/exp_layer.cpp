#include "caffe/layers/exp_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ExpLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  const ExpParameter& param = this->layer_param_.exp_param();
  const Dtype base = param.base();
  if (base != Dtype(-1)) {
    CAFFE_REQUIRE(base > 0, ConfigError, this->Describe(), ": exp_param.base must be -1 (e) ",
                  "or strictly positive, got ", base);
  }
  const Dtype log_base = (base == Dtype(-1)) ? Dtype(1) : std::log(base);
  CAFFE_REQUIRE(std::isfinite(log_base), ConfigError, this->Describe(),
                ": log(exp_param.base) = log(", base, ") is not finite");
  const Dtype input_scale = param.scale();
  const Dtype input_shift = param.shift();
  inner_scale_ = log_base * input_scale;
  outer_scale_ = (input_shift == Dtype(0))
                     ? Dtype(1)
                     : ((base != Dtype(-1)) ? std::pow(base, input_shift) : std::exp(input_shift));
}

template <typename Dtype>
void ExpLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const int count = bottom[0]->count();
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  for (int i = 0; i < count; ++i) {
    Dtype value = std::exp(inner_scale_ == Dtype(1) ? x[i] : inner_scale_ * x[i]);
    if (outer_scale_ != Dtype(1)) value *= outer_scale_;
    y[i] = value;
  }
}

template <typename Dtype>
void ExpLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype* y = top[0]->cpu_data();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  for (int i = 0; i < count; ++i) {
    Dtype value = y[i] * top_diff[i];
    if (inner_scale_ != Dtype(1)) value *= inner_scale_;
    bottom_diff[i] = value;
  }
}

INSTANTIATE_CLASS(ExpLayer);
REGISTER_LAYER_CLASS(Exp);

}  // namespace caffe
