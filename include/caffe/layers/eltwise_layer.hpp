// EltwiseLayer: combines two or more bottoms of identical shape element by
// element (eltwise_param.operation):
//  - PROD: the product. Backward uses the product of the other bottoms when
//    stable_prod_grad (default) is set, else top / bottom (wrong at zeros).
//  - SUM: sum_i coeff_i * bottom_i (coeff default 1, one per bottom if given).
//  - MAX: the maximum; the gradient goes to the bottom that won, recorded in
//    an index mask during Forward. As upstream, bottom 1 wins a tie with
//    bottom 0, and a later bottom wins only when strictly larger.
// May run in place (the top being one of the bottoms): the result is then
// computed aside, and that bottom's input (for PROD) and the top diff are
// kept so Backward stays exact.
//
// Ownership: the layer owns its MAX index mask and in-place buffers.
// Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class EltwiseLayer : public Layer<Dtype> {
 public:
  explicit EltwiseLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Eltwise"; }
  int MinBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

  EltwiseParameter::EltwiseOp op_ = EltwiseParameter::SUM;
  vector<Dtype> coeffs_;
  // For MAX: which bottom supplied each top element.
  vector<int> max_idx_;
  bool stable_prod_grad_ = true;
  // The bottom that is also the top, or -1; and the buffers in-place use needs.
  int in_place_bottom_ = -1;
  vector<Dtype> result_;
  vector<Dtype> saved_input_;
  vector<Dtype> saved_top_diff_;
};

}  // namespace caffe
