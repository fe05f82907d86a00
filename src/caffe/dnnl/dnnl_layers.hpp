// Internal: the layers computed by oneDNN (only in builds with oneDNN; the
// layer creators in layer_engines.cpp make them for float nets whose layer
// engine resolves to ONEDNN).
//
// Each derives from the reference layer it replaces and keeps its
// parameters, parameter blobs and error messages; it changes only how
// Forward and Backward compute. When a shape or parameter is a case oneDNN
// cannot compute exactly as the reference does (docs/engine.md lists them),
// the layer runs the reference path for it instead; onednn_active() says
// which path the last Reshape chose, so tests can tell a real comparison
// from a reference-against-itself one.
//
// Blobs stay in Caffe's plain layout between layers; each layer moves its
// arguments into the layouts its primitives chose and back (dnnl_context.hpp).
// Owns its primitives and their buffers. Not thread-safe, like every layer.
#pragma once

#include <memory>
#include <vector>

#include "caffe/layers/batch_norm_layer.hpp"
#include "caffe/layers/conv_layer.hpp"
#include "caffe/layers/inner_product_layer.hpp"
#include "caffe/layers/lrn_layer.hpp"
#include "caffe/layers/pooling_layer.hpp"
#include "caffe/layers/relu_layer.hpp"
#include "caffe/layers/softmax_layer.hpp"

namespace caffe {

class OnednnPath {
 public:
  virtual ~OnednnPath() = default;
  bool onednn_active() const { return active_; }

 protected:
  bool active_ = false;
};

#define CAFFE_DECLARE_DNNL_LAYER(Name, Base)                                               \
  class Dnnl##Name##Layer : public Base<float>, public OnednnPath {                       \
   public:                                                                                \
    explicit Dnnl##Name##Layer(const LayerParameter& param);                              \
    ~Dnnl##Name##Layer() override;                                                        \
    void Reshape(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top)     \
        override;                                                                         \
                                                                                          \
   protected:                                                                             \
    void Forward_cpu(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top) \
        override;                                                                         \
    void Backward_cpu(const vector<Blob<float>*>& top, const vector<bool>& propagate_down, \
                      const vector<Blob<float>*>& bottom) override;                       \
                                                                                          \
   private:                                                                               \
    struct Primitives;                                                                    \
    std::unique_ptr<Primitives> primitives_;                                              \
  }

CAFFE_DECLARE_DNNL_LAYER(Convolution, ConvolutionLayer);
CAFFE_DECLARE_DNNL_LAYER(InnerProduct, InnerProductLayer);
CAFFE_DECLARE_DNNL_LAYER(Pooling, PoolingLayer);
CAFFE_DECLARE_DNNL_LAYER(LRN, LRNLayer);
CAFFE_DECLARE_DNNL_LAYER(ReLU, ReLULayer);
CAFFE_DECLARE_DNNL_LAYER(Softmax, SoftmaxLayer);

#undef CAFFE_DECLARE_DNNL_LAYER

// BatchNorm, which can also compute the learned per-channel Scale (with or
// without its bias) that follows it and an in-place ReLU after that, in one
// pass each way (fused_batch_norm.hpp). The net's fusion pass
// (src/caffe/net_fusion.cpp) decides when that is exact and marks the
// absorbed layers; their parameter blobs stay theirs: this layer reads them
// on every pass and adds their gradients to their diffs, only for the
// parameters whose param_propagate_down is set.
class DnnlBatchNormLayer : public BatchNormLayer<float>, public OnednnPath {
 public:
  explicit DnnlBatchNormLayer(const LayerParameter& param);
  ~DnnlBatchNormLayer() override;
  void Reshape(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top) override;

  // From the next pass on, also computes `scale` (a Scale layer with one
  // bottom and a per-channel scale over axis 1, in place on this layer's
  // top, which is its bottom; not owned) and, when `relu`, max(0, .) of its
  // output. `keep_input`: a backward pass may follow (the bottom is kept).
  void FuseScale(Layer<float>* scale, bool relu, bool keep_input);
  // Back to BatchNorm alone.
  void Unfuse();
  bool fused() const { return scale_ != nullptr; }

 protected:
  void Forward_cpu(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top) override;
  void Backward_cpu(const vector<Blob<float>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<float>*>& bottom) override;

 private:
  void ForwardFused(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top);
  void BackwardFused(const vector<Blob<float>*>& top, const vector<Blob<float>*>& bottom);
  // The running estimates, for global statistics.
  void UseStoredStatistics(float* mean, float* variance) const;
  // Folds batch statistics into the running sums (with batch statistics)
  // and keeps what the reference backward pass reads.
  void Record(const float* mean, const float* variance, int count);

  struct Primitives;
  std::unique_ptr<Primitives> primitives_;
  struct Fused;
  std::unique_ptr<Fused> fused_;
  Layer<float>* scale_ = nullptr;
  bool relu_ = false;
  bool keep_input_ = false;
};

}  // namespace caffe
