#include "caffe/layers/im2col_layer.hpp"

#include "caffe/layer_factory.hpp"
#include "caffe/layers/conv_geometry.hpp"
#include "caffe/util/im2col.hpp"

namespace caffe {

template <typename Dtype>
void Im2colLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const ConvolutionParameter& conv_param = this->layer_param_.convolution_param();
  force_nd_im2col_ = conv_param.force_nd_im2col();
  channel_axis_ = bottom[0]->CanonicalAxisIndex(conv_param.axis());
  num_spatial_axes_ = bottom[0]->num_axes() - (channel_axis_ + 1);
  CAFFE_REQUIRE(num_spatial_axes_ >= 1, ShapeError, this->Describe(),
                ": needs at least one spatial axis after channel axis ", channel_axis_,
                ", but the bottom is ", bottom[0]->shape_string());
  const ConvGeometry geometry =
      ConvGeometry::FromParam(conv_param, num_spatial_axes_, this->Describe());
  kernel_shape_ = geometry.kernel;
  stride_ = geometry.stride;
  pad_ = geometry.pad;
  dilation_ = geometry.dilation;
}

template <typename Dtype>
void Im2colLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() == channel_axis_ + 1 + num_spatial_axes_, ShapeError,
                this->Describe(), ": the bottom's number of axes may not change (now ",
                bottom[0]->shape_string(), ")");
  const ConvGeometry geometry{kernel_shape_, stride_, pad_, dilation_};
  channels_ = bottom[0]->shape(channel_axis_);
  im_shape_.assign(bottom[0]->shape().begin() + channel_axis_, bottom[0]->shape().end());
  int kernel_count = 1;
  for (int k : kernel_shape_) kernel_count *= k;
  col_shape_.assign(1, channels_ * kernel_count);
  for (int i = 0; i < num_spatial_axes_; ++i) {
    col_shape_.push_back(geometry.ConvOutput(i, im_shape_[i + 1], this->Describe()));
  }
  vector<int> top_shape(bottom[0]->shape().begin(), bottom[0]->shape().begin() + channel_axis_);
  top_shape.insert(top_shape.end(), col_shape_.begin(), col_shape_.end());
  top[0]->Reshape(top_shape);
  num_ = bottom[0]->count(0, channel_axis_);
  bottom_dim_ = bottom[0]->count(channel_axis_);
  top_dim_ = top[0]->count(channel_axis_);
}

template <typename Dtype>
void Im2colLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  const Dtype* bottom_data = bottom[0]->cpu_data();
  Dtype* top_data = top[0]->mutable_cpu_data();
  for (int n = 0; n < num_; ++n) {
    if (UseFast2d()) {
      im2col_cpu(bottom_data + n * bottom_dim_, channels_, im_shape_[1], im_shape_[2],
                 kernel_shape_[0], kernel_shape_[1], pad_[0], pad_[1], stride_[0], stride_[1],
                 dilation_[0], dilation_[1], top_data + n * top_dim_);
    } else {
      im2col_nd_cpu(bottom_data + n * bottom_dim_, num_spatial_axes_, im_shape_.data(),
                    col_shape_.data(), kernel_shape_.data(), pad_.data(), stride_.data(),
                    dilation_.data(), top_data + n * top_dim_);
    }
  }
}

template <typename Dtype>
void Im2colLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  for (int n = 0; n < num_; ++n) {
    if (UseFast2d()) {
      col2im_cpu(top_diff + n * top_dim_, channels_, im_shape_[1], im_shape_[2],
                 kernel_shape_[0], kernel_shape_[1], pad_[0], pad_[1], stride_[0], stride_[1],
                 dilation_[0], dilation_[1], bottom_diff + n * bottom_dim_);
    } else {
      col2im_nd_cpu(top_diff + n * top_dim_, num_spatial_axes_, im_shape_.data(),
                    col_shape_.data(), kernel_shape_.data(), pad_.data(), stride_.data(),
                    dilation_.data(), bottom_diff + n * bottom_dim_);
    }
  }
}

INSTANTIATE_CLASS(Im2colLayer);
REGISTER_LAYER_CLASS(Im2col);

}  // namespace caffe
