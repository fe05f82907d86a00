// Im2colLayer<Dtype> (type "Im2col"): exposes the convolution lowering as a
// layer. For each item of the batch (all axes before convolution_param.axis)
// the top holds the column matrix: channels * prod(kernel) rows by the
// convolution's output positions, laid out as top shape
// (batch axes..., channels * prod(kernel), output spatial extents...).
// Uses the kernel/pad/stride/dilation/axis/force_nd_im2col fields of
// convolution_param; owns nothing but its geometry. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class Im2colLayer : public Layer<Dtype> {
 public:
  explicit Im2colLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Im2col"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  bool UseFast2d() const { return !force_nd_im2col_ && num_spatial_axes_ == 2; }

  vector<int> kernel_shape_;
  vector<int> stride_;
  vector<int> pad_;
  vector<int> dilation_;
  // Channels then spatial extents, of the image and of the columns.
  vector<int> im_shape_;
  vector<int> col_shape_;
  int channel_axis_ = 1;
  int num_spatial_axes_ = 0;
  int num_ = 0;
  int channels_ = 0;
  int bottom_dim_ = 0;
  int top_dim_ = 0;
  bool force_nd_im2col_ = false;
};

}  // namespace caffe
