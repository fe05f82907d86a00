#include "caffe/layers/prelu_layer.hpp"

#include <algorithm>

#include "caffe/filler.hpp"
#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void PReLULayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 2, ShapeError, this->Describe(),
                " needs a bottom with at least 2 axes, got ", bottom[0]->shape_string());
  const PReLUParameter& param = this->layer_param_.prelu_param();
  channel_shared_ = param.channel_shared();
  const int channels = bottom[0]->channels();
  if (this->blobs_.empty()) {
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(
        channel_shared_ ? vector<int>() : vector<int>{channels}));
    FillerParameter filler_param;
    if (param.has_filler()) {
      filler_param = param.filler();
    } else {
      filler_param.set_type("constant");
      filler_param.set_value(0.25);
    }
    GetFiller<Dtype>(filler_param)->Fill(this->blobs_[0].get());
  }
  const int expected = channel_shared_ ? 1 : channels;
  CAFFE_REQUIRE(this->blobs_[0]->count() == expected, ShapeError, this->Describe(),
                " needs ", expected, " slope value(s) for a bottom of shape ",
                bottom[0]->shape_string(), ", but its slope blob has shape ",
                this->blobs_[0]->shape_string());
  this->param_propagate_down_.assign(this->blobs_.size(), true);
}

template <typename Dtype>
void PReLULayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 2, ShapeError, this->Describe(),
                " needs a bottom with at least 2 axes, got ", bottom[0]->shape_string());
  NeuronLayer<Dtype>::Reshape(bottom, top);
}

template <typename Dtype>
void PReLULayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  this->SaveInputIfInPlace(bottom, top);
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  const Dtype* slope = this->blobs_[0]->cpu_data();
  const int count = bottom[0]->count();
  const int dim = bottom[0]->count(2);
  const int channels = bottom[0]->channels();
  for (int i = 0; i < count; ++i) {
    const Dtype a = slope[SlopeIndex(i, dim, channels)];
    y[i] = std::max(x[i], Dtype(0)) + a * std::min(x[i], Dtype(0));
  }
}

template <typename Dtype>
void PReLULayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  const Dtype* x = this->ForwardInput(bottom, top);
  const Dtype* top_diff = top[0]->cpu_diff();
  const int count = bottom[0]->count();
  const int dim = bottom[0]->count(2);
  const int channels = bottom[0]->channels();
  // The slope gradient reads top_diff, which in place is also bottom_diff, so
  // it must be accumulated before the bottom gradient is written.
  if (this->param_propagate_down(0)) {
    Dtype* slope_diff = this->blobs_[0]->mutable_cpu_diff();
    for (int i = 0; i < count; ++i) {
      slope_diff[SlopeIndex(i, dim, channels)] += top_diff[i] * x[i] * (x[i] <= 0);
    }
  }
  if (propagate_down[0]) {
    const Dtype* slope = this->blobs_[0]->cpu_data();
    Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
    for (int i = 0; i < count; ++i) {
      const Dtype a = slope[SlopeIndex(i, dim, channels)];
      bottom_diff[i] = top_diff[i] * ((x[i] > 0) + a * (x[i] <= 0));
    }
  }
}

INSTANTIATE_CLASS(PReLULayer);
REGISTER_LAYER_CLASS(PReLU);

}  // namespace caffe
