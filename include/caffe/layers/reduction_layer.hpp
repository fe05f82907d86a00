// ReductionLayer: reduces all axes from reduction_param.axis (default 0)
// to the end into one number per leading index, then multiplies by coeff
// (default 1). Operations: SUM, ASUM (sum of |x|), SUMSQ (sum of x^2) and
// MEAN. E.g. N x C x H x W with axis 1 -> a top of shape N; with axis 0 the
// top is a scalar (no axes). The ASUM gradient at 0 is 0.
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class ReductionLayer : public Layer<Dtype> {
 public:
  explicit ReductionLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Reduction"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  ReductionParameter::ReductionOp op_ = ReductionParameter::SUM;
  // coeff, divided by dim_ for MEAN.
  Dtype coeff_ = 1;
  // Number of reductions (the top's count) and elements per reduction.
  int num_ = 0;
  int dim_ = 0;
};

}  // namespace caffe
