#include "caffe/layers/inner_product_layer.hpp"

#include "caffe/filler.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void InnerProductLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  const InnerProductParameter& p = this->layer_param_.inner_product_param();
  const string who = this->Describe();
  N_ = static_cast<int>(p.num_output());
  CAFFE_REQUIRE(N_ > 0, ConfigError, who, ": num_output must be positive, got ", N_);
  bias_term_ = p.bias_term();
  transpose_ = p.transpose();
  const int axis = bottom[0]->CanonicalAxisIndex(p.axis());
  K_ = bottom[0]->count(axis);
  const vector<int> weight_shape = transpose_ ? vector<int>{K_, N_} : vector<int>{N_, K_};
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
void InnerProductLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const int axis = bottom[0]->CanonicalAxisIndex(this->layer_param_.inner_product_param().axis());
  const int new_K = bottom[0]->count(axis);
  CAFFE_REQUIRE(new_K == K_, ShapeError, this->Describe(), ": bottom ",
                bottom[0]->shape_string(), " has ", new_K, " inputs per item from axis ", axis,
                ", but the layer was set up for ", K_);
  M_ = bottom[0]->count(0, axis);
  vector<int> top_shape(bottom[0]->shape().begin(), bottom[0]->shape().begin() + axis);
  top_shape.push_back(N_);
  top[0]->Reshape(top_shape);
  if (bias_term_) {
    bias_multiplier_.Reshape(vector<int>{M_});
    caffe_set(M_, Dtype(1), bias_multiplier_.mutable_cpu_data());
  }
}

template <typename Dtype>
void InnerProductLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                           const vector<Blob<Dtype>*>& top) {
  const Dtype* weight = this->blobs_[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  caffe_cpu_gemm<Dtype>(CblasNoTrans, transpose_ ? CblasNoTrans : CblasTrans, M_, N_, K_,
                        Dtype(1), bottom[0]->cpu_data(), weight, Dtype(0), top_data);
  if (bias_term_) {
    caffe_cpu_gemm<Dtype>(CblasNoTrans, CblasNoTrans, M_, N_, 1, Dtype(1),
                          bias_multiplier_.cpu_data(), this->blobs_[1]->cpu_data(), Dtype(1),
                          top_data);
  }
}

template <typename Dtype>
void InnerProductLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                            const vector<bool>& propagate_down,
                                            const vector<Blob<Dtype>*>& bottom) {
  const Dtype* top_diff = top[0]->cpu_diff();
  if (this->param_propagate_down(0)) {
    const Dtype* bottom_data = bottom[0]->cpu_data();
    Dtype* weight_diff = this->blobs_[0]->mutable_cpu_diff();
    if (transpose_) {
      caffe_cpu_gemm<Dtype>(CblasTrans, CblasNoTrans, K_, N_, M_, Dtype(1), bottom_data,
                            top_diff, Dtype(1), weight_diff);
    } else {
      caffe_cpu_gemm<Dtype>(CblasTrans, CblasNoTrans, N_, K_, M_, Dtype(1), top_diff,
                            bottom_data, Dtype(1), weight_diff);
    }
  }
  if (bias_term_ && this->param_propagate_down(1)) {
    caffe_cpu_gemv<Dtype>(CblasTrans, M_, N_, Dtype(1), top_diff, bias_multiplier_.cpu_data(),
                          Dtype(1), this->blobs_[1]->mutable_cpu_diff());
  }
  if (propagate_down[0]) {
    caffe_cpu_gemm<Dtype>(CblasNoTrans, transpose_ ? CblasTrans : CblasNoTrans, M_, K_, N_,
                          Dtype(1), top_diff, this->blobs_[0]->cpu_data(), Dtype(0),
                          bottom[0]->mutable_cpu_diff());
  }
}

INSTANTIATE_CLASS(InnerProductLayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
