// RecurrentLayer: the common machinery of the recurrent layers (RNN, LSTM),
// which run a sequence through a network "unrolled" over its time steps.
//
// Bottoms:
//   0  x     (T, N, ...)  T time steps of N independent streams.
//   1  cont  (T, N)       sequence continuation: 0 at the first step of a
//                         sequence (the hidden state is reset), 1 otherwise.
//   2  x_static (N, ...)  optional input seen unchanged at every time step.
//   then, with recurrent_param.expose_hidden, one bottom per recurrent state
//   (the initial state, shapes from RecurrentInputShapes()).
// Tops: the output sequence (T, N, num_output), then, with expose_hidden, the
// final recurrent states.
//
// LayerSetUp builds a NetParameter (FillUnrolledNet, supplied by the
// subclass), creates the unrolled Net from it and exposes the parameters
// that net owns as this layer's blobs(), in the order the unrolled net
// declares them. Without expose_hidden the final state of one Forward is the
// initial state of the next (a cont of 0 cuts it; Reset() zeroes it). With
// expose_hidden the initial state comes from the extra bottoms and the final
// state goes to the extra tops; as upstream, no gradient flows through these
// exposed states, nor from one batch to the next. T must stay fixed after
// set-up; N may change.
//
// Ownership: the layer owns its unrolled net; blobs() alias that net's
// parameter blobs. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "caffe/layer.hpp"
#include "caffe/net.hpp"

namespace caffe {

template <typename Dtype>
class RecurrentLayer : public Layer<Dtype> {
 public:
  explicit RecurrentLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Zeroes the carried-over hidden state (used when expose_hidden is off).
  virtual void Reset();

  const char* type() const override { return "Recurrent"; }
  int MinBottomBlobs() const override;
  int MaxBottomBlobs() const override { return MinBottomBlobs() + 1; }
  int ExactNumTopBlobs() const override;
  // The continuation indicators get no gradient.
  bool AllowForceBackward(int bottom_index) const override { return bottom_index != 1; }

  // The unrolled network, for inspection.
  const Net<Dtype>& unrolled_net() const { return *unrolled_net_; }

 protected:
  // Appends the recurrence's layers to `net_param`, which already has an
  // Input layer with tops "x", "cont" and (with a static input) "x_static".
  virtual void FillUnrolledNet(NetParameter* net_param) const = 0;
  // Names of the blobs holding the initial recurrent state in the unrolled
  // net, their shapes, and the matching final-state blobs (same order).
  virtual void RecurrentInputBlobNames(vector<string>* names) const = 0;
  virtual void RecurrentInputShapes(vector<BlobShape>* shapes) const = 0;
  virtual void RecurrentOutputBlobNames(vector<string>* names) const = 0;
  // Names of the unrolled net's blobs that become this layer's first tops.
  virtual void OutputBlobNames(vector<string>* names) const = 0;

  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

  // Number of time steps (fixed) and of independent streams.
  int T_ = 0;
  int N_ = 0;
  bool static_input_ = false;
  bool expose_hidden_ = false;

 private:
  // Re-aliases the unrolled net's shared parameters to their owners, which
  // may have been given new buffers from outside (weight sharing between
  // nets replaces the owners' buffers only).
  void ReshareUnrolledParams();

  shared_ptr<Net<Dtype>> unrolled_net_;
  // Index of the last layer before the pseudo-losses.
  int last_layer_index_ = 0;
  Blob<Dtype>* x_input_blob_ = nullptr;
  Blob<Dtype>* x_static_input_blob_ = nullptr;
  Blob<Dtype>* cont_input_blob_ = nullptr;
  vector<Blob<Dtype>*> recur_input_blobs_;
  vector<Blob<Dtype>*> recur_output_blobs_;
  vector<Blob<Dtype>*> output_blobs_;
  // Where the gradients of x / x_static go when their bottoms do not want one.
  Blob<Dtype> unwanted_x_diff_;
  Blob<Dtype> unwanted_static_diff_;
};

}  // namespace caffe
