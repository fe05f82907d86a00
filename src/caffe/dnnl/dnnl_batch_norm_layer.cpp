// BatchNorm through oneDNN's batch normalization primitives; see
// dnnl_layers.hpp. With batch statistics oneDNN computes the mean and the
// biased variance, normalises with them, and this layer folds them into the
// running sums exactly as the reference does. With global statistics the
// stored estimates go in; the backward pass of BatchNorm alone is then a
// per-channel scaling, which the reference path computes.
//
// Fused with the following Scale (and ReLU), the layer runs its own loops
// on the plain layout instead (fused_batch_norm.hpp says why): two passes
// over the blob each way for the three layers, where they took seven and
// nine unfused (with oneDNN's reorders) and the oneDNN primitive with scale,
// shift and fused ReLU still took seven and nine, being on the blocked layout.
//
// The primitives run on the channel-blocked layout (BlockedDesc): on the
// plain one oneDNN has only generic code, five times slower than the two
// reorders. The blocked copy of the bottom is also the x that the backward
// pass needs, so an in-place layer keeps nothing else.
#include <algorithm>
#include <cmath>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"
#include "caffe/dnnl/fused_batch_norm.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlBatchNormLayer::Primitives {
  // Bottom shape, statistics mode and thread count the primitives were made for.
  Dims key;
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

// The fused path's state between its forward and backward passes.
struct DnnlBatchNormLayer::Fused {
  Blob<float> x;  // the bottom of the last forward pass (the layer runs in place)
  // Per channel: the statistics used, and y = a x + b before the ReLU.
  vector<float> mean, variance, a, b;
  vector<double> sum_g, sum_gx;
  vector<float> k0, k1;
};

DnnlBatchNormLayer::DnnlBatchNormLayer(const LayerParameter& param)
    : BatchNormLayer<float>(param), primitives_(new Primitives), fused_(new Fused) {}

DnnlBatchNormLayer::~DnnlBatchNormLayer() = default;

void DnnlBatchNormLayer::FuseScale(Layer<float>* scale, bool relu, bool keep_input) {
  scale_ = scale;
  relu_ = relu;
  keep_input_ = keep_input;
}

void DnnlBatchNormLayer::Unfuse() {
  scale_ = nullptr;
  relu_ = false;
  fused_.reset(new Fused);  // frees the kept bottom
}

void DnnlBatchNormLayer::Reshape(const vector<Blob<float>*>& bottom,
                                 const vector<Blob<float>*>& top) {
  BatchNormLayer<float>::Reshape(bottom, top);
  active_ = true;
  if (fused()) return;
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

void DnnlBatchNormLayer::UseStoredStatistics(float* mean, float* variance) const {
  const float factor = this->blobs_[2]->cpu_data()[0];
  const float scale = factor == 0 ? 0.0f : 1.0f / factor;
  for (int c = 0; c < this->channels_; ++c) {
    mean[c] = scale * this->blobs_[0]->cpu_data()[c];
    variance[c] = scale * this->blobs_[1]->cpu_data()[c];
  }
}

void DnnlBatchNormLayer::Record(const float* mean, const float* variance, int count) {
  const int channels = this->channels_;
  if (!this->use_global_stats_) {
    float* factor = this->blobs_[2]->mutable_cpu_data();
    factor[0] = factor[0] * this->moving_average_fraction_ + 1;
    // The stored variance is corrected to the unbiased estimate.
    const int m = count / channels;
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

void DnnlBatchNormLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                     const vector<Blob<float>*>& top) {
  if (fused()) return ForwardFused(bottom, top);
  Primitives& p = *primitives_;
  UseBlasThreads();
  float* mean = static_cast<float*>(p.mean.get_data_handle());
  float* variance = static_cast<float*>(p.variance.get_data_handle());
  if (this->use_global_stats_) UseStoredStatistics(mean, variance);
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
  Record(mean, variance, bottom[0]->count());
}

void DnnlBatchNormLayer::ForwardFused(const vector<Blob<float>*>& bottom,
                                      const vector<Blob<float>*>& top) {
  UseBlasThreads();
  Fused& f = *fused_;
  const int channels = this->channels_;
  const fused_batch_norm::Shape shape{this->num_, channels, this->spatial_dim_};
  for (vector<float>* v : {&f.mean, &f.variance, &f.a, &f.b}) v->resize(channels);
  const float* x = bottom[0]->cpu_data();
  if (this->use_global_stats_) {
    UseStoredStatistics(f.mean.data(), f.variance.data());
  } else {
    fused_batch_norm::Statistics(shape, x, f.mean.data(), f.variance.data());
  }
  // y = gamma (x - mean) / sqrt(variance + eps) + beta = a x + b.
  // The Scale's own Reshape, which would check this, does not run while fused.
  for (const auto& blob : scale_->blobs()) {
    CAFFE_REQUIRE(blob->count() == channels, ShapeError, scale_->Describe(),
                  " (fused into this BatchNorm): its parameter shape ", blob->shape_string(),
                  " does not match the bottom's ", channels, " channels (shape ",
                  bottom[0]->shape_string(), ")");
  }
  const float* gamma = scale_->blobs()[0]->cpu_data();
  const float* beta = scale_->blobs().size() > 1 ? scale_->blobs()[1]->cpu_data() : nullptr;
  for (int c = 0; c < channels; ++c) {
    f.a[c] = gamma[c] / std::sqrt(f.variance[c] + this->eps_);
    f.b[c] = (beta ? beta[c] : 0.0f) - f.a[c] * f.mean[c];
  }
  float* saved = nullptr;
  if (keep_input_) {
    f.x.ReshapeLike(*bottom[0]);
    saved = f.x.mutable_cpu_data();
  }
  fused_batch_norm::Forward(shape, x, f.a.data(), f.b.data(), relu_, saved,
                            top[0]->mutable_cpu_data());
  Record(f.mean.data(), f.variance.data(), bottom[0]->count());
}

void DnnlBatchNormLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<float>*>& bottom) {
  // The fusion pass fuses only where the bottom takes a gradient whenever
  // the absorbed layers' parameters do.
  if (!propagate_down[0]) return;
  if (fused()) return BackwardFused(top, bottom);
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

void DnnlBatchNormLayer::BackwardFused(const vector<Blob<float>*>& top,
                                       const vector<Blob<float>*>& bottom) {
  CHECK(keep_input_) << "fused with no backward pass planned";
  UseBlasThreads();
  Fused& f = *fused_;
  const int channels = this->channels_;
  const fused_batch_norm::Shape shape{this->num_, channels, this->spatial_dim_};
  for (vector<double>* v : {&f.sum_g, &f.sum_gx}) v->resize(channels);
  for (vector<float>* v : {&f.k0, &f.k1}) v->resize(channels);
  const float* x = f.x.cpu_data();
  const float* top_diff = top[0]->cpu_diff();
  fused_batch_norm::Reduce(shape, top_diff, x, f.a.data(), f.b.data(), f.mean.data(), relu_,
                           f.sum_g.data(), f.sum_gx.data());
  // With g the gradient at the Scale's output, s = sqrt(variance + eps) and
  // M = count / channels: d beta = sum g, d gamma = sum g (x - mean) / s, and
  // with batch statistics dx = a (g - d beta / M - (x - mean) / s * d gamma / M);
  // with global ones (constants) dx = a g.
  const double m = double(bottom[0]->count()) / channels;
  const bool shift = scale_->blobs().size() > 1;
  float* gamma_diff =
      scale_->param_propagate_down(0) ? scale_->blobs()[0]->mutable_cpu_diff() : nullptr;
  float* beta_diff =
      shift && scale_->param_propagate_down(1) ? scale_->blobs()[1]->mutable_cpu_diff() : nullptr;
  for (int c = 0; c < channels; ++c) {
    const double s = std::sqrt(double(f.variance[c]) + this->eps_);
    // Parameter gradients accumulate (the solver clears them), as the Scale
    // layer's own backward pass does.
    if (gamma_diff) gamma_diff[c] += static_cast<float>(f.sum_gx[c] / s);
    if (beta_diff) beta_diff[c] += static_cast<float>(f.sum_g[c]);
    if (this->use_global_stats_) {
      f.k0[c] = f.k1[c] = 0;
    } else {
      f.k0[c] = static_cast<float>(-f.a[c] * f.sum_g[c] / m);
      f.k1[c] = static_cast<float>(-f.a[c] * f.sum_gx[c] / (m * s * s));
    }
  }
  fused_batch_norm::BackwardData(shape, top_diff, x, f.a.data(), f.b.data(), f.mean.data(),
                                 f.k0.data(), f.k1.data(), relu_, bottom[0]->mutable_cpu_diff());
}

}  // namespace caffe
