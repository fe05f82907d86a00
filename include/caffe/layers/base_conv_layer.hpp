// BaseConvolutionLayer<Dtype>: the machinery shared by Convolution and
// Deconvolution, which differ only in which side of the convolution is the
// bottom (reverse_dimensions()).
//
// Parameters (ConvolutionParameter, upstream Caffe's fields and defaults):
// num_output (> 0), kernel_size / pad / stride / dilation given once or once
// per spatial axis (or kernel_h/_w, pad_h/_w, stride_h/_w for 2-D), group
// (divides both channels and num_output), bias_term, axis (the channel axis;
// every later axis is spatial), force_nd_im2col (use the general N-D lowering
// even for 2-D). Parameter errors throw ConfigError naming the layer;
// incompatible bottoms throw ShapeError.
//
// Owns its parameter blobs: the weights, shaped
// (conv_out_channels, conv_in_channels / group, kernel...), and the bias
// (num_output) when bias_term. Also owns a column buffer reused by every
// call. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class BaseConvolutionLayer : public Layer<Dtype> {
 public:
  explicit BaseConvolutionLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  int MinBottomBlobs() const override { return 1; }
  int MinTopBlobs() const override { return 1; }
  bool EqualNumBottomTopBlobs() const override { return true; }

 protected:
  // Helpers over one item of the batch, in the convolution's own terms:
  // output = weights * lowered(input).
  void forward_cpu_gemm(const Dtype* input, const Dtype* weights, Dtype* output,
                        bool skip_im2col = false);
  void forward_cpu_bias(Dtype* output, const Dtype* bias);
  // input_diff = lowering^T(weights^T * output_diff).
  void backward_cpu_gemm(const Dtype* output, const Dtype* weights, Dtype* input);
  // weights_diff += output_diff * lowered(input)^T.
  void weight_cpu_gemm(const Dtype* input, const Dtype* output, Dtype* weights);
  void backward_cpu_bias(Dtype* bias, const Dtype* input);

  // Spatial extent i of the bottom.
  int input_shape(int i) const { return (*bottom_shape_)[channel_axis_ + i]; }
  // Convolution: bottom is the input. Deconvolution: the top is.
  virtual bool reverse_dimensions() const = 0;
  // Fills output_shape_ from the bottom's spatial extents.
  virtual void compute_output_shape() = 0;

  vector<int> kernel_shape_;
  vector<int> stride_;
  vector<int> pad_;
  vector<int> dilation_;
  // Channel count followed by the spatial extents of the convolution's input.
  vector<int> conv_input_shape_;
  // Rows, then spatial extents, of the column buffer.
  vector<int> col_buffer_shape_;
  vector<int> output_shape_;
  const vector<int>* bottom_shape_ = nullptr;

  int num_spatial_axes_ = 0;
  int bottom_dim_ = 0;
  int top_dim_ = 0;
  int channel_axis_ = 1;
  int num_ = 0;
  int channels_ = 0;
  int group_ = 1;
  int out_spatial_dim_ = 0;
  int weight_offset_ = 0;
  int num_output_ = 0;
  bool bias_term_ = true;
  bool is_1x1_ = false;
  bool force_nd_im2col_ = false;

 private:
  void conv_im2col_cpu(const Dtype* data, Dtype* col_buff);
  void conv_col2im_cpu(const Dtype* col_buff, Dtype* data);

  int conv_out_channels_ = 0;
  int conv_in_channels_ = 0;
  int conv_out_spatial_dim_ = 0;
  int kernel_dim_ = 0;
  int col_offset_ = 0;
  int output_offset_ = 0;

  Blob<Dtype> col_buffer_;
  Blob<Dtype> bias_multiplier_;
};

}  // namespace caffe
