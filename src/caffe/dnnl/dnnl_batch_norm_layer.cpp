// BatchNorm through oneDNN's batch normalization primitives (no scale or
// shift, as Caffe's layer); see dnnl_layers.hpp. With batch statistics oneDNN
// computes the mean and the biased variance, normalises with them, and this
// layer folds them into the running sums exactly as the reference does. With
// global statistics the stored estimates go in; the backward pass is then a
// per-channel scaling, which the reference path computes.
//
// The primitives run on the channel-blocked layout (BlockedDesc): on the
// plain one oneDNN has only generic code, five times slower than the two
// reorders. The blocked copy of the bottom is also the x that the backward
// pass needs, so an in-place layer keeps nothing else.
#include <cmath>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlBatchNormLayer::Primitives {
  Dims key;  // bottom shape, statistics mode and thread count the primitives were made for
  memory::desc plain, blocked;
  dnnl::normalization_flags flags;
  dnnl::batch_normalization_forward::primitive_desc forward_pd;
  dnnl::batch_normalization_forward forward;
  Operand src, dst;
  memory x;  // the last forward pass's bottom, blocked
  Blob<float> saved_input;  // x when the blocked layout is the plain one and the layer runs in place
  memory mean, variance;
  bool backward_ready = false;
  dnnl::batch_normalization_backward backward;
  Operand diff_dst, diff_src;
};

DnnlBatchNormLayer::DnnlBatchNormLayer(const LayerParameter& param)
    : BatchNormLayer<float>(param), primitives_(new Primitives) {}

DnnlBatchNormLayer::~DnnlBatchNormLayer() = default;

void DnnlBatchNormLayer::Reshape(const vector<Blob<float>*>& bottom,
                                 const vector<Blob<float>*>& top) {
  BatchNormLayer<float>::Reshape(bottom, top);
  active_ = true;
  Primitives& p = *primitives_;
  Dims key(bottom[0]->shape().begin(), bottom[0]->shape().end());
  key.push_back(this->use_global_stats_);
  key.push_back(UseBlasThreads());
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  const Dims dims{this->num_, this->channels_, this->spatial_dim_, 1};
  p.plain = PlainDesc(dims);
  p.blocked = BlockedDesc(dims);
  p.flags = this->use_global_stats_ ? dnnl::normalization_flags::use_global_stats
                                    : dnnl::normalization_flags::none;
  p.forward_pd = dnnl::batch_normalization_forward::primitive_desc(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, p.blocked,
                                              this->eps_, p.flags),
      CpuEngine());
  p.forward = dnnl::batch_normalization_forward(p.forward_pd);
  p.src.Init(p.plain, p.blocked);
  p.dst.Init(p.plain, p.blocked);
  p.mean = memory(p.forward_pd.mean_desc(), CpuEngine());
  p.variance = memory(p.forward_pd.variance_desc(), CpuEngine());
}

void DnnlBatchNormLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                     const vector<Blob<float>*>& top) {
  Primitives& p = *primitives_;
  UseBlasThreads();
  float* mean = static_cast<float*>(p.mean.get_data_handle());
  float* variance = static_cast<float*>(p.variance.get_data_handle());
  const int channels = this->channels_;
  if (this->use_global_stats_) {
    const float factor = this->blobs_[2]->cpu_data()[0];
    const float scale = factor == 0 ? 0.0f : 1.0f / factor;
    for (int c = 0; c < channels; ++c) {
      mean[c] = scale * this->blobs_[0]->cpu_data()[c];
      variance[c] = scale * this->blobs_[1]->cpu_data()[c];
    }
  }
  p.x = p.src.In(bottom[0]->cpu_data());
  if (p.src.passes_through() && bottom[0] == top[0]) {
    // A layout that happens to be the plain one (one cell per channel and
    // image): the top overwrites x, which the backward pass needs.
    p.saved_input.ReshapeLike(*bottom[0]);
    caffe_copy(bottom[0]->count(), bottom[0]->cpu_data(), p.saved_input.mutable_cpu_data());
    p.x = Wrap(p.plain, p.saved_input.cpu_data());
  }
  float* top_data = top[0]->mutable_cpu_data();
  p.forward.execute(ThreadStream(), {{DNNL_ARG_SRC, p.x},
                                     {DNNL_ARG_DST, p.dst.Out(top_data)},
                                     {DNNL_ARG_MEAN, p.mean},
                                     {DNNL_ARG_VARIANCE, p.variance}});
  p.dst.WriteBack(top_data);
  if (!this->use_global_stats_) {
    float* factor = this->blobs_[2]->mutable_cpu_data();
    factor[0] = factor[0] * this->moving_average_fraction_ + 1;
    // The stored variance is corrected to the unbiased estimate.
    const int m = bottom[0]->count() / channels;
    const float correction = m > 1 ? float(m) / (m - 1) : 1.0f;
    float* mean_sum = this->blobs_[0]->mutable_cpu_data();
    float* variance_sum = this->blobs_[1]->mutable_cpu_data();
    for (int c = 0; c < channels; ++c) {
      mean_sum[c] = this->moving_average_fraction_ * mean_sum[c] + mean[c];
      variance_sum[c] = this->moving_average_fraction_ * variance_sum[c] + correction * variance[c];
    }
  }
  // What the reference backward pass reads.
  for (int c = 0; c < channels; ++c) {
    this->mean_[c] = mean[c];
    this->stddev_[c] = std::sqrt(variance[c] + this->eps_);
  }
}

void DnnlBatchNormLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<float>*>& bottom) {
  if (!propagate_down[0]) return;
  if (this->use_global_stats_) return BatchNormLayer<float>::Backward_cpu(top, propagate_down, bottom);
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    const dnnl::batch_normalization_backward::primitive_desc backward_pd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward_data, p.blocked,
                                                 p.blocked, this->eps_, p.flags),
        CpuEngine(), p.forward_pd);
    p.backward = dnnl::batch_normalization_backward(backward_pd);
    p.diff_dst.Init(p.plain, backward_pd.diff_dst_desc());
    p.diff_src.Init(p.plain, backward_pd.diff_src_desc());
    p.backward_ready = true;
  }
  // In place the top diff is the bottom diff: it is read (reordered) before
  // the result is written back.
  float* bottom_diff = bottom[0]->mutable_cpu_diff();
  p.backward.execute(ThreadStream(), {{DNNL_ARG_SRC, p.x},
                                      {DNNL_ARG_MEAN, p.mean},
                                      {DNNL_ARG_VARIANCE, p.variance},
                                      {DNNL_ARG_DIFF_DST, p.diff_dst.In(top[0]->cpu_diff())},
                                      {DNNL_ARG_DIFF_SRC, p.diff_src.Out(bottom_diff)}});
  p.diff_src.WriteBack(bottom_diff);
}

}  // namespace caffe
