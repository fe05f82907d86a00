// RNNLayer (type "RNN"): a simple (Elman) recurrent network over T time steps,
// unrolled by RecurrentLayer. For each step t = 1..T, with D = num_output:
//   h_t = tanh(W_hh (cont_t * h_{t-1}) + W_xh x_t + b_h [+ W_xh_static x_static])
//   o_t = tanh(W_ho h_t + b_o)
// The top is o (T, N, D). The recurrent state is h: initial "h_0", final
// "h_T", each (1, N, D). x_t is flattened from axis 2, x_static from axis 1.
//
// Parameter blobs, in upstream Caffe's order (so its .caffemodels load):
//   W_xh (D, x dim), b_h (D), [W_xh_static (D, x_static dim)], W_hh (D, D),
//   W_ho (D, D), b_o (D).
// Weights use recurrent_param.weight_filler, biases bias_filler.
#pragma once

#include <string>
#include <vector>

#include "caffe/layers/recurrent_layer.hpp"

namespace caffe {

template <typename Dtype>
class RNNLayer : public RecurrentLayer<Dtype> {
 public:
  explicit RNNLayer(const LayerParameter& param) : RecurrentLayer<Dtype>(param) {}
  const char* type() const override { return "RNN"; }

 protected:
  void FillUnrolledNet(NetParameter* net_param) const override;
  void RecurrentInputBlobNames(vector<string>* names) const override;
  void RecurrentInputShapes(vector<BlobShape>* shapes) const override;
  void RecurrentOutputBlobNames(vector<string>* names) const override;
  void OutputBlobNames(vector<string>* names) const override;
};

}  // namespace caffe
