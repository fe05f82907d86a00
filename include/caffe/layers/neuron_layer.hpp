// NeuronLayer<Dtype>: base of the element-wise layers (ReLU, Sigmoid, Power,
// Dropout, ...). One bottom, one top of the same shape; the top may be the
// bottom itself (in-place computation).
//
// Some gradients need the original input x, which an in-place forward pass
// overwrites. Such layers call SaveInputIfInPlace() at the start of
// Forward_cpu and read x back through ForwardInput() in Backward_cpu; the
// copy is kept only when the layer actually runs in place.
//
// Not thread-safe, like every layer.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class NeuronLayer : public Layer<Dtype> {
 public:
  explicit NeuronLayer(const LayerParameter& param) : Layer<Dtype>(param) {}

  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  static bool InPlace(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) {
    return bottom[0] == top[0];
  }
  void SaveInputIfInPlace(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top);
  // The input the last forward pass saw: the saved copy when in place,
  // otherwise the bottom's data.
  const Dtype* ForwardInput(const vector<Blob<Dtype>*>& bottom,
                            const vector<Blob<Dtype>*>& top) const;

  Blob<Dtype> saved_input_;
};

}  // namespace caffe
