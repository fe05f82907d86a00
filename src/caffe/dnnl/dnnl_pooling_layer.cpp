// AVE pooling through oneDNN's pooling primitives; see dnnl_layers.hpp.
//
// Caffe's output extent (ceil rounding by default, less one when the last
// window would start in the padding) becomes an explicit right padding. The
// cases oneDNN cannot compute exactly as Caffe does run the reference path:
// - a window that would hold no input cell (a right padding of a kernel or more);
// - AVE with padding whose last window reaches past the padding: Caffe then
//   divides by the window clipped to the padded image, which neither of
//   oneDNN's divisors (the whole kernel, or the cells inside the image) is.
// MAX (and STOCHASTIC) pooling always runs the reference path: on Caffe's
// plain layout oneDNN 2.6's MAX primitives, with the workspace the backward
// pass needs, took 1.1x-3x the reference loops' time forward and 3x-5x
// backward on every MAX layer of the benchmark nets (docs/benchmarks.md).
#include <algorithm>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlPoolingLayer::Primitives {
  Dims key;  // bottom shape, output shape and thread count the primitives were made for
  dnnl::algorithm algorithm;
  Dims src_dims, dst_dims, strides, kernel, padding_l, padding_r;
  dnnl::pooling_forward::primitive_desc forward_pd;
  dnnl::pooling_forward forward;
  bool backward_ready = false;
  dnnl::pooling_backward backward;
};

DnnlPoolingLayer::DnnlPoolingLayer(const LayerParameter& param)
    : PoolingLayer<float>(param), primitives_(new Primitives) {}

DnnlPoolingLayer::~DnnlPoolingLayer() = default;

void DnnlPoolingLayer::Reshape(const vector<Blob<float>*>& bottom,
                               const vector<Blob<float>*>& top) {
  PoolingLayer<float>::Reshape(bottom, top);
  const auto pool = this->layer_param_.pooling_param().pool();
  // Right padding that gives Caffe's output extent: at least enough for the
  // last window, and never negative (floor rounding may leave input cells
  // past the last window unread, as in Caffe).
  const int right_h =
      std::max((this->pooled_height_ - 1) * this->stride_h_ + this->kernel_h_ - this->height_ -
                   this->pad_h_, 0);
  const int right_w =
      std::max((this->pooled_width_ - 1) * this->stride_w_ + this->kernel_w_ - this->width_ -
                   this->pad_w_, 0);
  const bool padded = this->pad_h_ > 0 || this->pad_w_ > 0;
  active_ = pool == PoolingParameter_PoolMethod_AVE && right_h < this->kernel_h_ &&
            right_w < this->kernel_w_ && !(padded && (right_h > this->pad_h_ || right_w > this->pad_w_));
  if (!active_) return;

  Primitives& p = *primitives_;
  Dims key{this->num_, this->channels_, this->height_, this->width_, this->pooled_height_,
           this->pooled_width_, UseBlasThreads()};
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  // Without padding every cell a window covers is inside the image, and the
  // divisor is the number of those cells; with padding (and no window past
  // it) it is the whole kernel.
  p.algorithm = padded ? dnnl::algorithm::pooling_avg_include_padding
                       : dnnl::algorithm::pooling_avg_exclude_padding;
  p.src_dims = {this->num_, this->channels_, this->height_, this->width_};
  p.dst_dims = {this->num_, this->channels_, this->pooled_height_, this->pooled_width_};
  p.strides = {this->stride_h_, this->stride_w_};
  p.kernel = {this->kernel_h_, this->kernel_w_};
  p.padding_l = {this->pad_h_, this->pad_w_};
  p.padding_r = {right_h, right_w};
  p.forward_pd = dnnl::pooling_forward::primitive_desc(
      dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, p.algorithm,
                                  PlainDesc(p.src_dims), PlainDesc(p.dst_dims), p.strides,
                                  p.kernel, p.padding_l, p.padding_r),
      CpuEngine());
  p.forward = dnnl::pooling_forward(p.forward_pd);
}

void DnnlPoolingLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                   const vector<Blob<float>*>& top) {
  if (!active_) return PoolingLayer<float>::Forward_cpu(bottom, top);
  Primitives& p = *primitives_;
  UseBlasThreads();
  p.forward.execute(ThreadStream(),
                    {{DNNL_ARG_SRC, Wrap(p.forward_pd.src_desc(), bottom[0]->cpu_data())},
                     {DNNL_ARG_DST, Wrap(p.forward_pd.dst_desc(), top[0]->mutable_cpu_data())}});
}

void DnnlPoolingLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<float>*>& bottom) {
  if (!active_) return PoolingLayer<float>::Backward_cpu(top, propagate_down, bottom);
  if (!propagate_down[0]) return;
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    p.backward = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(
        dnnl::pooling_backward::desc(p.algorithm, PlainDesc(p.src_dims), PlainDesc(p.dst_dims),
                                     p.strides, p.kernel, p.padding_l, p.padding_r),
        CpuEngine(), p.forward_pd));
    p.backward_ready = true;
  }
  p.backward.execute(
      ThreadStream(),
      {{DNNL_ARG_DIFF_DST, Wrap(PlainDesc(p.dst_dims), top[0]->cpu_diff())},
       {DNNL_ARG_DIFF_SRC, Wrap(PlainDesc(p.src_dims), bottom[0]->mutable_cpu_diff())}});
}

}  // namespace caffe
