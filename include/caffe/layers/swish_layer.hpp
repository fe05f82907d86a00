// SwishLayer: y = x * sigmoid(beta * x) (swish_param.beta, default 1).
// In place is allowed (the gradient needs only y and the sigmoid, which the
// layer keeps). Owns an internal SigmoidLayer and its two buffers.
#pragma once

#include <memory>

#include "caffe/layers/neuron_layer.hpp"
#include "caffe/layers/sigmoid_layer.hpp"

namespace caffe {

template <typename Dtype>
class SwishLayer : public NeuronLayer<Dtype> {
 public:
  explicit SwishLayer(const LayerParameter& param);
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Swish"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  std::unique_ptr<SigmoidLayer<Dtype>> sigmoid_layer_;
  Blob<Dtype> sigmoid_input_;   // beta * x
  Blob<Dtype> sigmoid_output_;  // sigmoid(beta * x)
  vector<Blob<Dtype>*> sigmoid_bottom_vec_;
  vector<Blob<Dtype>*> sigmoid_top_vec_;
};

}  // namespace caffe
