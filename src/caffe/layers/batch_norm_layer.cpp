#include "caffe/layers/batch_norm_layer.hpp"

#include <cmath>

namespace caffe {

template <typename Dtype>
void BatchNormLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const BatchNormParameter& param = this->layer_param_.batch_norm_param();
  moving_average_fraction_ = param.moving_average_fraction();
  use_global_stats_ =
      param.has_use_global_stats() ? param.use_global_stats() : this->phase_ == TEST;
  eps_ = param.eps();
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 1, ShapeError, this->Describe(),
                " needs a bottom with at least one axis, got shape ", bottom[0]->shape_string());
  channels_ = bottom[0]->num_axes() == 1 ? 1 : bottom[0]->shape(1);
  if (this->blobs_.empty()) {
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(vector<int>{channels_}));
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(vector<int>{channels_}));
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(vector<int>{1}));
    for (auto& blob : this->blobs_) caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_data());
  }
  CAFFE_REQUIRE(this->blobs_.size() == 3 && this->blobs_[0]->count() == channels_ &&
                    this->blobs_[1]->count() == channels_ && this->blobs_[2]->count() == 1,
                ShapeError, this->Describe(), " was given ", this->blobs_.size(),
                " statistics blobs that do not fit ", channels_, " channels");
  MaskStatisticsFromSolver();
}

template <typename Dtype>
void BatchNormLayer<Dtype>::MaskStatisticsFromSolver() {
  LayerParameter& layer_param = this->layer_param_;
  const bool legacy_triple = layer_param.param_size() == 3;
  for (int i = 0; i < 3; ++i) {
    if (layer_param.param_size() == i) {
      layer_param.add_param()->set_lr_mult(0);
    } else if (legacy_triple) {
      layer_param.mutable_param(i)->set_lr_mult(0);
      layer_param.mutable_param(i)->set_decay_mult(0);
    } else {
      CAFFE_REQUIRE(layer_param.param(i).lr_mult() == 0, ConfigError, this->Describe(),
                    ": param ", i, " has lr_mult ", layer_param.param(i).lr_mult(),
                    ", but the batch statistics cannot be learned; use lr_mult 0");
    }
  }
}

template <typename Dtype>
void BatchNormLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const int channels = bottom[0]->num_axes() == 1 ? 1 : bottom[0]->shape(1);
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 1 && channels == channels_, ShapeError,
                this->Describe(), " was set up for ", channels_,
                " channels but the bottom now has shape ", bottom[0]->shape_string());
  num_ = bottom[0]->shape(0);
  CAFFE_REQUIRE(num_ > 0 && channels_ > 0, ShapeError, this->Describe(),
                " needs a non-empty bottom, got shape ", bottom[0]->shape_string());
  spatial_dim_ = bottom[0]->count() / (num_ * channels_);
  top[0]->ReshapeLike(*bottom[0]);
  x_norm_.ReshapeLike(*bottom[0]);
  mean_.assign(channels_, Dtype(0));
  stddev_.assign(channels_, Dtype(0));
}

template <typename Dtype>
void BatchNormLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  const int per_channel = num_ * spatial_dim_;
  vector<Dtype> variance(channels_, Dtype(0));
  if (use_global_stats_) {
    const Dtype factor = this->blobs_[2]->cpu_data()[0];
    const Dtype scale = factor == 0 ? Dtype(0) : Dtype(1) / factor;
    for (int c = 0; c < channels_; ++c) {
      mean_[c] = scale * this->blobs_[0]->cpu_data()[c];
      variance[c] = scale * this->blobs_[1]->cpu_data()[c];
    }
  } else {
    for (int c = 0; c < channels_; ++c) {
      Dtype sum = 0;
      for (int n = 0; n < num_; ++n) {
        const Dtype* x = bottom_data + (n * channels_ + c) * spatial_dim_;
        for (int s = 0; s < spatial_dim_; ++s) sum += x[s];
      }
      mean_[c] = sum / per_channel;
    }
  }
  // Centre (this may overwrite the bottom when in place; it is not needed again).
  for (int n = 0; n < num_; ++n) {
    for (int c = 0; c < channels_; ++c) {
      const int offset = (n * channels_ + c) * spatial_dim_;
      for (int s = 0; s < spatial_dim_; ++s) {
        top_data[offset + s] = bottom_data[offset + s] - mean_[c];
      }
    }
  }
  if (!use_global_stats_) {
    // The biased variance E[(x - mean)^2] normalises the batch.
    for (int c = 0; c < channels_; ++c) {
      Dtype sum = 0;
      for (int n = 0; n < num_; ++n) {
        const Dtype* centred = top_data + (n * channels_ + c) * spatial_dim_;
        for (int s = 0; s < spatial_dim_; ++s) sum += centred[s] * centred[s];
      }
      variance[c] = sum / per_channel;
    }
    Dtype* factor = this->blobs_[2]->mutable_cpu_data();
    factor[0] = factor[0] * moving_average_fraction_ + 1;
    // The stored variance is corrected to the unbiased estimate.
    const int m = bottom[0]->count() / channels_;
    const Dtype correction = m > 1 ? Dtype(m) / (m - 1) : Dtype(1);
    Dtype* mean_sum = this->blobs_[0]->mutable_cpu_data();
    Dtype* variance_sum = this->blobs_[1]->mutable_cpu_data();
    for (int c = 0; c < channels_; ++c) {
      mean_sum[c] = moving_average_fraction_ * mean_sum[c] + mean_[c];
      variance_sum[c] = moving_average_fraction_ * variance_sum[c] + correction * variance[c];
    }
  }
  for (int c = 0; c < channels_; ++c) stddev_[c] = std::sqrt(variance[c] + eps_);
  for (int n = 0; n < num_; ++n) {
    for (int c = 0; c < channels_; ++c) {
      Dtype* y = top_data + (n * channels_ + c) * spatial_dim_;
      for (int s = 0; s < spatial_dim_; ++s) y[s] /= stddev_[c];
    }
  }
  caffe_copy(top[0]->count(), top_data, x_norm_.mutable_cpu_data());
}

template <typename Dtype>
void BatchNormLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  // Every element is read before it is written, so top diff may be the bottom diff.
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  if (use_global_stats_) {
    // The statistics are constants: a per-channel affine map.
    for (int n = 0; n < num_; ++n) {
      for (int c = 0; c < channels_; ++c) {
        const int offset = (n * channels_ + c) * spatial_dim_;
        for (int s = 0; s < spatial_dim_; ++s) {
          bottom_diff[offset + s] = top_diff[offset + s] / stddev_[c];
        }
      }
    }
    return;
  }
  // With y = (x - mean) / stddev over the batch statistics,
  //   dx = (dy - mean(dy) - mean(dy * y) * y) / stddev,
  // the means taken per channel over the batch and spatial positions.
  const Dtype* y = x_norm_.cpu_data();
  const int per_channel = num_ * spatial_dim_;
  vector<Dtype> mean_dy(channels_, Dtype(0)), mean_dy_y(channels_, Dtype(0));
  for (int n = 0; n < num_; ++n) {
    for (int c = 0; c < channels_; ++c) {
      const int offset = (n * channels_ + c) * spatial_dim_;
      for (int s = 0; s < spatial_dim_; ++s) {
        mean_dy[c] += top_diff[offset + s];
        mean_dy_y[c] += top_diff[offset + s] * y[offset + s];
      }
    }
  }
  for (int c = 0; c < channels_; ++c) {
    mean_dy[c] /= per_channel;
    mean_dy_y[c] /= per_channel;
  }
  for (int n = 0; n < num_; ++n) {
    for (int c = 0; c < channels_; ++c) {
      const int offset = (n * channels_ + c) * spatial_dim_;
      for (int s = 0; s < spatial_dim_; ++s) {
        bottom_diff[offset + s] =
            (top_diff[offset + s] - mean_dy[c] - mean_dy_y[c] * y[offset + s]) / stddev_[c];
      }
    }
  }
}

INSTANTIATE_CLASS(BatchNormLayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
