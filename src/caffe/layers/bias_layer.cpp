#include "caffe/layers/bias_layer.hpp"

#include "caffe/filler.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void BiasLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  // A bias loaded with the layer (from a model) is used as is.
  if (bottom.size() == 1 && this->blobs_.empty()) {
    const BiasParameter& param = this->layer_param_.bias_param();
    const int axis = CheckedAxis(this->Describe(), "bias_param.axis", param.axis(), *bottom[0]);
    const int num_axes = param.num_axes();
    CAFFE_REQUIRE(num_axes >= -1, ConfigError, this->Describe(),
                  ": bias_param.num_axes must be >= 0, or -1 for all remaining axes, got ",
                  num_axes);
    CAFFE_REQUIRE(num_axes == -1 || axis + num_axes <= bottom[0]->num_axes(), ConfigError,
                  this->Describe(), ": bias axes [", axis, ", ", axis + num_axes,
                  ") extend past bottom shape ", bottom[0]->shape_string());
    const auto first = bottom[0]->shape().begin() + axis;
    const auto last = num_axes == -1 ? bottom[0]->shape().end() : first + num_axes;
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(vector<int>(first, last)));
    GetFiller<Dtype>(param.filler())->Fill(this->blobs_[0].get());
  }
  this->param_propagate_down_.resize(this->blobs_.size(), true);
}

template <typename Dtype>
void BiasLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                               const vector<Blob<Dtype>*>& top) {
  const Blob<Dtype>& bias = bottom.size() > 1 ? *bottom[1] : *this->blobs_[0];
  // A scalar bias broadcasts the same way whatever the axis, so the axis
  // parameter is not even checked then (as upstream).
  const int axis = bias.num_axes() == 0
                       ? 0
                       : CheckedAxis(this->Describe(), "bias_param.axis",
                                     this->layer_param_.bias_param().axis(), *bottom[0]);
  bool fits = axis + bias.num_axes() <= bottom[0]->num_axes();
  for (int i = 0; fits && i < bias.num_axes(); ++i) {
    fits = bottom[0]->shape(axis + i) == bias.shape(i);
  }
  CAFFE_REQUIRE(fits, ShapeError, this->Describe(), ": bias shape ", bias.shape_string(),
                " does not match bottom shape ", bottom[0]->shape_string(),
                " starting at axis ", axis);
  outer_dim_ = bottom[0]->count(0, axis);
  bias_dim_ = bias.count();
  inner_dim_ = bottom[0]->count(axis + bias.num_axes());
  if (bottom[0] != top[0]) top[0]->ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void BiasLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const Dtype* bias = (bottom.size() > 1 ? bottom[1] : this->blobs_[0].get())->cpu_data();
  if (bottom[0] != top[0]) {
    caffe_copy(bottom[0]->count(), bottom[0]->cpu_data(), top[0]->mutable_cpu_data());
  }
  Dtype* top_data = top[0]->mutable_cpu_data();
  for (int n = 0; n < outer_dim_; ++n) {
    for (int d = 0; d < bias_dim_; ++d) {
      caffe_add_scalar(inner_dim_, bias[d], top_data);
      top_data += inner_dim_;
    }
  }
}

template <typename Dtype>
void BiasLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<Dtype>*>& bottom) {
  // In place, the top diff already is the bottom diff.
  if (propagate_down[0] && bottom[0] != top[0]) {
    caffe_copy(bottom[0]->count(), top[0]->cpu_diff(), bottom[0]->mutable_cpu_diff());
  }
  const bool learned = bottom.size() == 1;
  if (learned ? !this->param_propagate_down(0) : !propagate_down[1]) return;
  // A learned bias accumulates its gradient (the solver clears it); a bias
  // bottom's diff is overwritten, like any bottom diff.
  Dtype* bias_diff = (learned ? this->blobs_[0].get() : bottom[1])->mutable_cpu_diff();
  if (!learned) caffe_set(bias_dim_, Dtype(0), bias_diff);
  const Dtype* top_diff = top[0]->cpu_diff();
  for (int n = 0; n < outer_dim_; ++n) {
    for (int d = 0; d < bias_dim_; ++d) {
      Dtype sum = 0;
      for (int k = 0; k < inner_dim_; ++k) sum += top_diff[k];
      bias_diff[d] += sum;
      top_diff += inner_dim_;
    }
  }
}

INSTANTIATE_CLASS(BiasLayer);
REGISTER_LAYER_CLASS(Bias);

}  // namespace caffe
