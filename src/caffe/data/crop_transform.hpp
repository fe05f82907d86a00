// The pixel arithmetic of transform_param on one image, as fast kernels and
// as the obviously-correct reference they are tested against
// (tests/cpp/test_crop_transform.cpp): an interleaved H x W x C image
// (uint8 or float; or the same pixels planar, as a raw Datum stores them)
// becomes a planar C x height x width item,
//   out[c][h][mirrored w] = (image[h_off + h][w_off + w][c] - mean) * scale,
// with mean from a per-pixel mean image, one value per channel, or none.
// The kernels compute every value with the very expression the reference
// uses, so they agree bit for bit.
//
// The row kernel lets a decoder hand over the crop's rows one at a time, so
// the full image never needs to exist (see util/jpeg_decoder.hpp).
// Internal to the data path. Thread-safety: a CropTransform is immutable
// once Prepare has run; the kernels only read it.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

namespace caffe {

template <typename Dtype>
struct CropTransform {
  int channels = 0;
  // The whole input image (also the mean image's size).
  int image_height = 0;
  int image_width = 0;
  // The crop window and the item's size.
  int h_off = 0;
  int w_off = 0;
  int height = 0;
  int width = 0;
  bool mirror = false;
  Dtype scale = 1;
  // channels x image_height x image_width, or null.
  const Dtype* mean_image = nullptr;
  // channels values, or null (ignored when mean_image is set).
  const Dtype* mean_values = nullptr;

  // Builds the table of every uint8 value's result per channel (used when
  // there is no mean image). Call after setting the fields above, before the
  // kernels; `table` is reused storage.
  void Prepare(std::vector<Dtype>* table);
  const Dtype* table = nullptr;
};

// Output row h (0 <= h < height) of the item from `crop_row`, input row
// h_off + h from column w_off on (width * channels values), into `out` (the
// item's first value).
template <typename Dtype, typename Pixel>
void TransformCropRow(const CropTransform<Dtype>& transform, const Pixel* crop_row, int h,
                      Dtype* out);

// After the last TransformCropRow of an item, before another thread reads
// it: the row kernel may use non-temporal stores, which are weakly ordered.
void FinishTransformCrop();

// Every output row from an H x W x C Mat of Pixel (then FinishTransformCrop).
template <typename Dtype, typename Pixel>
void TransformCrop(const CropTransform<Dtype>& transform, const cv::Mat& image, Dtype* out);

// Every output row from planar channels x image_height x image_width input
// (a raw Datum's bytes), each from one contiguous run of one channel's row
// (then FinishTransformCrop).
template <typename Dtype, typename Pixel>
void TransformCropPlanar(const CropTransform<Dtype>& transform, const Pixel* planes, Dtype* out);

// The three channels of `width` interleaved pixels into three byte rows
// (SSSE3 shuffles when the CPU has them), and the plain loop it is tested
// against.
void SplitChannels3(const uint8_t* in, int width, uint8_t* out0, uint8_t* out1, uint8_t* out2);
void SplitChannels3Reference(const uint8_t* in, int width, uint8_t* out0, uint8_t* out1,
                             uint8_t* out2);

// The reference: one pixel and channel at a time, upstream's loop.
template <typename Dtype, typename Pixel>
void TransformCropReference(const CropTransform<Dtype>& transform, const cv::Mat& image,
                            Dtype* out);

}  // namespace caffe
