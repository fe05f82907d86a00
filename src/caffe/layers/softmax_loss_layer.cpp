#include "caffe/layers/softmax_loss_layer.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void SoftmaxWithLossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                             const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::LayerSetUp(bottom, top);
  // The internal softmax sees the same softmax_param; it is not a loss itself.
  LayerParameter softmax_param(this->layer_param_);
  softmax_param.set_type("Softmax");
  softmax_param.clear_loss_weight();
  softmax_param.clear_bottom();
  softmax_param.clear_top();
  softmax_layer_ = LayerRegistry<Dtype>::CreateLayer(softmax_param);
  softmax_bottom_vec_ = {bottom[0]};
  softmax_top_vec_ = {&prob_};
  softmax_layer_->SetUp(softmax_bottom_vec_, softmax_top_vec_);

  const LossParameter& loss_param = this->layer_param_.loss_param();
  has_ignore_label_ = loss_param.has_ignore_label();
  ignore_label_ = loss_param.ignore_label();
  normalization_ = this->NormalizationMode(LossParameter_NormalizationMode_VALID);
}

template <typename Dtype>
void SoftmaxWithLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::Reshape(bottom, top);
  softmax_bottom_vec_[0] = bottom[0];
  softmax_layer_->Reshape(softmax_bottom_vec_, softmax_top_vec_);
  softmax_axis_ = bottom[0]->CanonicalAxisIndex(this->layer_param_.softmax_param().axis());
  outer_num_ = bottom[0]->count(0, softmax_axis_);
  inner_num_ = bottom[0]->count(softmax_axis_ + 1);
  CAFFE_REQUIRE(outer_num_ * inner_num_ == bottom[1]->count(), ShapeError, this->Describe(),
                ": prediction shape ", bottom[0]->shape_string(), " with softmax axis ",
                softmax_axis_, " needs ", outer_num_ * inner_num_,
                " labels, but the label blob has shape ", bottom[1]->shape_string());
  if (top.size() >= 2) top[1]->ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void SoftmaxWithLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                              const vector<Blob<Dtype>*>& top) {
  softmax_layer_->Forward(softmax_bottom_vec_, softmax_top_vec_);
  const Dtype* prob = prob_.cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  const int channels = prob_.shape(softmax_axis_);
  const int dim = prob_.count() / outer_num_;
  int valid_count = 0;
  Dtype loss = 0;
  for (int i = 0; i < outer_num_; ++i) {
    for (int j = 0; j < inner_num_; ++j) {
      const Dtype raw_label = label[i * inner_num_ + j];
      if (Ignored(static_cast<int>(raw_label))) continue;
      const int c = this->ClassIndex(raw_label, channels);
      // FLT_MIN floors the probability so a confident mistake costs a large
      // but finite loss.
      loss -= std::log(std::max(prob[i * dim + c * inner_num_ + j], Dtype(FLT_MIN)));
      ++valid_count;
    }
  }
  top[0]->mutable_cpu_data()[0] =
      loss / this->Normalizer(normalization_, outer_num_, inner_num_, valid_count);
  if (top.size() == 2) top[1]->ShareData(prob_);
}

template <typename Dtype>
void SoftmaxWithLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                               const vector<bool>& propagate_down,
                                               const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 1);
  if (!propagate_down[0]) return;
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  caffe_copy(prob_.count(), prob_.cpu_data(), bottom_diff);
  const Dtype* label = bottom[1]->cpu_data();
  const int channels = prob_.shape(softmax_axis_);
  const int dim = prob_.count() / outer_num_;
  int valid_count = 0;
  // d loss / d x_c = p_c - [c == label], zero at ignored positions.
  for (int i = 0; i < outer_num_; ++i) {
    for (int j = 0; j < inner_num_; ++j) {
      const Dtype raw_label = label[i * inner_num_ + j];
      if (Ignored(static_cast<int>(raw_label))) {
        for (int c = 0; c < channels; ++c) bottom_diff[i * dim + c * inner_num_ + j] = 0;
        continue;
      }
      bottom_diff[i * dim + this->ClassIndex(raw_label, channels) * inner_num_ + j] -= 1;
      ++valid_count;
    }
  }
  const Dtype loss_weight = top[0]->cpu_diff()[0] /
                            this->Normalizer(normalization_, outer_num_, inner_num_, valid_count);
  caffe_scal(prob_.count(), loss_weight, bottom_diff);
}

INSTANTIATE_CLASS(SoftmaxWithLossLayer);
REGISTER_LAYER_CLASS(SoftmaxWithLoss);

}  // namespace caffe
