#include "caffe/layers/spp_layer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/pooling_layer.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

namespace {
// 2^(kMaxPyramidHeight - 1) bins per side must fit an int.
constexpr uint32_t kMaxPyramidHeight = 31;
}  // namespace

template <typename Dtype>
void SPPLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  pyramid_height_ = static_cast<int>(
      std::min<uint32_t>(this->layer_param_.spp_param().pyramid_height(), kMaxPyramidHeight));
  const uint32_t requested = this->layer_param_.spp_param().pyramid_height();
  CAFFE_REQUIRE(requested >= 1 && requested <= kMaxPyramidHeight, ConfigError, this->Describe(),
                ": pyramid_height must be between 1 and ", kMaxPyramidHeight, ", got ",
                requested);
}

template <typename Dtype>
LayerParameter SPPLayer<Dtype>::LevelParam(int level, int height, int width) const {
  LayerParameter param;
  param.set_name(internal::Concat(this->layer_param_.name(), "_level", level));
  param.set_type("Pooling");
  param.set_phase(this->phase_);
  PoolingParameter* pool = param.mutable_pooling_param();
  const int bins = 1 << level;
  const int kernel_h = static_cast<int>(std::ceil(height / static_cast<double>(bins)));
  const int kernel_w = static_cast<int>(std::ceil(width / static_cast<double>(bins)));
  // Split the shortfall of the bins' cover between both sides.
  pool->set_pad_h((kernel_h * bins - height + 1) / 2);
  pool->set_pad_w((kernel_w * bins - width + 1) / 2);
  pool->set_kernel_h(kernel_h);
  pool->set_kernel_w(kernel_w);
  pool->set_stride_h(kernel_h);
  pool->set_stride_w(kernel_w);
  pool->set_pool(
      static_cast<PoolingParameter_PoolMethod>(this->layer_param_.spp_param().pool()));
  return param;
}

template <typename Dtype>
void SPPLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                              const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() == 4, ShapeError, this->Describe(),
                ": input must have 4 axes (num, channels, height, width), but is ",
                bottom[0]->shape_string());
  const int height = bottom[0]->height();
  const int width = bottom[0]->width();
  // The finest level splits each side into 2^(pyramid_height - 1) bins, and
  // a pooling window has to hold at least one pixel that is not padding.
  const int finest_bins = 1 << (pyramid_height_ - 1);
  CAFFE_REQUIRE(finest_bins <= height && finest_bins <= width, ShapeError, this->Describe(),
                ": pyramid_height ", pyramid_height_, " splits each side into ", finest_bins,
                " bins, more than the input's height x width of ", height, " x ", width,
                " (input shape ", bottom[0]->shape_string(), ")");
  const bool rebuild = height != height_ || width != width_;
  if (rebuild) {
    height_ = height;
    width_ = width;
    levels_.clear();
    level_tops_.clear();
    for (int level = 0; level < pyramid_height_; ++level) {
      levels_.push_back(
          std::make_shared<PoolingLayer<Dtype>>(LevelParam(level, height, width)));
      level_tops_.push_back(std::make_shared<Blob<Dtype>>());
    }
  }
  const int num = bottom[0]->num();
  level_starts_.clear();
  top_row_ = 0;
  for (int level = 0; level < pyramid_height_; ++level) {
    const vector<Blob<Dtype>*> level_bottom{bottom[0]};
    const vector<Blob<Dtype>*> level_top{level_tops_[level].get()};
    if (rebuild) {
      levels_[level]->SetUp(level_bottom, level_top);
    } else {
      levels_[level]->Reshape(level_bottom, level_top);
    }
    level_starts_.push_back(top_row_);
    top_row_ += level_tops_[level]->count(1);
  }
  if (pyramid_height_ == 1) {
    top[0]->ReshapeLike(*level_tops_[0]);
  } else {
    top[0]->Reshape(vector<int>{num, top_row_});
  }
}

template <typename Dtype>
void SPPLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const int num = bottom[0]->num();
  Dtype* top_data = top[0]->mutable_cpu_data();
  for (int level = 0; level < pyramid_height_; ++level) {
    Blob<Dtype>* pooled = level_tops_[level].get();
    levels_[level]->Forward(bottom, vector<Blob<Dtype>*>{pooled});
    const int row = pooled->count(1);
    for (int n = 0; n < num; ++n) {
      caffe_copy(row, pooled->cpu_data() + n * row, top_data + n * top_row_ + level_starts_[level]);
    }
  }
}

template <typename Dtype>
void SPPLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                   const vector<bool>& propagate_down,
                                   const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int num = bottom[0]->num();
  const int count = bottom[0]->count();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  caffe_set(count, Dtype(0), bottom_diff);
  level_bottom_.ReshapeLike(*bottom[0]);
  level_bottom_.ShareData(*bottom[0]);
  for (int level = 0; level < pyramid_height_; ++level) {
    Blob<Dtype>* pooled = level_tops_[level].get();
    const int row = pooled->count(1);
    for (int n = 0; n < num; ++n) {
      caffe_copy(row, top_diff + n * top_row_ + level_starts_[level],
                 pooled->mutable_cpu_diff() + n * row);
    }
    levels_[level]->Backward(vector<Blob<Dtype>*>{pooled}, vector<bool>{true},
                             vector<Blob<Dtype>*>{&level_bottom_});
    caffe_axpy(count, Dtype(1), level_bottom_.cpu_diff(), bottom_diff);
  }
}

INSTANTIATE_CLASS(SPPLayer);
REGISTER_LAYER_CLASS(SPP);

}  // namespace caffe
