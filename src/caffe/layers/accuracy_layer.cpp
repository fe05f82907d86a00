#include "caffe/layers/accuracy_layer.hpp"

#include <algorithm>
#include <climits>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void AccuracyLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const AccuracyParameter& param = this->layer_param_.accuracy_param();
  CAFFE_REQUIRE(param.top_k() >= 1 && param.top_k() <= static_cast<unsigned>(INT_MAX),
                ConfigError, this->Describe(), ": accuracy_param.top_k must be at least 1, got ",
                param.top_k());
  top_k_ = static_cast<int>(param.top_k());
  has_ignore_label_ = param.has_ignore_label();
  ignore_label_ = param.ignore_label();
}

template <typename Dtype>
void AccuracyLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const int axis = this->layer_param_.accuracy_param().axis();
  const int num_axes = bottom[0]->num_axes();
  CAFFE_REQUIRE(axis >= -num_axes && axis < num_axes, ConfigError, this->Describe(),
                ": accuracy_param.axis ", axis, " is out of range for score shape ",
                bottom[0]->shape_string());
  label_axis_ = bottom[0]->CanonicalAxisIndex(axis);
  outer_num_ = bottom[0]->count(0, label_axis_);
  inner_num_ = bottom[0]->count(label_axis_ + 1);
  CAFFE_REQUIRE(outer_num_ * inner_num_ == bottom[1]->count(), ShapeError, this->Describe(),
                ": score shape ", bottom[0]->shape_string(), " with label axis ", label_axis_,
                " needs ", outer_num_ * inner_num_, " labels, but the label blob has shape ",
                bottom[1]->shape_string());
  const int num_classes = bottom[0]->shape(label_axis_);
  CAFFE_REQUIRE(top_k_ <= num_classes, ConfigError, this->Describe(), ": top_k (", top_k_,
                ") must not exceed the number of classes (", num_classes, ")");
  top[0]->Reshape(vector<int>());
  if (top.size() > 1) top[1]->Reshape(vector<int>{num_classes});
  class_counts_.resize(num_classes);
}

template <typename Dtype>
void AccuracyLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const Dtype* score = bottom[0]->cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  const int num_classes = bottom[0]->shape(label_axis_);
  const int dim = bottom[0]->count() / outer_num_;
  Dtype* per_class = top.size() > 1 ? top[1]->mutable_cpu_data() : nullptr;
  if (per_class) caffe_set(num_classes, Dtype(0), per_class);
  std::fill(class_counts_.begin(), class_counts_.end(), 0);
  int correct = 0;
  int counted = 0;
  for (int i = 0; i < outer_num_; ++i) {
    for (int j = 0; j < inner_num_; ++j) {
      const Dtype raw_label = label[i * inner_num_ + j];
      const int label_value = static_cast<int>(raw_label);
      if (has_ignore_label_ && label_value == ignore_label_) continue;
      CAFFE_REQUIRE(raw_label > Dtype(-1) && raw_label < Dtype(num_classes), DataError,
                    this->Describe(), ": label ", raw_label,
                    " is outside the valid class range [0, ", num_classes, ")");
      ++class_counts_[label_value];
      const Dtype true_score = score[i * dim + label_value * inner_num_ + j];
      // The true class itself is one of the scores >= true_score.
      int at_least_as_good = 0;
      for (int k = 0; k < num_classes && at_least_as_good <= top_k_; ++k) {
        at_least_as_good += (score[i * dim + k * inner_num_ + j] >= true_score);
      }
      if (at_least_as_good <= top_k_) {
        ++correct;
        if (per_class) ++per_class[label_value];
      }
      ++counted;
    }
  }
  top[0]->mutable_cpu_data()[0] = (counted == 0) ? Dtype(0) : Dtype(correct) / counted;
  if (per_class) {
    for (int c = 0; c < num_classes; ++c) {
      per_class[c] = class_counts_[c] == 0 ? Dtype(0) : per_class[c] / class_counts_[c];
    }
  }
}

template <typename Dtype>
void AccuracyLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                        const vector<bool>& propagate_down,
                                        const vector<Blob<Dtype>*>& bottom) {
  for (size_t i = 0; i < propagate_down.size(); ++i) {
    CAFFE_REQUIRE(!propagate_down[i], ConfigError, this->Describe(),
                  " has no gradient (asked for bottom ", i, ")");
  }
}

INSTANTIATE_CLASS(AccuracyLayer);
REGISTER_LAYER_CLASS(Accuracy);

}  // namespace caffe
