#include "caffe/layers/triplet_accuracy_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/triplet_bottoms.hpp"

namespace caffe {

template <typename Dtype>
void TripletAccuracyLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                             const vector<Blob<Dtype>*>& top) {
  const TripletLossParameter& param = this->layer_param_.triplet_loss_param();
  CheckTripletSetup(bottom.size(), param, this->Describe());
  eps_ = param.eps();
  normalize_ = param.normalize();
  cosine_ = param.distance() == TripletLossParameter::COSINE;
}

template <typename Dtype>
void TripletAccuracyLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  num_ = CountTriplets(bottom, this->Describe());
  dim_ = bottom[0]->count(1);
  top[0]->Reshape(vector<int>());
}

template <typename Dtype>
double TripletAccuracyLayer<Dtype>::Distance(const Dtype* u, const Dtype* v) const {
  // Normalising (normalize) scales each vector by 1 / sqrt(|x|^2 + eps).
  double su = 1, sv = 1;
  if (normalize_) {
    double uu = 0, vv = 0;
    for (int j = 0; j < dim_; ++j) {
      uu += double(u[j]) * u[j];
      vv += double(v[j]) * v[j];
    }
    su = 1 / std::sqrt(uu + eps_);
    sv = 1 / std::sqrt(vv + eps_);
  }
  if (cosine_) {
    double uu = 0, vv = 0, uv = 0;
    for (int j = 0; j < dim_; ++j) {
      const double x = su * u[j], y = sv * v[j];
      uu += x * x;
      vv += y * y;
      uv += x * y;
    }
    return 1 - uv / (std::sqrt(uu + eps_) * std::sqrt(vv + eps_));
  }
  double sum = 0;
  for (int j = 0; j < dim_; ++j) {
    const double diff = su * u[j] - sv * v[j];
    sum += diff * diff;
  }
  return sum;
}

template <typename Dtype>
void TripletAccuracyLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                              const vector<Blob<Dtype>*>& top) {
  const int block = num_ * dim_;
  const Dtype* anchors = bottom[0]->cpu_data();
  const Dtype* positives = bottom.size() == 1 ? anchors + block : bottom[1]->cpu_data();
  const Dtype* negatives = bottom.size() == 1 ? anchors + 2 * block : bottom[2]->cpu_data();
  int correct = 0;
  for (int k = 0; k < num_; ++k) {
    const Dtype* a = anchors + k * dim_;
    correct += Distance(a, positives + k * dim_) < Distance(a, negatives + k * dim_);
  }
  top[0]->mutable_cpu_data()[0] = Dtype(correct) / num_;
}

template <typename Dtype>
void TripletAccuracyLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                               const vector<bool>& propagate_down,
                                               const vector<Blob<Dtype>*>& bottom) {
  for (size_t i = 0; i < propagate_down.size(); ++i) {
    CAFFE_REQUIRE(!propagate_down[i], ConfigError, this->Describe(),
                  " has no gradient (asked for bottom ", i, ")");
  }
}

INSTANTIATE_CLASS(TripletAccuracyLayer);
REGISTER_LAYER_CLASS(TripletAccuracy);

}  // namespace caffe
