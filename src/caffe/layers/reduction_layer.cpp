#include "caffe/layers/reduction_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void ReductionLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const ReductionParameter& param = this->layer_param_.reduction_param();
  op_ = param.operation();
  const int axis = CheckedAxis(this->Describe(), "reduction_param.axis", param.axis(), *bottom[0]);
  top[0]->Reshape(vector<int>(bottom[0]->shape().begin(), bottom[0]->shape().begin() + axis));
  num_ = bottom[0]->count(0, axis);
  dim_ = bottom[0]->count(axis);
  coeff_ = param.coeff();
  if (op_ == ReductionParameter::MEAN) coeff_ /= dim_;
}

template <typename Dtype>
void ReductionLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  for (int i = 0; i < num_; ++i, x += dim_) {
    Dtype total = 0;
    switch (op_) {
      case ReductionParameter::SUM:
      case ReductionParameter::MEAN:
        for (int j = 0; j < dim_; ++j) total += x[j];
        break;
      case ReductionParameter::ASUM:
        for (int j = 0; j < dim_; ++j) total += std::fabs(x[j]);
        break;
      case ReductionParameter::SUMSQ:
        for (int j = 0; j < dim_; ++j) total += x[j] * x[j];
        break;
    }
    y[i] = coeff_ * total;
  }
}

template <typename Dtype>
void ReductionLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* x = bottom[0]->cpu_data();
  const Dtype* dy = top[0]->cpu_diff();
  Dtype* dx = bottom[0]->mutable_cpu_diff();
  for (int i = 0; i < num_; ++i, x += dim_, dx += dim_) {
    const Dtype grad = coeff_ * dy[i];
    switch (op_) {
      case ReductionParameter::SUM:
      case ReductionParameter::MEAN:
        caffe_set(dim_, grad, dx);
        break;
      case ReductionParameter::ASUM:
        for (int j = 0; j < dim_; ++j) dx[j] = grad * ((Dtype(0) < x[j]) - (x[j] < Dtype(0)));
        break;
      case ReductionParameter::SUMSQ:
        for (int j = 0; j < dim_; ++j) dx[j] = 2 * grad * x[j];
        break;
    }
  }
}

INSTANTIATE_CLASS(ReductionLayer);
REGISTER_LAYER_CLASS(Reduction);

}  // namespace caffe
