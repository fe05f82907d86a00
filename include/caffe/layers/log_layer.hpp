// LogLayer: y = log_base(shift + scale * x) (log_param; base -1, the default,
// means e). A base that is not -1 must be positive and not 1 (ConfigError
// otherwise). In place is allowed: the input is then saved for the backward
// pass.
#pragma once

#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
class LogLayer : public NeuronLayer<Dtype> {
 public:
  explicit LogLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Log"; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Dtype base_scale_ = 1;  // 1 / ln(base)
  Dtype input_scale_ = 1;
  Dtype input_shift_ = 0;
  Dtype backward_num_scale_ = 1;  // scale / ln(base)
};

}  // namespace caffe
