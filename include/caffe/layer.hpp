// Layer<Dtype>: the unit of computation of a Net.
//
// A layer is built from its LayerParameter, then SetUp() once with its bottom
// (input) and top (output) blobs, after which Forward()/Backward() may run any
// number of times; Reshape() is called again whenever the bottoms' shapes may
// have changed. A layer owns its parameter blobs (blobs()); it never owns its
// bottoms or tops, which belong to the Net.
//
// Not thread-safe: a layer instance is used by one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
class Layer {
 public:
  explicit Layer(const LayerParameter& param);
  virtual ~Layer() = default;
  DISABLE_COPY_AND_ASSIGN(Layer);

  // Checks the blob counts, runs LayerSetUp and Reshape, and records the loss
  // weights of the tops. Throws ConfigError/ShapeError naming this layer.
  void SetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top);

  // Layer-specific one-time setup: read parameters, create parameter blobs.
  virtual void LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                          const vector<Blob<Dtype>*>& top) {}
  // Shapes the tops (and internal buffers) from the bottoms' shapes.
  virtual void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) = 0;

  // Runs the forward pass and returns the weighted loss of this layer's tops.
  Dtype Forward(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top);
  // Computes bottom diffs for the bottoms with propagate_down set, and
  // accumulates parameter diffs for parameters with param_propagate_down.
  void Backward(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                const vector<Blob<Dtype>*>& bottom);

  vector<shared_ptr<Blob<Dtype>>>& blobs() { return blobs_; }
  const LayerParameter& layer_param() const { return layer_param_; }
  // Writes the parameter (with current blob values) into `param`.
  virtual void ToProto(LayerParameter* param, bool write_diff = false);

  Dtype loss(int top_index) const {
    return (static_cast<int>(loss_.size()) > top_index) ? loss_[top_index] : Dtype(0);
  }
  void set_loss(int top_index, Dtype value);

  virtual const char* type() const { return ""; }

  // Blob-count contracts; -1 means "no constraint".
  virtual int ExactNumBottomBlobs() const { return -1; }
  virtual int MinBottomBlobs() const { return -1; }
  virtual int MaxBottomBlobs() const { return -1; }
  virtual int ExactNumTopBlobs() const { return -1; }
  virtual int MinTopBlobs() const { return -1; }
  virtual int MaxTopBlobs() const { return -1; }
  virtual bool EqualNumBottomTopBlobs() const { return false; }
  // When true the Net creates anonymous tops up to the minimum/exact count.
  virtual bool AutoTopBlobs() const { return false; }
  // False for bottoms that cannot receive a gradient (e.g. labels).
  virtual bool AllowForceBackward(int bottom_index) const { return true; }

  bool param_propagate_down(int param_id) const {
    return param_id < static_cast<int>(param_propagate_down_.size()) &&
           param_propagate_down_[param_id];
  }
  void set_param_propagate_down(int param_id, bool value);

  // Called when training resumes from a snapshot: a layer that streams data
  // (a database reader) moves on as if `passes` forward passes had run, so a
  // resumed run sees the same records as an uninterrupted one.
  virtual void SkipForwardPasses(int64_t passes) {}

  // "layer 'conv1' (Convolution)", for error messages.
  string Describe() const;

  // Set by the Net when the layer named `head` computes this layer's function
  // together with its own (a fused group, see src/caffe/net_fusion.cpp):
  // Forward and Backward then do nothing, whoever calls them. Empty: not
  // absorbed. The parameter blobs stay here; the head reads them and writes
  // their diffs.
  void set_fused_into(const string& head) { fused_into_ = head; }
  const string& fused_into() const { return fused_into_; }

 protected:
  virtual void Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                           const vector<Blob<Dtype>*>& top) = 0;
  virtual void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                            const vector<Blob<Dtype>*>& bottom) = 0;

  void CheckBlobCounts(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top);
  // Stores each top's loss weight in its diff, where Net::Backward finds it.
  void SetLossWeights(const vector<Blob<Dtype>*>& top);

  LayerParameter layer_param_;
  Phase phase_;
  vector<shared_ptr<Blob<Dtype>>> blobs_;
  vector<bool> param_propagate_down_;
  vector<Dtype> loss_;

 private:
  string fused_into_;
};

}  // namespace caffe
