// The data path's direct JPEG decoder (libjpeg-turbo's libjpeg API): decodes
// straight into BGR or grey - the pixels cv::imdecode gives for the same
// flags, without its RGB-to-BGR pass and its copies - and can decode only a
// band of rows and columns, handing each row to the caller so the full-size
// image is never written (the Data layer transforms the crop's rows as they
// come, see RecordPipeline).
//
// It takes only what it decodes exactly as cv::imdecode does: baseline or
// progressive JPEGs with 1 (grey) or 3 (YCbCr/RGB) components, no EXIF block
// (imdecode may rotate by the EXIF orientation), and no libjpeg warning
// (imdecode keeps the part of a damaged file it could read; those are left
// to it). For anything else the functions return false and the caller uses
// cv::imdecode. tests/cpp/test_jpeg_decoder.cpp compares the two.
//
// Thread-safety: a JpegDecoder is used by one thread at a time; keep one per
// thread to reuse its buffers.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "caffe/util/datum_io.hpp"

namespace caffe {

class JpegDecoder {
 public:
  JpegDecoder() = default;
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  // Whether `bytes` start like a JPEG file.
  static bool LooksLikeJpeg(const std::string& bytes);

  // The decoded size and channel count, from the header only; false when the
  // fast path does not take the file (see above) or the header is unreadable.
  bool Header(const std::string& bytes, ImageDecodeOptions::Color color, int* height,
              int* width, int* channels);

  // The whole image into *out (reusing its storage when it is not shared).
  // false (and *out unspecified) when the fast path does not take the file.
  bool Decode(const std::string& bytes, ImageDecodeOptions::Color color, cv::Mat* out);

  // Rows [top, top + rows) of the image, each given to row(r, pixels) in
  // order (r from 0); pixels[(x - left) * channels + c] is column x of the
  // whole image for x in [left, left + cols), valid during the call. false
  // when the fast path does not take the file (or the window is outside
  // the image); then `row` may have been called for some rows, which the
  // caller must redo.
  bool DecodeRows(const std::string& bytes, ImageDecodeOptions::Color color, int top, int rows,
                  int left, int cols,
                  const std::function<void(int r, const uint8_t* pixels)>& row);

 private:
  std::vector<uint8_t> row_buffer_;
};

}  // namespace caffe
