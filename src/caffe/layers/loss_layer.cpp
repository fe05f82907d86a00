#include "caffe/layers/loss_layer.hpp"

#include <algorithm>

namespace caffe {

template <typename Dtype>
void LossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  if (this->layer_param_.loss_weight_size() == 0) this->layer_param_.add_loss_weight(Dtype(1));
}

template <typename Dtype>
void LossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                               const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() > 0 && bottom[1]->num_axes() > 0 &&
                    bottom[0]->shape(0) == bottom[1]->shape(0),
                ShapeError, this->Describe(),
                ": prediction and label must have the same first dimension, but have shapes ",
                bottom[0]->shape_string(), " and ", bottom[1]->shape_string());
  CAFFE_REQUIRE(bottom[0]->count() > 0, ShapeError, this->Describe(),
                ": the prediction is empty (shape ", bottom[0]->shape_string(),
                "); a loss needs at least one value per item and at least one item");
  top[0]->Reshape(vector<int>());
}

template <typename Dtype>
Dtype LossLayer<Dtype>::Normalizer(LossParameter_NormalizationMode mode, int outer_num,
                                   int inner_num, int valid_count) {
  Dtype normalizer = 1;
  switch (mode) {
    case LossParameter_NormalizationMode_FULL:
      normalizer = Dtype(outer_num * inner_num);
      break;
    case LossParameter_NormalizationMode_VALID:
      normalizer = Dtype(valid_count == -1 ? outer_num * inner_num : valid_count);
      break;
    case LossParameter_NormalizationMode_BATCH_SIZE:
      normalizer = Dtype(outer_num);
      break;
    case LossParameter_NormalizationMode_NONE:
      normalizer = Dtype(1);
      break;
  }
  return std::max(Dtype(1), normalizer);
}

template <typename Dtype>
LossParameter_NormalizationMode LossLayer<Dtype>::NormalizationMode(
    LossParameter_NormalizationMode default_mode) const {
  const LossParameter& param = this->layer_param_.loss_param();
  if (param.has_normalization()) return param.normalization();
  if (param.has_normalize()) {
    return param.normalize() ? LossParameter_NormalizationMode_VALID
                             : LossParameter_NormalizationMode_BATCH_SIZE;
  }
  return default_mode;
}

template <typename Dtype>
int LossLayer<Dtype>::ClassIndex(Dtype value, int num_classes) const {
  // Compared before the int cast, so NaN and huge values are refused too;
  // (-1, num_classes) is exactly what truncates into [0, num_classes).
  CAFFE_REQUIRE(value > Dtype(-1) && value < Dtype(num_classes), DataError, this->Describe(), ": label ",
                value, " is outside the valid class range [0, ", num_classes, ")");
  return static_cast<int>(value);
}

template <typename Dtype>
void LossLayer<Dtype>::RefuseLabelGradient(const vector<bool>& propagate_down,
                                           int index) const {
  CAFFE_REQUIRE(index >= static_cast<int>(propagate_down.size()) || !propagate_down[index],
                ConfigError, this->Describe(), " cannot backpropagate to its label input (bottom ",
                index, ")");
}

INSTANTIATE_CLASS(LossLayer);

}  // namespace caffe
