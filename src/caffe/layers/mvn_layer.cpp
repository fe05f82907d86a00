#include "caffe/layers/mvn_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void MVNLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                              const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() <= 4, ShapeError, this->Describe(),
                " takes a bottom of at most 4 axes, got ", bottom[0]->shape_string());
  const bool across_channels = this->layer_param_.mvn_param().across_channels();
  groups_ = across_channels ? bottom[0]->num() : bottom[0]->num() * bottom[0]->channels();
  dim_ = groups_ == 0 ? 0 : bottom[0]->count() / groups_;
  if (top[0] != bottom[0]) top[0]->ReshapeLike(*bottom[0]);
  denominator_.assign(groups_, Dtype(1));
}

template <typename Dtype>
void MVNLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const MVNParameter& param = this->layer_param_.mvn_param();
  const Dtype eps = param.eps();
  for (int g = 0; g < groups_; ++g) {
    const Dtype* x = bottom[0]->cpu_data() + g * dim_;
    Dtype* y = top[0]->mutable_cpu_data() + g * dim_;
    Dtype sum = 0;
    for (int i = 0; i < dim_; ++i) sum += x[i];
    const Dtype mean = sum / dim_;
    for (int i = 0; i < dim_; ++i) y[i] = x[i] - mean;
    if (!param.normalize_variance()) continue;
    Dtype sum_sq = 0;
    for (int i = 0; i < dim_; ++i) sum_sq += y[i] * y[i];
    // eps is added to the standard deviation, not the variance, as upstream.
    denominator_[g] = std::sqrt(sum_sq / dim_) + eps;
    for (int i = 0; i < dim_; ++i) y[i] /= denominator_[g];
  }
}

template <typename Dtype>
void MVNLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const bool normalize_variance = this->layer_param_.mvn_param().normalize_variance();
  for (int g = 0; g < groups_; ++g) {
    const Dtype* y = top[0]->cpu_data() + g * dim_;
    const Dtype* dy = top[0]->cpu_diff() + g * dim_;
    Dtype* dx = bottom[0]->mutable_cpu_diff() + g * dim_;
    Dtype sum_dy = 0, sum_dy_y = 0;
    for (int i = 0; i < dim_; ++i) {
      sum_dy += dy[i];
      sum_dy_y += dy[i] * y[i];
    }
    const Dtype mean_dy = sum_dy / dim_;
    if (!normalize_variance) {
      for (int i = 0; i < dim_; ++i) dx[i] = dy[i] - mean_dy;
      continue;
    }
    const Dtype mean_dy_y = sum_dy_y / dim_;
    for (int i = 0; i < dim_; ++i) {
      dx[i] = (dy[i] - mean_dy - mean_dy_y * y[i]) / denominator_[g];
    }
  }
}

INSTANTIATE_CLASS(MVNLayer);
REGISTER_LAYER_CLASS(MVN);

}  // namespace caffe
