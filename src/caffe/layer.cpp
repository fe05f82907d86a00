#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
Layer<Dtype>::Layer(const LayerParameter& param) : layer_param_(param) {
  phase_ = param.phase();
  for (int i = 0; i < layer_param_.blobs_size(); ++i) {
    blobs_.push_back(std::make_shared<Blob<Dtype>>());
    blobs_.back()->FromProto(layer_param_.blobs(i));
  }
}

template <typename Dtype>
string Layer<Dtype>::Describe() const {
  return internal::Concat("layer '", layer_param_.name(), "' (", type(), ")");
}

template <typename Dtype>
void Layer<Dtype>::SetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) {
  CheckBlobCounts(bottom, top);
  LayerSetUp(bottom, top);
  Reshape(bottom, top);
  SetLossWeights(top);
}

template <typename Dtype>
Dtype Layer<Dtype>::Forward(const vector<Blob<Dtype>*>& bottom,
                            const vector<Blob<Dtype>*>& top) {
  Dtype loss = 0;
  if (!fused_into_.empty()) return loss;  // a fused layer has no loss weight
  Reshape(bottom, top);
  Forward_cpu(bottom, top);
  for (int top_id = 0; top_id < static_cast<int>(top.size()); ++top_id) {
    if (!this->loss(top_id)) continue;
    const int count = top[top_id]->count();
    loss += caffe_cpu_dot(count, top[top_id]->cpu_data(), top[top_id]->cpu_diff());
  }
  return loss;
}

template <typename Dtype>
void Layer<Dtype>::Backward(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                            const vector<Blob<Dtype>*>& bottom) {
  if (!fused_into_.empty()) return;
  Backward_cpu(top, propagate_down, bottom);
}

template <typename Dtype>
void Layer<Dtype>::ToProto(LayerParameter* param, bool write_diff) {
  param->Clear();
  param->CopyFrom(layer_param_);
  param->clear_blobs();
  for (const auto& blob : blobs_) blob->ToProto(param->add_blobs(), write_diff);
}

template <typename Dtype>
void Layer<Dtype>::set_loss(int top_index, Dtype value) {
  if (static_cast<int>(loss_.size()) <= top_index) loss_.resize(top_index + 1, Dtype(0));
  loss_[top_index] = value;
}

template <typename Dtype>
void Layer<Dtype>::set_param_propagate_down(int param_id, bool value) {
  if (static_cast<int>(param_propagate_down_.size()) <= param_id) {
    param_propagate_down_.resize(param_id + 1, true);
  }
  param_propagate_down_[param_id] = value;
}

template <typename Dtype>
void Layer<Dtype>::CheckBlobCounts(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const int num_bottom = static_cast<int>(bottom.size());
  const int num_top = static_cast<int>(top.size());
  auto require = [&](bool ok, const char* what, int expected, int actual) {
    CAFFE_REQUIRE(ok, ConfigError, Describe(), " takes ", what, " ", expected,
                  " blob(s), but has ", actual);
  };
  if (ExactNumBottomBlobs() >= 0) {
    require(num_bottom == ExactNumBottomBlobs(), "exactly", ExactNumBottomBlobs(), num_bottom);
  }
  if (MinBottomBlobs() >= 0) {
    require(num_bottom >= MinBottomBlobs(), "at least", MinBottomBlobs(), num_bottom);
  }
  if (MaxBottomBlobs() >= 0) {
    require(num_bottom <= MaxBottomBlobs(), "at most", MaxBottomBlobs(), num_bottom);
  }
  if (ExactNumTopBlobs() >= 0) {
    CAFFE_REQUIRE(num_top == ExactNumTopBlobs(), ConfigError, Describe(), " produces exactly ",
                  ExactNumTopBlobs(), " top blob(s), but has ", num_top);
  }
  if (MinTopBlobs() >= 0) {
    CAFFE_REQUIRE(num_top >= MinTopBlobs(), ConfigError, Describe(), " produces at least ",
                  MinTopBlobs(), " top blob(s), but has ", num_top);
  }
  if (MaxTopBlobs() >= 0) {
    CAFFE_REQUIRE(num_top <= MaxTopBlobs(), ConfigError, Describe(), " produces at most ",
                  MaxTopBlobs(), " top blob(s), but has ", num_top);
  }
  if (EqualNumBottomTopBlobs()) {
    CAFFE_REQUIRE(num_bottom == num_top, ConfigError, Describe(),
                  " needs as many tops as bottoms, but has ", num_bottom, " bottom(s) and ",
                  num_top, " top(s)");
  }
}

template <typename Dtype>
void Layer<Dtype>::SetLossWeights(const vector<Blob<Dtype>*>& top) {
  const int num_loss_weights = layer_param_.loss_weight_size();
  if (!num_loss_weights) return;
  CAFFE_REQUIRE(num_loss_weights == static_cast<int>(top.size()), ConfigError, Describe(),
                " has ", num_loss_weights, " loss_weight values for ", top.size(), " tops");
  for (int top_id = 0; top_id < static_cast<int>(top.size()); ++top_id) {
    const Dtype weight = layer_param_.loss_weight(top_id);
    if (weight == Dtype(0)) continue;
    set_loss(top_id, weight);
    caffe_set(top[top_id]->count(), weight, top[top_id]->mutable_cpu_diff());
  }
}

INSTANTIATE_CLASS(Layer);

}  // namespace caffe
