#include "caffe/layers/hinge_loss_layer.hpp"

#include <algorithm>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void HingeLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::Reshape(bottom, top);
  CAFFE_REQUIRE(bottom[1]->count() == bottom[0]->num(), ShapeError, this->Describe(),
                ": needs one label per item; scores have shape ", bottom[0]->shape_string(),
                " but labels have shape ", bottom[1]->shape_string());
  margins_.ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void HingeLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  const Dtype* x = bottom[0]->cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  Dtype* margin = margins_.mutable_cpu_data();
  const int num = bottom[0]->num();
  const int count = bottom[0]->count();
  const int dim = count / num;
  caffe_copy(count, x, margin);
  for (int i = 0; i < num; ++i) margin[i * dim + this->ClassIndex(label[i], dim)] *= -1;
  for (int i = 0; i < count; ++i) margin[i] = std::max(Dtype(0), Dtype(1) + margin[i]);
  Dtype* loss = top[0]->mutable_cpu_data();
  switch (this->layer_param_.hinge_loss_param().norm()) {
    case HingeLossParameter_Norm_L1:
      loss[0] = caffe_cpu_asum(count, margin) / num;
      break;
    case HingeLossParameter_Norm_L2:
      loss[0] = caffe_cpu_dot(count, margin, margin) / num;
      break;
  }
}

template <typename Dtype>
void HingeLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 1);
  if (!propagate_down[0]) return;
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const Dtype* label = bottom[1]->cpu_data();
  const int num = bottom[0]->num();
  const int count = bottom[0]->count();
  const int dim = count / num;
  // d margin_k / d x_k = -t_k wherever the margin is positive.
  caffe_copy(count, margins_.cpu_data(), bottom_diff);
  for (int i = 0; i < num; ++i) bottom_diff[i * dim + this->ClassIndex(label[i], dim)] *= -1;
  const Dtype loss_weight = top[0]->cpu_diff()[0];
  switch (this->layer_param_.hinge_loss_param().norm()) {
    case HingeLossParameter_Norm_L1:
      caffe_cpu_sign(count, bottom_diff, bottom_diff);
      caffe_scal(count, loss_weight / num, bottom_diff);
      break;
    case HingeLossParameter_Norm_L2:
      caffe_scal(count, loss_weight * 2 / num, bottom_diff);
      break;
  }
}

INSTANTIATE_CLASS(HingeLossLayer);
REGISTER_LAYER_CLASS(HingeLoss);

}  // namespace caffe
