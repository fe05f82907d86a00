// PReLULayer: y = max(x, 0) + a_c * min(x, 0) with a learned slope a_c per
// channel (axis 1), or one slope for all channels when
// prelu_param.channel_shared. blobs()[0] holds the slopes (shape {C}, or a
// scalar when shared), filled by prelu_param.filler (default constant 0.25).
// Needs at least 2 axes. In place is allowed: the input is then saved for
// the backward pass.
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class PReLULayer : public NeuronLayer<Dtype> {
 public:
  explicit PReLULayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "PReLU"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // Index of the slope used by element i.
  int SlopeIndex(int i, int dim, int channels) const {
    return channel_shared_ ? 0 : (i / dim) % channels;
  }
  bool channel_shared_ = false;
};

}  // namespace caffe
