#include "caffe/layers/embed_layer.hpp"

#include "caffe/filler.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void EmbedLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const EmbedParameter& p = this->layer_param_.embed_param();
  const string who = this->Describe();
  N_ = static_cast<int>(p.num_output());
  CAFFE_REQUIRE(N_ > 0, ConfigError, who, ": num_output must be positive, got ", N_);
  K_ = static_cast<int>(p.input_dim());
  CAFFE_REQUIRE(K_ > 0, ConfigError, who, ": input_dim must be positive, got ", K_);
  bias_term_ = p.bias_term();
  const vector<int> weight_shape{K_, N_};
  const vector<int> bias_shape{N_};
  const size_t expected_blobs = bias_term_ ? 2 : 1;
  if (!this->blobs_.empty()) {
    CAFFE_REQUIRE(this->blobs_.size() == expected_blobs, ConfigError, who, " expects ",
                  expected_blobs, " parameter blobs, but was given ", this->blobs_.size());
    CAFFE_REQUIRE(this->blobs_[0]->count() == K_ * N_, ShapeError, who,
                  ": weights should have shape ", ShapeString(weight_shape), ", but have ",
                  this->blobs_[0]->shape_string());
    CAFFE_REQUIRE(!bias_term_ || this->blobs_[1]->count() == N_, ShapeError, who,
                  ": bias should have ", N_, " elements, but has shape ",
                  this->blobs_[1]->shape_string());
  } else {
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(weight_shape));
    GetFiller<Dtype>(p.weight_filler())->Fill(this->blobs_[0].get());
    if (bias_term_) {
      this->blobs_.push_back(std::make_shared<Blob<Dtype>>(bias_shape));
      GetFiller<Dtype>(p.bias_filler())->Fill(this->blobs_[1].get());
    }
  }
  this->param_propagate_down_.assign(this->blobs_.size(), true);
}

template <typename Dtype>
void EmbedLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  M_ = bottom[0]->count();
  vector<int> top_shape = bottom[0]->shape();
  top_shape.push_back(N_);
  top[0]->Reshape(top_shape);
  if (bias_term_) {
    bias_multiplier_.Reshape(vector<int>{M_});
    caffe_set(M_, Dtype(1), bias_multiplier_.mutable_cpu_data());
  }
}

template <typename Dtype>
int EmbedLayer<Dtype>::IndexAt(const Dtype* bottom_data, int i) const {
  const Dtype value = bottom_data[i];
  const bool valid = value >= 0 && value < K_ && static_cast<Dtype>(static_cast<int>(value)) == value;
  CAFFE_REQUIRE(valid, DataError, this->Describe(), ": element ", i,
                " of the bottom is ", value, ", not an integer index in [0, ", K_, ")");
  return static_cast<int>(value);
}

template <typename Dtype>
void EmbedLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const Dtype* bottom_data = bottom[0]->cpu_data();
  const Dtype* weight = this->blobs_[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  for (int i = 0; i < M_; ++i) {
    caffe_copy(N_, weight + IndexAt(bottom_data, i) * N_, top_data + i * N_);
  }
  if (bias_term_) {
    caffe_cpu_gemm<Dtype>(CblasNoTrans, CblasNoTrans, M_, N_, 1, Dtype(1),
                          bias_multiplier_.cpu_data(), this->blobs_[1]->cpu_data(), Dtype(1),
                          top_data);
  }
}

template <typename Dtype>
void EmbedLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(!propagate_down[0], ConfigError, this->Describe(),
                ": cannot backpropagate to the indices");
  const Dtype* top_diff = top[0]->cpu_diff();
  if (this->param_propagate_down(0)) {
    const Dtype* bottom_data = bottom[0]->cpu_data();
    Dtype* weight_diff = this->blobs_[0]->mutable_cpu_diff();
    for (int i = 0; i < M_; ++i) {
      caffe_axpy(N_, Dtype(1), top_diff + i * N_, weight_diff + IndexAt(bottom_data, i) * N_);
    }
  }
  if (bias_term_ && this->param_propagate_down(1)) {
    caffe_cpu_gemv<Dtype>(CblasTrans, M_, N_, Dtype(1), top_diff, bias_multiplier_.cpu_data(),
                          Dtype(1), this->blobs_[1]->mutable_cpu_diff());
  }
}

INSTANTIATE_CLASS(EmbedLayer);
REGISTER_LAYER_CLASS(Embed);

}  // namespace caffe
