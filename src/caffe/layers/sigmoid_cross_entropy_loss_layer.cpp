#include "caffe/layers/sigmoid_cross_entropy_loss_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
SigmoidCrossEntropyLossLayer<Dtype>::SigmoidCrossEntropyLossLayer(const LayerParameter& param)
    : LossLayer<Dtype>(param) {
  LayerParameter sigmoid_param;
  sigmoid_param.set_name(param.name() + "/sigmoid");
  sigmoid_param.set_type("Sigmoid");
  sigmoid_layer_ = std::make_unique<SigmoidLayer<Dtype>>(sigmoid_param);
}

template <typename Dtype>
void SigmoidCrossEntropyLossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                                     const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::LayerSetUp(bottom, top);
  sigmoid_bottom_vec_ = {bottom[0]};
  sigmoid_top_vec_ = {&sigmoid_output_};
  sigmoid_layer_->SetUp(sigmoid_bottom_vec_, sigmoid_top_vec_);
  const LossParameter& loss_param = this->layer_param_.loss_param();
  has_ignore_label_ = loss_param.has_ignore_label();
  ignore_label_ = loss_param.ignore_label();
  normalization_ = this->NormalizationMode(LossParameter_NormalizationMode_BATCH_SIZE);
}

template <typename Dtype>
void SigmoidCrossEntropyLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                                  const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::Reshape(bottom, top);
  outer_num_ = bottom[0]->shape(0);
  inner_num_ = bottom[0]->count(1);
  CAFFE_REQUIRE(bottom[0]->count() == bottom[1]->count(), ShapeError, this->Describe(),
                ": scores and targets must have the same count, but have shapes ",
                bottom[0]->shape_string(), " and ", bottom[1]->shape_string());
  sigmoid_bottom_vec_[0] = bottom[0];
  sigmoid_layer_->Reshape(sigmoid_bottom_vec_, sigmoid_top_vec_);
}

template <typename Dtype>
void SigmoidCrossEntropyLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                                      const vector<Blob<Dtype>*>& top) {
  sigmoid_layer_->Forward(sigmoid_bottom_vec_, sigmoid_top_vec_);
  const int count = bottom[0]->count();
  const Dtype* x = bottom[0]->cpu_data();
  const Dtype* target = bottom[1]->cpu_data();
  int valid_count = 0;
  Dtype loss = 0;
  for (int i = 0; i < count; ++i) {
    if (Ignored(target[i])) continue;
    const Dtype positive = (x[i] >= 0);
    loss -= x[i] * (target[i] - positive) - std::log(Dtype(1) + std::exp(x[i] - 2 * x[i] * positive));
    ++valid_count;
  }
  normalizer_ = this->Normalizer(normalization_, outer_num_, inner_num_, valid_count);
  top[0]->mutable_cpu_data()[0] = loss / normalizer_;
}

template <typename Dtype>
void SigmoidCrossEntropyLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                                       const vector<bool>& propagate_down,
                                                       const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 1);
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype* sigmoid = sigmoid_output_.cpu_data();
  const Dtype* target = bottom[1]->cpu_data();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const Dtype loss_weight = top[0]->cpu_diff()[0] / normalizer_;
  for (int i = 0; i < count; ++i) {
    bottom_diff[i] = Ignored(target[i]) ? Dtype(0) : (sigmoid[i] - target[i]) * loss_weight;
  }
}

INSTANTIATE_CLASS(SigmoidCrossEntropyLossLayer);
REGISTER_LAYER_CLASS(SigmoidCrossEntropyLoss);

}  // namespace caffe
