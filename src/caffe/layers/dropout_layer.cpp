#include "caffe/layers/dropout_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void DropoutLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  const DropoutParameter& param = this->layer_param_.dropout_param();
  threshold_ = param.dropout_ratio();
  CAFFE_REQUIRE(threshold_ >= 0 && threshold_ < 1, ConfigError, this->Describe(),
                ": dropout_param.dropout_ratio must be in [0, 1), got ", param.dropout_ratio());
  scale_ = 1. / (1. - threshold_);
  scale_train_ = param.scale_train();
}

template <typename Dtype>
void DropoutLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  NeuronLayer<Dtype>::Reshape(bottom, top);
  mask_.resize(bottom[0]->count());
}

template <typename Dtype>
void DropoutLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const int count = bottom[0]->count();
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  if (this->phase_ == TRAIN) {
    // Upstream draws with a double-precision keep probability whatever Dtype
    // is; the same distribution type keeps seeded masks identical.
    caffe_rng_bernoulli<double>(count, 1. - threshold_, mask_.data());
    const Dtype kept_scale = scale_train_ ? scale_ : Dtype(1);
    for (int i = 0; i < count; ++i) y[i] = x[i] * mask_[i] * kept_scale;
  } else {
    if (!this->InPlace(bottom, top)) caffe_copy(count, x, y);
    if (!scale_train_) caffe_scal(count, Dtype(1. / scale_), y);
  }
}

template <typename Dtype>
void DropoutLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                       const vector<bool>& propagate_down,
                                       const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  if (this->phase_ == TRAIN) {
    const Dtype kept_scale = scale_train_ ? scale_ : Dtype(1);
    for (int i = 0; i < count; ++i) bottom_diff[i] = top_diff[i] * mask_[i] * kept_scale;
  } else {
    if (!this->InPlace(bottom, top)) caffe_copy(count, top_diff, bottom_diff);
    if (!scale_train_) caffe_scal(count, Dtype(1. / scale_), bottom_diff);
  }
}

INSTANTIATE_CLASS(DropoutLayer);
REGISTER_LAYER_CLASS(Dropout);

}  // namespace caffe
