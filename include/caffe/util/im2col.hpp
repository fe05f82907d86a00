// im2col / col2im: the lowering that turns a convolution into a matrix
// product, with the same memory layout as upstream Caffe so that weights
// trained there apply unchanged.
//
// For an image of `channels` planes, the column buffer has one row per
// (channel, kernel offset) pair, channel-major and kernel offsets in row-major
// order over the spatial axes, and one column per output position (row-major
// over the output's spatial axes). Cells whose source lies in the padding are
// zero. col2im is the adjoint: it zeroes the image and accumulates every
// column entry back into the pixel it came from.
//
// Output extent per axis: (in + 2 * pad - (dilation * (kernel - 1) + 1)) / stride + 1.
// Pure functions of their arguments; safe to call from any thread.
#pragma once

namespace caffe {

// 2-D fast path. `data_col` must hold channels * kernel_h * kernel_w *
// out_h * out_w values.
template <typename Dtype>
void im2col_cpu(const Dtype* data_im, int channels, int height, int width, int kernel_h,
                int kernel_w, int pad_h, int pad_w, int stride_h, int stride_w,
                int dilation_h, int dilation_w, Dtype* data_col);

template <typename Dtype>
void col2im_cpu(const Dtype* data_col, int channels, int height, int width, int kernel_h,
                int kernel_w, int pad_h, int pad_w, int stride_h, int stride_w,
                int dilation_h, int dilation_w, Dtype* data_im);

// General N-D path. `im_shape` has num_spatial_axes + 1 entries: the channel
// count, then the image's spatial extents. `col_shape` has the same length:
// the column rows (channels * prod(kernel)), then the output's spatial
// extents. `kernel`, `pad`, `stride` and `dilation` have one entry per
// spatial axis.
template <typename Dtype>
void im2col_nd_cpu(const Dtype* data_im, int num_spatial_axes, const int* im_shape,
                   const int* col_shape, const int* kernel, const int* pad, const int* stride,
                   const int* dilation, Dtype* data_col);

template <typename Dtype>
void col2im_nd_cpu(const Dtype* data_col, int num_spatial_axes, const int* im_shape,
                   const int* col_shape, const int* kernel, const int* pad, const int* stride,
                   const int* dilation, Dtype* data_im);

}  // namespace caffe
