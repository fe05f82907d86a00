#include "caffe/layers/scale_layer.hpp"

#include "caffe/filler.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void ScaleLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const ScaleParameter& param = this->layer_param_.scale_param();
  // A scale loaded with the layer (from a model) is used as is.
  if (bottom.size() == 1 && this->blobs_.empty()) {
    const int axis = CheckedAxis(this->Describe(), "scale_param.axis", param.axis(), *bottom[0]);
    const int num_axes = param.num_axes();
    CAFFE_REQUIRE(num_axes >= -1, ConfigError, this->Describe(),
                  ": scale_param.num_axes must be >= 0, or -1 for all remaining axes, got ",
                  num_axes);
    CAFFE_REQUIRE(num_axes == -1 || axis + num_axes <= bottom[0]->num_axes(), ConfigError,
                  this->Describe(), ": scale axes [", axis, ", ", axis + num_axes,
                  ") extend past bottom shape ", bottom[0]->shape_string());
    const auto first = bottom[0]->shape().begin() + axis;
    const auto last = num_axes == -1 ? bottom[0]->shape().end() : first + num_axes;
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(vector<int>(first, last)));
    FillerParameter filler = param.filler();
    if (!param.has_filler()) {
      filler.set_type("constant");
      filler.set_value(1);
    }
    GetFiller<Dtype>(filler)->Fill(this->blobs_[0].get());
  }
  if (param.bias_term()) {
    LayerParameter bias_param(this->layer_param_);
    bias_param.set_type("Bias");
    bias_param.clear_blobs();
    bias_param.clear_loss_weight();
    BiasParameter* bias = bias_param.mutable_bias_param();
    bias->set_axis(param.axis());
    bias->set_num_axes(bottom.size() > 1 ? bottom[1]->num_axes() : param.num_axes());
    *bias->mutable_filler() = param.bias_filler();
    bias_layer_ = std::make_shared<BiasLayer<Dtype>>(bias_param);
    bias_bottom_vec_ = {bottom[0]};
    bias_layer_->SetUp(bias_bottom_vec_, top);
    // Parameter blobs: [scale,] bias. When both came with the layer (from a
    // model), the bias layer adopts ours instead of its freshly filled one.
    if (this->blobs_.size() + bottom.size() < 3) {
      bias_param_id_ = static_cast<int>(this->blobs_.size());
      this->blobs_.push_back(bias_layer_->blobs()[0]);
    } else {
      bias_param_id_ = static_cast<int>(this->blobs_.size()) - 1;
      bias_layer_->blobs()[0] = this->blobs_[bias_param_id_];
    }
  }
  this->param_propagate_down_.resize(this->blobs_.size(), true);
}

template <typename Dtype>
void ScaleLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  const Blob<Dtype>& scale = bottom.size() > 1 ? *bottom[1] : *this->blobs_[0];
  // A scalar broadcasts the same way whatever the axis (as upstream).
  const int axis = scale.num_axes() == 0
                       ? 0
                       : CheckedAxis(this->Describe(), "scale_param.axis",
                                     this->layer_param_.scale_param().axis(), *bottom[0]);
  bool fits = axis + scale.num_axes() <= bottom[0]->num_axes();
  for (int i = 0; fits && i < scale.num_axes(); ++i) {
    fits = bottom[0]->shape(axis + i) == scale.shape(i);
  }
  CAFFE_REQUIRE(fits, ShapeError, this->Describe(), ": scale shape ", scale.shape_string(),
                " does not match bottom shape ", bottom[0]->shape_string(),
                " starting at axis ", axis);
  outer_dim_ = bottom[0]->count(0, axis);
  scale_dim_ = scale.count();
  inner_dim_ = bottom[0]->count(axis + scale.num_axes());
  if (bottom[0] == top[0]) {
    saved_input_.ReshapeLike(*bottom[0]);
  } else {
    top[0]->ReshapeLike(*bottom[0]);
  }
  product_.ReshapeLike(*bottom[0]);
  if (bias_layer_) {
    // The bias is added to our output, in place.
    bias_bottom_vec_[0] = top[0];
    bias_layer_->Reshape(bias_bottom_vec_, top);
  }
}

template <typename Dtype>
void ScaleLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  if (bottom[0] == top[0]) {
    caffe_copy(bottom[0]->count(), bottom[0]->cpu_data(), saved_input_.mutable_cpu_data());
  }
  const Dtype* scale = (bottom.size() > 1 ? bottom[1] : this->blobs_[0].get())->cpu_data();
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  for (int n = 0; n < outer_dim_; ++n) {
    for (int d = 0; d < scale_dim_; ++d) {
      caffe_cpu_scale(inner_dim_, scale[d], bottom_data, top_data);
      bottom_data += inner_dim_;
      top_data += inner_dim_;
    }
  }
  if (bias_layer_) bias_layer_->Forward(bias_bottom_vec_, top);
}

template <typename Dtype>
void ScaleLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  if (bias_layer_ && this->param_propagate_down(bias_param_id_)) {
    // Only the bias parameter: the data gradient is handled below.
    bias_layer_->Backward(top, vector<bool>{false}, bias_bottom_vec_);
  }
  const bool learned = bottom.size() == 1;
  Blob<Dtype>* scale = learned ? this->blobs_[0].get() : bottom[1];
  const Dtype* top_diff = top[0]->cpu_diff();
  if (learned ? this->param_propagate_down(0) : propagate_down[1]) {
    const Blob<Dtype>& input = bottom[0] == top[0] ? saved_input_ : *bottom[0];
    const int count = top[0]->count();
    Dtype* product = product_.mutable_cpu_data();
    caffe_mul(count, top_diff, input.cpu_data(), product);
    // d scale[d] = sum over outer n and inner k of top_diff * input.
    scale_grad_.assign(scale_dim_, Dtype(0));
    for (int n = 0; n < outer_dim_; ++n) {
      for (int d = 0; d < scale_dim_; ++d) {
        Dtype sum = 0;
        for (int k = 0; k < inner_dim_; ++k) sum += product[k];
        scale_grad_[d] += sum;
        product += inner_dim_;
      }
    }
    // A learned scale accumulates its gradient (the solver clears it); a
    // scale bottom's diff is overwritten, like any bottom diff.
    Dtype* scale_diff = scale->mutable_cpu_diff();
    for (int d = 0; d < scale_dim_; ++d) {
      scale_diff[d] = learned ? scale_diff[d] + scale_grad_[d] : scale_grad_[d];
    }
  }
  if (propagate_down[0]) {
    const Dtype* scale_data = scale->cpu_data();
    Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
    for (int n = 0; n < outer_dim_; ++n) {
      for (int d = 0; d < scale_dim_; ++d) {
        caffe_cpu_scale(inner_dim_, scale_data[d], top_diff, bottom_diff);
        top_diff += inner_dim_;
        bottom_diff += inner_dim_;
      }
    }
  }
}

INSTANTIATE_CLASS(ScaleLayer);
REGISTER_LAYER_CLASS(Scale);

}  // namespace caffe
