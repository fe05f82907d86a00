// LSTMLayer (type "LSTM"): a Long Short-Term Memory network over T time steps
// (without peephole connections), unrolled by RecurrentLayer. For each step
// t = 1..T, with D = num_output and gate pre-activations
//   [i'; f'; o'; g'] = W_hc (cont_t * h_{t-1}) + W_xc x_t + b_c [+ W_xc_static x_static]
// (4D values, in that gate order), an LSTMUnit computes
//   i = sigmoid(i'), f = sigmoid(f'), o = sigmoid(o'), g = tanh(g')
//   c_t = cont_t * f * c_{t-1} + i * g,   h_t = o * tanh(c_t).
// The top is h (T, N, D). The recurrent state is (h, c): initial "h_0",
// "c_0", final "h_T", "c_T", each (1, N, D) (exposed in that order).
//
// Parameter blobs, in upstream Caffe's order (so its .caffemodels load):
//   W_xc (4D, x dim), b_c (4D), [W_xc_static (4D, x_static dim)], W_hc (4D, D).
// Weights use recurrent_param.weight_filler, biases bias_filler.
#pragma once

#include <string>
#include <vector>

#include "caffe/layers/recurrent_layer.hpp"

namespace caffe {

template <typename Dtype>
class LSTMLayer : public RecurrentLayer<Dtype> {
 public:
  explicit LSTMLayer(const LayerParameter& param) : RecurrentLayer<Dtype>(param) {}
  const char* type() const override { return "LSTM"; }

 protected:
  void FillUnrolledNet(NetParameter* net_param) const override;
  void RecurrentInputBlobNames(vector<string>* names) const override;
  void RecurrentInputShapes(vector<BlobShape>* shapes) const override;
  void RecurrentOutputBlobNames(vector<string>* names) const override;
  void OutputBlobNames(vector<string>* names) const override;
};

}  // namespace caffe
