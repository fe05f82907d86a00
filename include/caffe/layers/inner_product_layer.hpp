// InnerProductLayer<Dtype> (type "InnerProduct"): a fully connected layer.
// The bottom is viewed as M x K with M = product of the axes before
// inner_product_param.axis (default 1) and K = product of the rest; the top
// is M x num_output, shaped as the bottom's leading axes followed by
// num_output. Weights are (num_output, K), or (K, num_output) with
// transpose: true; the bias (num_output) is added when bias_term.
// K is fixed at setup: a later bottom with another K throws ShapeError.
// Owns its parameter blobs. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class InnerProductLayer : public Layer<Dtype> {
 public:
  explicit InnerProductLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "InnerProduct"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 protected:  // read by the oneDNN subclass
  int M_ = 0;
  int K_ = 0;
  int N_ = 0;
  bool bias_term_ = true;
  bool transpose_ = false;
  Blob<Dtype> bias_multiplier_;
};

}  // namespace caffe
