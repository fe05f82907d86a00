#include "caffe/util/im2col.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace caffe {

namespace {

// One output extent per axis; the caller has validated the geometry.
inline int OutputExtent(int in, int kernel, int pad, int stride, int dilation) {
  return (in + 2 * pad - (dilation * (kernel - 1) + 1)) / stride + 1;
}

// Casting to unsigned folds the `index < 0` test into the upper-bound test.
inline bool InRange(int index, int extent) {
  return static_cast<unsigned>(index) < static_cast<unsigned>(extent);
}

// Walks every (column row, output position) pair of the N-D lowering and
// either gathers image values into the columns (kToColumns) or scatters
// column values back into the image, adding.
template <typename Dtype, bool kToColumns>
void TraverseNd(const Dtype* source, int num_spatial_axes, const int* im_shape,
                const int* col_shape, const int* kernel, const int* pad, const int* stride,
                const int* dilation, Dtype* target) {
  int kernel_count = 1;
  int out_count = 1;
  for (int i = 0; i < num_spatial_axes; ++i) {
    kernel_count *= kernel[i];
    out_count *= col_shape[i + 1];
  }
  const int col_rows = col_shape[0];
  int im_count = im_shape[0];
  for (int i = 0; i < num_spatial_axes; ++i) im_count *= im_shape[i + 1];
  if (!kToColumns) std::memset(target, 0, sizeof(Dtype) * im_count);

  std::vector<int> kernel_pos(num_spatial_axes);
  std::vector<int> out_pos(num_spatial_axes);
  for (int row = 0; row < col_rows; ++row) {
    // Kernel offsets of this row, last axis fastest.
    int rest = row;
    for (int i = num_spatial_axes - 1; i >= 0; --i) {
      kernel_pos[i] = rest % kernel[i];
      rest /= kernel[i];
    }
    const int channel = rest;
    std::fill(out_pos.begin(), out_pos.end(), 0);
    for (int out = 0; out < out_count; ++out) {
      int im_index = channel;
      bool inside = true;
      for (int i = 0; i < num_spatial_axes; ++i) {
        const int pos = out_pos[i] * stride[i] - pad[i] + kernel_pos[i] * dilation[i];
        inside &= InRange(pos, im_shape[i + 1]);
        im_index = im_index * im_shape[i + 1] + pos;
      }
      const int col_index = row * out_count + out;
      if (kToColumns) {
        target[col_index] = inside ? source[im_index] : Dtype(0);
      } else if (inside) {
        target[im_index] += source[col_index];
      }
      for (int i = num_spatial_axes - 1; i >= 0; --i) {
        if (++out_pos[i] < col_shape[i + 1]) break;
        out_pos[i] = 0;
      }
    }
  }
}

}  // namespace

template <typename Dtype>
void im2col_cpu(const Dtype* data_im, int channels, int height, int width, int kernel_h,
                int kernel_w, int pad_h, int pad_w, int stride_h, int stride_w,
                int dilation_h, int dilation_w, Dtype* data_col) {
  const int out_h = OutputExtent(height, kernel_h, pad_h, stride_h, dilation_h);
  const int out_w = OutputExtent(width, kernel_w, pad_w, stride_w, dilation_w);
  const int plane = height * width;
  for (int c = 0; c < channels; ++c, data_im += plane) {
    for (int ki = 0; ki < kernel_h; ++ki) {
      for (int kj = 0; kj < kernel_w; ++kj) {
        int ih = ki * dilation_h - pad_h;
        for (int oh = 0; oh < out_h; ++oh, ih += stride_h) {
          if (!InRange(ih, height)) {
            std::memset(data_col, 0, sizeof(Dtype) * out_w);
            data_col += out_w;
            continue;
          }
          const Dtype* im_row = data_im + ih * width;
          int iw = kj * dilation_w - pad_w;
          for (int ow = 0; ow < out_w; ++ow, iw += stride_w) {
            *data_col++ = InRange(iw, width) ? im_row[iw] : Dtype(0);
          }
        }
      }
    }
  }
}

template <typename Dtype>
void col2im_cpu(const Dtype* data_col, int channels, int height, int width, int kernel_h,
                int kernel_w, int pad_h, int pad_w, int stride_h, int stride_w,
                int dilation_h, int dilation_w, Dtype* data_im) {
  const int out_h = OutputExtent(height, kernel_h, pad_h, stride_h, dilation_h);
  const int out_w = OutputExtent(width, kernel_w, pad_w, stride_w, dilation_w);
  const int plane = height * width;
  std::memset(data_im, 0, sizeof(Dtype) * plane * channels);
  for (int c = 0; c < channels; ++c, data_im += plane) {
    for (int ki = 0; ki < kernel_h; ++ki) {
      for (int kj = 0; kj < kernel_w; ++kj) {
        int ih = ki * dilation_h - pad_h;
        for (int oh = 0; oh < out_h; ++oh, ih += stride_h) {
          if (!InRange(ih, height)) {
            data_col += out_w;
            continue;
          }
          Dtype* im_row = data_im + ih * width;
          int iw = kj * dilation_w - pad_w;
          for (int ow = 0; ow < out_w; ++ow, iw += stride_w, ++data_col) {
            if (InRange(iw, width)) im_row[iw] += *data_col;
          }
        }
      }
    }
  }
}

template <typename Dtype>
void im2col_nd_cpu(const Dtype* data_im, int num_spatial_axes, const int* im_shape,
                   const int* col_shape, const int* kernel, const int* pad, const int* stride,
                   const int* dilation, Dtype* data_col) {
  TraverseNd<Dtype, true>(data_im, num_spatial_axes, im_shape, col_shape, kernel, pad, stride,
                          dilation, data_col);
}

template <typename Dtype>
void col2im_nd_cpu(const Dtype* data_col, int num_spatial_axes, const int* im_shape,
                   const int* col_shape, const int* kernel, const int* pad, const int* stride,
                   const int* dilation, Dtype* data_im) {
  TraverseNd<Dtype, false>(data_col, num_spatial_axes, im_shape, col_shape, kernel, pad, stride,
                           dilation, data_im);
}

#define INSTANTIATE_IM2COL(Dtype)                                                             \
  template void im2col_cpu<Dtype>(const Dtype*, int, int, int, int, int, int, int, int, int,  \
                                  int, int, Dtype*);                                          \
  template void col2im_cpu<Dtype>(const Dtype*, int, int, int, int, int, int, int, int, int,  \
                                  int, int, Dtype*);                                          \
  template void im2col_nd_cpu<Dtype>(const Dtype*, int, const int*, const int*, const int*,   \
                                     const int*, const int*, const int*, Dtype*);             \
  template void col2im_nd_cpu<Dtype>(const Dtype*, int, const int*, const int*, const int*,   \
                                     const int*, const int*, const int*, Dtype*)
INSTANTIATE_IM2COL(float);
INSTANTIATE_IM2COL(double);

}  // namespace caffe
