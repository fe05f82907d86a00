#include "caffe/layers/normalize_layer.hpp"

#include "caffe/layer_factory.hpp"
#include "caffe/layers/l2_normalize.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void NormalizeLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const float eps = this->layer_param_.normalize_param().eps();
  CAFFE_REQUIRE(eps >= 0, ConfigError, this->Describe(),
                ": normalize_param.eps must not be negative, got ", eps);
  eps_ = eps;
}

template <typename Dtype>
void NormalizeLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const int axis = CheckedAxis(this->Describe(), "normalize_param.axis",
                               this->layer_param_.normalize_param().axis(), *bottom[0]);
  outer_ = bottom[0]->count(0, axis);
  channels_ = bottom[0]->shape(axis);
  inner_ = bottom[0]->count(axis + 1);
  if (top[0] != bottom[0]) top[0]->ReshapeLike(*bottom[0]);
  norms_.assign(static_cast<size_t>(outer_) * inner_, Dtype(1));
}

template <typename Dtype>
void NormalizeLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  L2NormalizeForward(outer_, channels_, inner_, eps_, bottom[0]->cpu_data(),
                     top[0]->mutable_cpu_data(), norms_.data());
}

template <typename Dtype>
void NormalizeLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  L2NormalizeBackward(outer_, channels_, inner_, top[0]->cpu_data(), norms_.data(),
                      top[0]->cpu_diff(), bottom[0]->mutable_cpu_diff());
}

INSTANTIATE_CLASS(NormalizeLayer);
REGISTER_LAYER_CLASS(Normalize);

}  // namespace caffe
