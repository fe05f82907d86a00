// LSTMUnitLayer (type "LSTMUnit"): one LSTM time step, the cell update that
// LSTMLayer's unrolled net applies at every step.
//
// Bottoms: c_prev (1, N, D), gate pre-activations (1, N, 4D) laid out as
// [i' f' o' g'] per stream, cont (1, N). Tops: c (1, N, D), h (1, N, D):
//   i = sigmoid(i'), o = sigmoid(o'), g = tanh(g'),
//   f = 0 when cont is 0, else cont * sigmoid(f'),
//   c = f * c_prev + i * g,   h = o * tanh(c).
// No gradient to cont. Keeps the gate activations of the last Forward for
// Backward. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class LSTMUnitLayer : public Layer<Dtype> {
 public:
  explicit LSTMUnitLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "LSTMUnit"; }
  int ExactNumBottomBlobs() const override { return 3; }
  int ExactNumTopBlobs() const override { return 2; }
  bool AllowForceBackward(int bottom_index) const override { return bottom_index != 2; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  int hidden_dim_ = 0;
  // Gate activations [i f o g] of the last Forward, shaped like bottom 1.
  Blob<Dtype> gate_acts_;
};

}  // namespace caffe
