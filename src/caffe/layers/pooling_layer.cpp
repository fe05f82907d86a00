#include "caffe/layers/pooling_layer.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "caffe/layers/max_pooling.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void PoolingLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  const PoolingParameter& p = this->layer_param_.pooling_param();
  const string who = this->Describe();
  global_pooling_ = p.global_pooling();
  if (global_pooling_) {
    CAFFE_REQUIRE(!p.has_kernel_size() && !p.has_kernel_h() && !p.has_kernel_w(), ConfigError,
                  who, ": with global_pooling the kernel size cannot be given");
  } else {
    CAFFE_REQUIRE(!p.has_kernel_size() != !(p.has_kernel_h() && p.has_kernel_w()), ConfigError,
                  who, ": give kernel_size or kernel_h and kernel_w, not both");
    CAFFE_REQUIRE(p.has_kernel_size() || (p.has_kernel_h() && p.has_kernel_w()), ConfigError,
                  who, ": non-square kernels need both kernel_h and kernel_w");
  }
  CAFFE_REQUIRE((!p.has_pad() && p.has_pad_h() && p.has_pad_w()) ||
                    (!p.has_pad_h() && !p.has_pad_w()),
                ConfigError, who, ": give pad or both pad_h and pad_w");
  CAFFE_REQUIRE((!p.has_stride() && p.has_stride_h() && p.has_stride_w()) ||
                    (!p.has_stride_h() && !p.has_stride_w()),
                ConfigError, who, ": give stride or both stride_h and stride_w");
  CAFFE_REQUIRE(bottom[0]->num_axes() == 4, ShapeError, who,
                ": input must have 4 axes (num, channels, height, width), but is ",
                bottom[0]->shape_string());
  if (global_pooling_) {
    kernel_h_ = bottom[0]->height();
    kernel_w_ = bottom[0]->width();
  } else if (p.has_kernel_size()) {
    kernel_h_ = kernel_w_ = static_cast<int>(p.kernel_size());
  } else {
    kernel_h_ = static_cast<int>(p.kernel_h());
    kernel_w_ = static_cast<int>(p.kernel_w());
  }
  CAFFE_REQUIRE(kernel_h_ > 0 && kernel_w_ > 0, ConfigError, who,
                ": kernel dimensions must be positive, got ", kernel_h_, "x", kernel_w_);
  if (p.has_pad_h()) {
    pad_h_ = static_cast<int>(p.pad_h());
    pad_w_ = static_cast<int>(p.pad_w());
  } else {
    pad_h_ = pad_w_ = static_cast<int>(p.pad());
  }
  if (p.has_stride_h()) {
    stride_h_ = static_cast<int>(p.stride_h());
    stride_w_ = static_cast<int>(p.stride_w());
  } else {
    stride_h_ = stride_w_ = static_cast<int>(p.stride());
  }
  CAFFE_REQUIRE(stride_h_ > 0 && stride_w_ > 0, ConfigError, who,
                ": strides must be positive, got ", stride_h_, "x", stride_w_);
  if (global_pooling_) {
    CAFFE_REQUIRE(pad_h_ == 0 && pad_w_ == 0 && stride_h_ == 1 && stride_w_ == 1, ConfigError,
                  who, ": with global_pooling only pad 0 and stride 1 are allowed");
  }
  if (pad_h_ != 0 || pad_w_ != 0) {
    CAFFE_REQUIRE(p.pool() == PoolingParameter_PoolMethod_AVE ||
                      p.pool() == PoolingParameter_PoolMethod_MAX,
                  ConfigError, who, ": padding is implemented only for MAX and AVE pooling");
    CAFFE_REQUIRE(pad_h_ < kernel_h_ && pad_w_ < kernel_w_, ConfigError, who, ": padding ",
                  pad_h_, "x", pad_w_, " must be smaller than the kernel ", kernel_h_, "x",
                  kernel_w_);
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const string who = this->Describe();
  CAFFE_REQUIRE(bottom[0]->num_axes() == 4, ShapeError, who,
                ": input must have 4 axes (num, channels, height, width), but is ",
                bottom[0]->shape_string());
  num_ = bottom[0]->num();
  channels_ = bottom[0]->channels();
  height_ = bottom[0]->height();
  width_ = bottom[0]->width();
  if (global_pooling_) {
    kernel_h_ = height_;
    kernel_w_ = width_;
  }
  // Upstream computes the extent in single precision; so do we, so that the
  // rounding agrees at exact multiples.
  const bool floor_mode =
      this->layer_param_.pooling_param().round_mode() == PoolingParameter_RoundMode_FLOOR;
  auto extent = [&](int in, int pad, int kernel, int stride) {
    const float steps = static_cast<float>(in + 2 * pad - kernel) / stride;
    return static_cast<int>(floor_mode ? std::floor(steps) : std::ceil(steps)) + 1;
  };
  pooled_height_ = extent(height_, pad_h_, kernel_h_, stride_h_);
  pooled_width_ = extent(width_, pad_w_, kernel_w_, stride_w_);
  if (pad_h_ || pad_w_) {
    // The last window must start inside the image (or its leading padding).
    if ((pooled_height_ - 1) * stride_h_ >= height_ + pad_h_) --pooled_height_;
    if ((pooled_width_ - 1) * stride_w_ >= width_ + pad_w_) --pooled_width_;
  }
  CAFFE_REQUIRE(pooled_height_ > 0 && pooled_width_ > 0, ShapeError, who, ": kernel ", kernel_h_,
                "x", kernel_w_, " with pad ", pad_h_, "x", pad_w_, " leaves no output for input ",
                bottom[0]->shape_string());
  const vector<int> top_shape{num_, channels_, pooled_height_, pooled_width_};
  for (Blob<Dtype>* t : top) t->Reshape(top_shape);
  selected_.assign(num_ * channels_ * pooled_height_ * pooled_width_, -1);
}

template <typename Dtype>
void PoolingLayer<Dtype>::ForwardMax(const Dtype* bottom_data, Dtype* top_data,
                                     Dtype* top_mask) {
  const internal::PoolGeometry geometry{height_,  width_,  kernel_h_,     kernel_w_,
                                        stride_h_, stride_w_, pad_h_,      pad_w_,
                                        pooled_height_, pooled_width_};
  internal::MaxPoolPlanes(geometry, num_ * channels_, bottom_data, top_data, selected_.data());
  if (top_mask) {
    for (size_t i = 0; i < selected_.size(); ++i) top_mask[i] = static_cast<Dtype>(selected_[i]);
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::ForwardAve(const Dtype* bottom_data, Dtype* top_data) {
  for (int plane = 0; plane < num_ * channels_; ++plane) {
    for (int ph = 0; ph < pooled_height_; ++ph) {
      for (int pw = 0; pw < pooled_width_; ++pw) {
        int hstart = ph * stride_h_ - pad_h_;
        int wstart = pw * stride_w_ - pad_w_;
        int hend = std::min(hstart + kernel_h_, height_ + pad_h_);
        int wend = std::min(wstart + kernel_w_, width_ + pad_w_);
        const int pool_size = (hend - hstart) * (wend - wstart);
        hstart = std::max(hstart, 0);
        wstart = std::max(wstart, 0);
        hend = std::min(hend, height_);
        wend = std::min(wend, width_);
        Dtype sum = 0;
        for (int h = hstart; h < hend; ++h) {
          for (int w = wstart; w < wend; ++w) sum += bottom_data[h * width_ + w];
        }
        top_data[ph * pooled_width_ + pw] = sum / pool_size;
      }
    }
    bottom_data += height_ * width_;
    top_data += pooled_height_ * pooled_width_;
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::ForwardStochasticTrain(const Dtype* bottom_data, Dtype* top_data) {
  const int pooled_plane = pooled_height_ * pooled_width_;
  vector<Dtype> uniform(num_ * channels_ * pooled_plane);
  caffe_rng_uniform<Dtype>(static_cast<int>(uniform.size()), Dtype(0), Dtype(1), uniform.data());
  int out_index = 0;
  for (int plane = 0; plane < num_ * channels_; ++plane) {
    for (int ph = 0; ph < pooled_height_; ++ph) {
      const int hstart = ph * stride_h_;
      const int hend = std::min(hstart + kernel_h_, height_);
      for (int pw = 0; pw < pooled_width_; ++pw, ++out_index) {
        const int wstart = pw * stride_w_;
        const int wend = std::min(wstart + kernel_w_, width_);
        Dtype total = 0;
        for (int h = hstart; h < hend; ++h) {
          for (int w = wstart; w < wend; ++w) total += bottom_data[h * width_ + w];
        }
        const Dtype threshold = uniform[out_index] * total;
        // The first input at which the running sum reaches the threshold; the
        // window's last input when rounding (or negative inputs) keeps the
        // running sum below it.
        int chosen = (hend - 1) * width_ + (wend - 1);
        Dtype running = 0;
        bool found = false;
        for (int h = hstart; h < hend && !found; ++h) {
          for (int w = wstart; w < wend && !found; ++w) {
            running += bottom_data[h * width_ + w];
            if (running >= threshold) {
              chosen = h * width_ + w;
              found = true;
            }
          }
        }
        selected_[out_index] = chosen;
        top_data[ph * pooled_width_ + pw] = bottom_data[chosen];
      }
    }
    bottom_data += height_ * width_;
    top_data += pooled_plane;
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::StochasticWindowSums(const Dtype* plane, int hstart, int hend,
                                               int wstart, int wend, Dtype* sum,
                                               Dtype* sum_sq) const {
  *sum = Dtype(FLT_MIN);
  *sum_sq = 0;
  for (int h = hstart; h < hend; ++h) {
    for (int w = wstart; w < wend; ++w) {
      const Dtype v = plane[h * width_ + w];
      *sum += v;
      *sum_sq += v * v;
    }
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::ForwardStochasticTest(const Dtype* bottom_data, Dtype* top_data) {
  for (int plane = 0; plane < num_ * channels_; ++plane) {
    for (int ph = 0; ph < pooled_height_; ++ph) {
      const int hstart = ph * stride_h_;
      const int hend = std::min(hstart + kernel_h_, height_);
      for (int pw = 0; pw < pooled_width_; ++pw) {
        const int wstart = pw * stride_w_;
        const int wend = std::min(wstart + kernel_w_, width_);
        Dtype sum, sum_sq;
        StochasticWindowSums(bottom_data, hstart, hend, wstart, wend, &sum, &sum_sq);
        top_data[ph * pooled_width_ + pw] = sum_sq / sum;
      }
    }
    bottom_data += height_ * width_;
    top_data += pooled_height_ * pooled_width_;
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  switch (this->layer_param_.pooling_param().pool()) {
    case PoolingParameter_PoolMethod_MAX:
      ForwardMax(bottom_data, top_data, top.size() > 1 ? top[1]->mutable_cpu_data() : nullptr);
      break;
    case PoolingParameter_PoolMethod_AVE:
      ForwardAve(bottom_data, top_data);
      break;
    case PoolingParameter_PoolMethod_STOCHASTIC:
      if (this->phase_ == TRAIN) {
        ForwardStochasticTrain(bottom_data, top_data);
      } else {
        ForwardStochasticTest(bottom_data, top_data);
      }
      break;
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::BackwardStochasticTest(const Dtype* top_diff, const Dtype* bottom_data,
                                                 Dtype* bottom_diff) {
  // y = Q / S with S = FLT_MIN + sum(x) and Q = sum(x^2):
  // dy/dx_i = (2 x_i - y) / S.
  for (int plane = 0; plane < num_ * channels_; ++plane) {
    for (int ph = 0; ph < pooled_height_; ++ph) {
      const int hstart = ph * stride_h_;
      const int hend = std::min(hstart + kernel_h_, height_);
      for (int pw = 0; pw < pooled_width_; ++pw) {
        const int wstart = pw * stride_w_;
        const int wend = std::min(wstart + kernel_w_, width_);
        Dtype sum, sum_sq;
        StochasticWindowSums(bottom_data, hstart, hend, wstart, wend, &sum, &sum_sq);
        const Dtype y = sum_sq / sum;
        const Dtype g = top_diff[ph * pooled_width_ + pw] / sum;
        for (int h = hstart; h < hend; ++h) {
          for (int w = wstart; w < wend; ++w) {
            bottom_diff[h * width_ + w] += g * (2 * bottom_data[h * width_ + w] - y);
          }
        }
      }
    }
    bottom_data += height_ * width_;
    bottom_diff += height_ * width_;
    top_diff += pooled_height_ * pooled_width_;
  }
}

template <typename Dtype>
void PoolingLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                       const vector<bool>& propagate_down,
                                       const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  caffe_set(bottom[0]->count(), Dtype(0), bottom_diff);
  const int plane_size = height_ * width_;
  const int pooled_plane = pooled_height_ * pooled_width_;
  const auto pool = this->layer_param_.pooling_param().pool();
  if (pool == PoolingParameter_PoolMethod_STOCHASTIC && this->phase_ != TRAIN) {
    BackwardStochasticTest(top_diff, bottom[0]->cpu_data(), bottom_diff);
    return;
  }
  if (pool == PoolingParameter_PoolMethod_AVE) {
    for (int plane = 0; plane < num_ * channels_; ++plane) {
      for (int ph = 0; ph < pooled_height_; ++ph) {
        for (int pw = 0; pw < pooled_width_; ++pw) {
          int hstart = ph * stride_h_ - pad_h_;
          int wstart = pw * stride_w_ - pad_w_;
          int hend = std::min(hstart + kernel_h_, height_ + pad_h_);
          int wend = std::min(wstart + kernel_w_, width_ + pad_w_);
          const int pool_size = (hend - hstart) * (wend - wstart);
          hstart = std::max(hstart, 0);
          wstart = std::max(wstart, 0);
          hend = std::min(hend, height_);
          wend = std::min(wend, width_);
          const Dtype share = top_diff[ph * pooled_width_ + pw] / pool_size;
          for (int h = hstart; h < hend; ++h) {
            for (int w = wstart; w < wend; ++w) bottom_diff[h * width_ + w] += share;
          }
        }
      }
      bottom_diff += plane_size;
      top_diff += pooled_plane;
    }
    return;
  }
  // MAX and STOCHASTIC (TRAIN): route each output's gradient to the input it
  // took its value from.
  const int* selected = selected_.data();
  for (int plane = 0; plane < num_ * channels_; ++plane) {
    for (int out = 0; out < pooled_plane; ++out) {
      if (selected[out] >= 0) bottom_diff[selected[out]] += top_diff[out];
    }
    bottom_diff += plane_size;
    top_diff += pooled_plane;
    selected += pooled_plane;
  }
}

INSTANTIATE_CLASS(PoolingLayer);
// Registered in layer_engines.cpp, which chooses between this and oneDNN.

}  // namespace caffe
