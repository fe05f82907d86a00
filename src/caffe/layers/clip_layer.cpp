#include "caffe/layers/clip_layer.hpp"

#include <algorithm>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ClipLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const ClipParameter& param = this->layer_param_.clip_param();
  CAFFE_REQUIRE(param.has_min() && param.has_max(), ConfigError, this->Describe(),
                " needs both clip_param.min and clip_param.max");
  min_ = param.min();
  max_ = param.max();
  CAFFE_REQUIRE(min_ <= max_, ConfigError, this->Describe(), ": clip_param.min (", min_,
                ") is greater than clip_param.max (", max_, ")");
}

template <typename Dtype>
void ClipLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  this->SaveInputIfInPlace(bottom, top);
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  const int count = bottom[0]->count();
  for (int i = 0; i < count; ++i) y[i] = std::max(min_, std::min(x[i], max_));
}

template <typename Dtype>
void ClipLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* x = this->ForwardInput(bottom, top);
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int count = bottom[0]->count();
  for (int i = 0; i < count; ++i) bottom_diff[i] = top_diff[i] * (x[i] >= min_ && x[i] <= max_);
}

INSTANTIATE_CLASS(ClipLayer);
REGISTER_LAYER_CLASS(Clip);

}  // namespace caffe
