#include "caffe/layers/lrn_layer.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void LRNLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  const LRNParameter& p = this->layer_param_.lrn_param();
  size_ = static_cast<int>(p.local_size());
  CAFFE_REQUIRE(size_ % 2 == 1, ConfigError, this->Describe(),
                ": local_size must be odd, got ", size_);
  pre_pad_ = (size_ - 1) / 2;
  alpha_ = p.alpha();
  beta_ = p.beta();
  k_ = p.k();
  across_channels_ = p.norm_region() == LRNParameter_NormRegion_ACROSS_CHANNELS;
}

template <typename Dtype>
void LRNLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                              const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() == 4, ShapeError, this->Describe(),
                ": input must have 4 axes (num, channels, height, width), but is ",
                bottom[0]->shape_string());
  CAFFE_REQUIRE(top[0] != bottom[0], ConfigError, this->Describe(), " cannot run in place");
  num_ = bottom[0]->num();
  channels_ = bottom[0]->channels();
  height_ = bottom[0]->height();
  width_ = bottom[0]->width();
  top[0]->ReshapeLike(*bottom[0]);
  scale_.ReshapeLike(*bottom[0]);
  buffer_.ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void LRNLayer<Dtype>::NeighbourhoodSum(const Dtype* in, Dtype* out) const {
  const int plane = height_ * width_;
  if (across_channels_) {
    for (int n = 0; n < num_; ++n) {
      const Dtype* image = in + n * channels_ * plane;
      Dtype* result = out + n * channels_ * plane;
      for (int c = 0; c < channels_; ++c) {
        const int first = std::max(c - pre_pad_, 0);
        const int last = std::min(c + pre_pad_, channels_ - 1);
        Dtype* row = result + c * plane;
        std::fill(row, row + plane, Dtype(0));
        for (int other = first; other <= last; ++other) {
          const Dtype* source = image + other * plane;
          for (int i = 0; i < plane; ++i) row[i] += source[i];
        }
      }
    }
    return;
  }
  for (int map = 0; map < num_ * channels_; ++map) {
    const Dtype* source = in + map * plane;
    Dtype* result = out + map * plane;
    for (int h = 0; h < height_; ++h) {
      const int hstart = std::max(h - pre_pad_, 0);
      const int hend = std::min(h + pre_pad_ + 1, height_);
      for (int w = 0; w < width_; ++w) {
        const int wstart = std::max(w - pre_pad_, 0);
        const int wend = std::min(w + pre_pad_ + 1, width_);
        Dtype sum = 0;
        for (int y = hstart; y < hend; ++y) {
          for (int x = wstart; x < wend; ++x) sum += source[y * width_ + x];
        }
        result[h * width_ + w] = sum;
      }
    }
  }
}

template <typename Dtype>
void LRNLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const int count = bottom[0]->count();
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* squares = buffer_.mutable_cpu_data();
  Dtype* scale = scale_.mutable_cpu_data();
  caffe_sqr(count, bottom_data, squares);
  NeighbourhoodSum(squares, scale);
  // The within-channel window averages over size^2 cells and always adds 1.
  const Dtype coefficient = across_channels_ ? alpha_ / size_ : alpha_ / (size_ * size_);
  const Dtype offset = across_channels_ ? k_ : Dtype(1);
  for (int i = 0; i < count; ++i) scale[i] = offset + coefficient * scale[i];
  Dtype* top_data = top[0]->mutable_cpu_data();
  caffe_powx(count, scale, -beta_, top_data);
  caffe_mul(count, top_data, bottom_data, top_data);
}

template <typename Dtype>
void LRNLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  // dx_i = dy_i * scale_i^-beta
  //        - 2 * alpha * beta / N * x_i * sum over i's neighbours j of dy_j * y_j / scale_j,
  // with N = size (across) or size^2 (within).
  const int count = bottom[0]->count();
  const Dtype* top_diff = top[0]->cpu_diff();
  const Dtype* top_data = top[0]->cpu_data();
  const Dtype* bottom_data = bottom[0]->cpu_data();
  const Dtype* scale = scale_.cpu_data();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  Dtype* ratio = buffer_.mutable_cpu_data();
  for (int i = 0; i < count; ++i) ratio[i] = top_diff[i] * top_data[i] / scale[i];
  // The neighbourhood sum goes into scale_'s diff, which is otherwise unused.
  Dtype* ratio_sum = scale_.mutable_cpu_diff();
  NeighbourhoodSum(ratio, ratio_sum);
  const Dtype norm = across_channels_ ? Dtype(size_) : Dtype(size_ * size_);
  const Dtype coefficient = 2 * alpha_ * beta_ / norm;
  for (int i = 0; i < count; ++i) {
    bottom_diff[i] = top_diff[i] * std::pow(scale[i], -beta_) -
                     coefficient * bottom_data[i] * ratio_sum[i];
  }
}

INSTANTIATE_CLASS(LRNLayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
