#include "caffe/layers/multinomial_logistic_loss_layer.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

namespace {
constexpr float kLogThreshold = 1e-20;
}  // namespace

template <typename Dtype>
void MultinomialLogisticLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                                  const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::Reshape(bottom, top);
  CAFFE_REQUIRE(bottom[1]->channels() == 1 && bottom[1]->height() == 1 &&
                    bottom[1]->width() == 1,
                ShapeError, this->Describe(), ": needs one label per item (N x 1 x 1 x 1), but ",
                "probabilities have shape ", bottom[0]->shape_string(),
                " and labels have shape ", bottom[1]->shape_string());
}

template <typename Dtype>
void MultinomialLogisticLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                                      const vector<Blob<Dtype>*>& top) {
  const Dtype* prob = bottom[0]->cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  const int num = bottom[0]->num();
  const int dim = bottom[0]->count() / num;
  Dtype loss = 0;
  for (int i = 0; i < num; ++i) {
    const int c = this->ClassIndex(label[i], dim);
    loss -= std::log(std::max(prob[i * dim + c], Dtype(kLogThreshold)));
  }
  top[0]->mutable_cpu_data()[0] = loss / num;
}

template <typename Dtype>
void MultinomialLogisticLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                                       const vector<bool>& propagate_down,
                                                       const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 1);
  if (!propagate_down[0]) return;
  const Dtype* prob = bottom[0]->cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int num = bottom[0]->num();
  const int dim = bottom[0]->count() / num;
  caffe_set(bottom[0]->count(), Dtype(0), bottom_diff);
  const Dtype scale = -top[0]->cpu_diff()[0] / num;
  for (int i = 0; i < num; ++i) {
    const int c = this->ClassIndex(label[i], dim);
    bottom_diff[i * dim + c] = scale / std::max(prob[i * dim + c], Dtype(kLogThreshold));
  }
}

INSTANTIATE_CLASS(MultinomialLogisticLossLayer);
REGISTER_LAYER_CLASS(MultinomialLogisticLoss);

}  // namespace caffe
