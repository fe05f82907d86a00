// BatchNorm through oneDNN's batch normalization primitives; see
// dnnl_layers.hpp. With batch statistics oneDNN computes the mean and the
// biased variance, normalises with them, and this layer folds them into the
// running sums exactly as the reference does. With global statistics the
// stored estimates go in; the backward pass of BatchNorm alone is then a
// per-channel scaling, which the reference path computes.
//
// Fused with the following Scale (and ReLU), the same primitive applies the
// Scale's per-channel factor and bias (use_scale, use_shift) and the ReLU
// (fuse_norm_relu, which keeps the ReLU's mask in a workspace for the
// backward pass), so the three layers make one pass over the data instead
// of three, forward and backward.
//
// The primitives run on the channel-blocked layout (BlockedDesc): on the
// plain one oneDNN has only generic code, five times slower than the two
// reorders. The blocked copy of the bottom is also the x that the backward
// pass needs, so an in-place layer keeps nothing else.
#include <cmath>
#include <unordered_map>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlBatchNormLayer::Primitives {
  // Bottom shape, statistics mode, fusion and thread count the primitives were made for.
  Dims key;
  memory::desc plain, blocked;
  dnnl::normalization_flags flags;
  dnnl::batch_normalization_forward::primitive_desc forward_pd;
  dnnl::batch_normalization_forward forward;
  Operand src, dst;
  memory x;  // the last forward pass's bottom, blocked
  Blob<float> saved_input;  // x when the blocked layout is the plain one and the layer runs in place
  memory mean, variance;
  memory workspace;  // the fused ReLU's mask
  bool backward_ready = false;
  dnnl::batch_normalization_backward backward;
  Operand diff_dst, diff_src;
  memory diff_scale, diff_shift;  // the fused Scale's gradients of one pass
};

DnnlBatchNormLayer::DnnlBatchNormLayer(const LayerParameter& param)
    : BatchNormLayer<float>(param), primitives_(new Primitives) {}

DnnlBatchNormLayer::~DnnlBatchNormLayer() = default;

void DnnlBatchNormLayer::FuseScale(Layer<float>* scale, bool relu) {
  scale_ = scale;
  relu_ = relu;
  primitives_->key.clear();
}

void DnnlBatchNormLayer::Unfuse() {
  scale_ = nullptr;
  relu_ = false;
  primitives_->key.clear();
}

void DnnlBatchNormLayer::Reshape(const vector<Blob<float>*>& bottom,
                                 const vector<Blob<float>*>& top) {
  BatchNormLayer<float>::Reshape(bottom, top);
  active_ = true;
  Primitives& p = *primitives_;
  const bool shift = fused() && scale_->blobs().size() > 1;
  Dims key(bottom[0]->shape().begin(), bottom[0]->shape().end());
  key.insert(key.end(), {this->use_global_stats_, fused(), shift, relu_, UseBlasThreads()});
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  const Dims dims{this->num_, this->channels_, this->spatial_dim_, 1};
  p.plain = PlainDesc(dims);
  p.blocked = BlockedDesc(dims);
  using Flags = dnnl::normalization_flags;
  p.flags = this->use_global_stats_ ? Flags::use_global_stats : Flags::none;
  if (fused()) p.flags = p.flags | Flags::use_scale;
  if (shift) p.flags = p.flags | Flags::use_shift;
  if (relu_) p.flags = p.flags | Flags::fuse_norm_relu;
  p.forward_pd = dnnl::batch_normalization_forward::primitive_desc(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, p.blocked,
                                              this->eps_, p.flags),
      CpuEngine());
  p.forward = dnnl::batch_normalization_forward(p.forward_pd);
  p.src.Init(p.plain, p.blocked);
  p.dst.Init(p.plain, p.blocked);
  p.mean = memory(p.forward_pd.mean_desc(), CpuEngine());
  p.variance = memory(p.forward_pd.variance_desc(), CpuEngine());
  p.workspace = relu_ ? memory(p.forward_pd.workspace_desc(), CpuEngine()) : memory();
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
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p.x},
                                       {DNNL_ARG_DST, p.dst.Out(top_data)},
                                       {DNNL_ARG_MEAN, p.mean},
                                       {DNNL_ARG_VARIANCE, p.variance}};
  if (fused()) {
    const memory::desc per_channel = p.forward_pd.weights_desc();
    args[DNNL_ARG_SCALE] = Wrap(per_channel, scale_->blobs()[0]->cpu_data());
    if (scale_->blobs().size() > 1) {
      args[DNNL_ARG_SHIFT] = Wrap(per_channel, scale_->blobs()[1]->cpu_data());
    }
  }
  if (relu_) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.forward.execute(ThreadStream(), args);
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
  // The fusion pass fuses only where the bottom takes a gradient whenever
  // the absorbed layers' parameters do.
  if (!propagate_down[0]) return;
  if (this->use_global_stats_ && !fused()) {
    return BatchNormLayer<float>::Backward_cpu(top, propagate_down, bottom);
  }
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    const dnnl::batch_normalization_backward::primitive_desc backward_pd(
        dnnl::batch_normalization_backward::desc(
            fused() ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data, p.blocked,
            p.blocked, this->eps_, p.flags),
        CpuEngine(), p.forward_pd);
    p.backward = dnnl::batch_normalization_backward(backward_pd);
    p.diff_dst.Init(p.plain, backward_pd.diff_dst_desc());
    p.diff_src.Init(p.plain, backward_pd.diff_src_desc());
    if (fused()) {
      p.diff_scale = memory(backward_pd.diff_weights_desc(), CpuEngine());
      p.diff_shift = memory(backward_pd.diff_weights_desc(), CpuEngine());
    }
    p.backward_ready = true;
  }
  // In place the top diff is the bottom diff: it is read (reordered) before
  // the result is written back.
  float* bottom_diff = bottom[0]->mutable_cpu_diff();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, p.x},
      {DNNL_ARG_MEAN, p.mean},
      {DNNL_ARG_VARIANCE, p.variance},
      {DNNL_ARG_DIFF_DST, p.diff_dst.In(top[0]->cpu_diff())},
      {DNNL_ARG_DIFF_SRC, p.diff_src.Out(bottom_diff)}};
  const bool shift = fused() && scale_->blobs().size() > 1;
  if (fused()) {
    const memory::desc per_channel = p.forward_pd.weights_desc();
    args[DNNL_ARG_SCALE] = Wrap(per_channel, scale_->blobs()[0]->cpu_data());
    args[DNNL_ARG_DIFF_SCALE] = p.diff_scale;
    if (shift) {
      args[DNNL_ARG_SHIFT] = Wrap(per_channel, scale_->blobs()[1]->cpu_data());
      args[DNNL_ARG_DIFF_SHIFT] = p.diff_shift;
    }
  }
  if (relu_) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.backward.execute(ThreadStream(), args);
  p.diff_src.WriteBack(bottom_diff);
  if (!fused()) return;
  // Parameter gradients accumulate (the solver clears them), as the Scale
  // layer's own backward pass does.
  const memory* gradients[2] = {&p.diff_scale, &p.diff_shift};
  for (int i = 0; i < (shift ? 2 : 1); ++i) {
    if (!scale_->param_propagate_down(i)) continue;
    const float* gradient = static_cast<const float*>(gradients[i]->get_data_handle());
    float* diff = scale_->blobs()[i]->mutable_cpu_diff();
    for (int c = 0; c < this->channels_; ++c) diff[c] += gradient[c];
  }
}

}  // namespace caffe
