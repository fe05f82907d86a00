// PoolingLayer<Dtype> (type "Pooling"): pools each channel of a 4-D
// (num, channels, height, width) bottom over square or rectangular windows.
//
// pooling_param: pool = MAX | AVE | STOCHASTIC; kernel_size or kernel_h and
// kernel_w (or global_pooling: the whole image); pad / pad_h,pad_w and
// stride / stride_h,stride_w; round_mode CEIL (default) or FLOOR for the
// output extent ceil_or_floor((in + 2 * pad - kernel) / stride) + 1, less one
// when padding would make the last window start outside the image.
// - MAX: an optional second top receives, for every output, the flat index
//   (h * width + w) within its channel of the selected input; ties keep the
//   first in row-major order.
// - AVE: divides by the window's size clipped to the padded image (padding
//   cells count, cells past the padding do not).
// - STOCHASTIC (no padding): in TRAIN, each output is one input of its window
//   drawn with probability proportional to its (non-negative) activation,
//   using the calling thread's RNG; in TEST, the activation-weighted mean
//   sum(x^2) / sum(x).
// Owns only its index buffers. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class PoolingLayer : public Layer<Dtype> {
 public:
  explicit PoolingLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Pooling"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int MinTopBlobs() const override { return 1; }
  // MAX pooling can also output the argmax mask.
  int MaxTopBlobs() const override {
    return this->layer_param_.pooling_param().pool() == PoolingParameter_PoolMethod_MAX ? 2 : 1;
  }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  void ForwardMax(const Dtype* bottom_data, Dtype* top_data, Dtype* top_mask);
  void ForwardAve(const Dtype* bottom_data, Dtype* top_data);
  void ForwardStochasticTrain(const Dtype* bottom_data, Dtype* top_data);
  void ForwardStochasticTest(const Dtype* bottom_data, Dtype* top_data);
  // Over the window [hstart, hend) x [wstart, wend) of one plane:
  // *sum = FLT_MIN + sum(x) (FLT_MIN keeps an all-zero window finite, as
  // upstream) and *sum_sq = sum(x^2).
  void StochasticWindowSums(const Dtype* plane, int hstart, int hend, int wstart, int wend,
                            Dtype* sum, Dtype* sum_sq) const;
  void BackwardStochasticTest(const Dtype* top_diff, const Dtype* bottom_data,
                              Dtype* bottom_diff);

 protected:  // read by the oneDNN subclass
  int kernel_h_ = 0, kernel_w_ = 0;
  int stride_h_ = 1, stride_w_ = 1;
  int pad_h_ = 0, pad_w_ = 0;
  int num_ = 0, channels_ = 0;
  int height_ = 0, width_ = 0;
  int pooled_height_ = 0, pooled_width_ = 0;
  bool global_pooling_ = false;
  // MAX: the selected index within its channel of each output.
  // STOCHASTIC in TRAIN: the same for the sampled input.
  vector<int> selected_;
};

}  // namespace caffe
