#include "caffe/layers/base_conv_layer.hpp"

#include "caffe/filler.hpp"
#include "caffe/layers/conv_geometry.hpp"
#include "caffe/util/im2col.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                             const vector<Blob<Dtype>*>& top) {
  const ConvolutionParameter& conv_param = this->layer_param_.convolution_param();
  const string who = this->Describe();
  force_nd_im2col_ = conv_param.force_nd_im2col();
  channel_axis_ = bottom[0]->CanonicalAxisIndex(conv_param.axis());
  num_spatial_axes_ = bottom[0]->num_axes() - (channel_axis_ + 1);

  const ConvGeometry geometry = ConvGeometry::FromParam(conv_param, num_spatial_axes_, who);
  kernel_shape_ = geometry.kernel;
  stride_ = geometry.stride;
  pad_ = geometry.pad;
  dilation_ = geometry.dilation;
  is_1x1_ = geometry.IsPointwise();

  channels_ = bottom[0]->shape(channel_axis_);
  num_output_ = static_cast<int>(conv_param.num_output());
  CAFFE_REQUIRE(num_output_ > 0, ConfigError, who, ": num_output must be positive, got ",
                num_output_);
  group_ = static_cast<int>(conv_param.group());
  CAFFE_REQUIRE(group_ > 0, ConfigError, who, ": group must be positive, got ", group_);
  CAFFE_REQUIRE(channels_ % group_ == 0, ConfigError, who, ": input channels (", channels_,
                ") must be a multiple of group (", group_, ")");
  CAFFE_REQUIRE(num_output_ % group_ == 0, ConfigError, who, ": num_output (", num_output_,
                ") must be a multiple of group (", group_, ")");
  if (reverse_dimensions()) {
    conv_out_channels_ = channels_;
    conv_in_channels_ = num_output_;
  } else {
    conv_out_channels_ = num_output_;
    conv_in_channels_ = channels_;
  }

  vector<int> weight_shape{conv_out_channels_, conv_in_channels_ / group_};
  weight_shape.insert(weight_shape.end(), kernel_shape_.begin(), kernel_shape_.end());
  bias_term_ = conv_param.bias_term();
  const vector<int> bias_shape{num_output_};
  const size_t expected_blobs = bias_term_ ? 2 : 1;
  if (!this->blobs_.empty()) {
    CAFFE_REQUIRE(this->blobs_.size() == expected_blobs, ConfigError, who, " expects ",
                  expected_blobs, " parameter blobs, but was given ", this->blobs_.size());
    CAFFE_REQUIRE(this->blobs_[0]->shape() == weight_shape, ShapeError, who,
                  ": weights should have shape ", ShapeString(weight_shape), ", but have ",
                  this->blobs_[0]->shape_string());
    CAFFE_REQUIRE(!bias_term_ || this->blobs_[1]->shape() == bias_shape, ShapeError, who,
                  ": bias should have shape ", ShapeString(bias_shape), ", but has ",
                  this->blobs_[1]->shape_string());
  } else {
    // Weights are filled before the bias so a seeded run draws the same
    // numbers as upstream.
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>(weight_shape));
    GetFiller<Dtype>(conv_param.weight_filler())->Fill(this->blobs_[0].get());
    if (bias_term_) {
      this->blobs_.push_back(std::make_shared<Blob<Dtype>>(bias_shape));
      GetFiller<Dtype>(conv_param.bias_filler())->Fill(this->blobs_[1].get());
    }
  }
  kernel_dim_ = this->blobs_[0]->count(1);
  weight_offset_ = conv_out_channels_ * kernel_dim_ / group_;
  this->param_propagate_down_.assign(this->blobs_.size(), true);
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  const string who = this->Describe();
  const int first_spatial_axis = channel_axis_ + 1;
  CAFFE_REQUIRE(bottom[0]->num_axes() == first_spatial_axis + num_spatial_axes_, ShapeError,
                who, ": the bottom's number of axes may not change (was ",
                first_spatial_axis + num_spatial_axes_, ", now ", bottom[0]->shape_string(), ")");
  CAFFE_REQUIRE(bottom[0]->shape(channel_axis_) == channels_, ShapeError, who, ": bottom ",
                bottom[0]->shape_string(), " has ", bottom[0]->shape(channel_axis_),
                " channels on axis ", channel_axis_, ", but the layer was set up for ",
                channels_);
  for (size_t i = 1; i < bottom.size(); ++i) {
    CAFFE_REQUIRE(bottom[i]->shape() == bottom[0]->shape(), ShapeError, who,
                  ": all bottoms must have the same shape, but bottom 0 is ",
                  bottom[0]->shape_string(), " and bottom ", i, " is ",
                  bottom[i]->shape_string());
  }
  num_ = bottom[0]->count(0, channel_axis_);
  bottom_shape_ = &bottom[0]->shape();
  compute_output_shape();
  vector<int> top_shape(bottom[0]->shape().begin(), bottom[0]->shape().begin() + channel_axis_);
  top_shape.push_back(num_output_);
  top_shape.insert(top_shape.end(), output_shape_.begin(), output_shape_.end());
  for (Blob<Dtype>* t : top) t->Reshape(top_shape);

  conv_out_spatial_dim_ = reverse_dimensions() ? bottom[0]->count(first_spatial_axis)
                                               : top[0]->count(first_spatial_axis);
  col_offset_ = kernel_dim_ * conv_out_spatial_dim_;
  output_offset_ = conv_out_channels_ * conv_out_spatial_dim_ / group_;

  const Blob<Dtype>* conv_input = reverse_dimensions() ? top[0] : bottom[0];
  conv_input_shape_.assign(conv_input->shape().begin() + channel_axis_,
                           conv_input->shape().end());
  col_buffer_shape_.assign(1, kernel_dim_ * group_);
  for (int i = 0; i < num_spatial_axes_; ++i) {
    col_buffer_shape_.push_back(reverse_dimensions() ? input_shape(i + 1) : output_shape_[i]);
  }
  col_buffer_.Reshape(col_buffer_shape_);
  bottom_dim_ = bottom[0]->count(channel_axis_);
  top_dim_ = top[0]->count(channel_axis_);
  out_spatial_dim_ = top[0]->count(first_spatial_axis);
  if (bias_term_) {
    bias_multiplier_.Reshape(vector<int>{out_spatial_dim_});
    caffe_set(out_spatial_dim_, Dtype(1), bias_multiplier_.mutable_cpu_data());
  }
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::conv_im2col_cpu(const Dtype* data, Dtype* col_buff) {
  if (!force_nd_im2col_ && num_spatial_axes_ == 2) {
    im2col_cpu(data, conv_in_channels_, conv_input_shape_[1], conv_input_shape_[2],
               kernel_shape_[0], kernel_shape_[1], pad_[0], pad_[1], stride_[0], stride_[1],
               dilation_[0], dilation_[1], col_buff);
  } else {
    im2col_nd_cpu(data, num_spatial_axes_, conv_input_shape_.data(), col_buffer_shape_.data(),
                  kernel_shape_.data(), pad_.data(), stride_.data(), dilation_.data(), col_buff);
  }
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::conv_col2im_cpu(const Dtype* col_buff, Dtype* data) {
  if (!force_nd_im2col_ && num_spatial_axes_ == 2) {
    col2im_cpu(col_buff, conv_in_channels_, conv_input_shape_[1], conv_input_shape_[2],
               kernel_shape_[0], kernel_shape_[1], pad_[0], pad_[1], stride_[0], stride_[1],
               dilation_[0], dilation_[1], data);
  } else {
    col2im_nd_cpu(col_buff, num_spatial_axes_, conv_input_shape_.data(), col_buffer_shape_.data(),
                  kernel_shape_.data(), pad_.data(), stride_.data(), dilation_.data(), data);
  }
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::forward_cpu_gemm(const Dtype* input, const Dtype* weights,
                                                   Dtype* output, bool skip_im2col) {
  const Dtype* col_buff = input;
  if (!is_1x1_) {
    if (!skip_im2col) conv_im2col_cpu(input, col_buffer_.mutable_cpu_data());
    col_buff = col_buffer_.cpu_data();
  }
  for (int g = 0; g < group_; ++g) {
    caffe_cpu_gemm<Dtype>(CblasNoTrans, CblasNoTrans, conv_out_channels_ / group_,
                          conv_out_spatial_dim_, kernel_dim_, Dtype(1),
                          weights + weight_offset_ * g, col_buff + col_offset_ * g, Dtype(0),
                          output + output_offset_ * g);
  }
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::forward_cpu_bias(Dtype* output, const Dtype* bias) {
  caffe_cpu_gemm<Dtype>(CblasNoTrans, CblasNoTrans, num_output_, out_spatial_dim_, 1, Dtype(1),
                        bias, bias_multiplier_.cpu_data(), Dtype(1), output);
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::backward_cpu_gemm(const Dtype* output, const Dtype* weights,
                                                    Dtype* input) {
  // A pointwise lowering is the identity, so the product lands in `input`.
  Dtype* col_buff = is_1x1_ ? input : col_buffer_.mutable_cpu_data();
  for (int g = 0; g < group_; ++g) {
    caffe_cpu_gemm<Dtype>(CblasTrans, CblasNoTrans, kernel_dim_, conv_out_spatial_dim_,
                          conv_out_channels_ / group_, Dtype(1), weights + weight_offset_ * g,
                          output + output_offset_ * g, Dtype(0), col_buff + col_offset_ * g);
  }
  if (!is_1x1_) conv_col2im_cpu(col_buff, input);
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::weight_cpu_gemm(const Dtype* input, const Dtype* output,
                                                  Dtype* weights) {
  const Dtype* col_buff = input;
  if (!is_1x1_) {
    conv_im2col_cpu(input, col_buffer_.mutable_cpu_data());
    col_buff = col_buffer_.cpu_data();
  }
  for (int g = 0; g < group_; ++g) {
    caffe_cpu_gemm<Dtype>(CblasNoTrans, CblasTrans, conv_out_channels_ / group_, kernel_dim_,
                          conv_out_spatial_dim_, Dtype(1), output + output_offset_ * g,
                          col_buff + col_offset_ * g, Dtype(1), weights + weight_offset_ * g);
  }
}

template <typename Dtype>
void BaseConvolutionLayer<Dtype>::backward_cpu_bias(Dtype* bias, const Dtype* input) {
  caffe_cpu_gemv<Dtype>(CblasNoTrans, num_output_, out_spatial_dim_, Dtype(1), input,
                        bias_multiplier_.cpu_data(), Dtype(1), bias);
}

INSTANTIATE_CLASS(BaseConvolutionLayer);

}  // namespace caffe
