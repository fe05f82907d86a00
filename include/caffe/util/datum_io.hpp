// Conversions between image files, OpenCV matrices and Datum records, with
// upstream Caffe's semantics (convert_imageset and the data layers rely on
// them producing byte-identical records).
//
// Layout: a raw Datum stores uint8 pixels planar (channel, row, column); a
// cv::Mat is interleaved (row, column, channel) in OpenCV's BGR order. An
// encoded Datum stores a compressed image file (PNG, JPEG, ...) in `data`.
//
// Functions that read files return false (and log) when the file cannot be
// read or decoded, as upstream does, so a tool can skip the entry; decoding a
// record throws DataError instead, because a damaged record is a data error.
// All functions are thread-safe.
//
// Decompression bombs: before any image (file or encoded record) is decoded,
// its header's width x height is checked against a pixel limit, so a small
// file that would decode to gigabytes is refused with a DataError naming it
// and its size. The limit is process-wide: MaxImagePixels() starts at
// $CAFFE_MAX_IMAGE_PIXELS or 2^27 (134,217,728 pixels, e.g. 11585 x 11585).
// Headers are read for PNG, JPEG, BMP, GIF, WebP, PNM and TIFF; other formats
// are left to OpenCV's own limit (2^30 pixels).
#pragma once

#include <google/protobuf/message.h>
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

int64_t MaxImagePixels();
// Throws ConfigError unless limit > 0. Thread-safe.
void SetMaxImagePixels(int64_t limit);
// Width and height from an image file's header; false when the format is not
// recognised or the header is cut short.
bool ImageDimensions(const string& bytes, int64_t* width, int64_t* height);
// Throws DataError naming `what` when the image in `bytes` has more pixels
// than MaxImagePixels().
void CheckImagePixels(const string& bytes, const string& what);
// Serialises a record for a database; throws DataError naming `what` when it
// is over protobuf's 2 GiB limit.
void SerializeRecord(const google::protobuf::Message& record, const string& what,
                     string* serialized);

// How a record's image is decoded: the one decoder of the data path (the data
// layers, the augmentation preview and the tools all call DecodeImage).
// Encoded images keep their own channel count (NATIVE) or become 3-channel
// BGR (COLOR) or 1-channel grey (GRAY); raw images are used as stored. With
// resize_height and resize_width both > 0 the image is then resized
// (bilinear), as ImageData's new_height/new_width do.
struct ImageDecodeOptions {
  enum Color { NATIVE, COLOR, GRAY };
  Color color = NATIVE;
  int resize_height = 0;
  int resize_width = 0;
  // From force_color / force_gray flags; ConfigError naming `where` (e.g.
  // "transform_param") when both are set.
  static ImageDecodeOptions FromForceFlags(bool force_color, bool force_gray,
                                           const string& where);
};

// One image of a record: `bytes` is an encoded image file (PNG, JPEG, ...)
// when `encoded`, else raw planar uint8 pixels, channels x height x width.
// Returns an interleaved H x W x C 8-bit Mat. Throws DataError whose message
// starts with `what` ("the image", "the anchor image") and says what is
// wrong: an image that cannot be decoded as 8-bit, a byte count unlike the shape, ...
cv::Mat DecodeImage(const string& bytes, bool encoded, int channels, int height, int width,
                    const ImageDecodeOptions& options, const string& what = "the image");
// The checks DecodeImage makes on raw (not encoded) bytes before it uses
// them, for a caller that reads the planar pixels itself: DataError naming
// `what` unless the shape is positive and `byte_count` matches it (and a
// one-time warning that force_color/force_gray do not apply).
void CheckRawImage(size_t byte_count, int channels, int height, int width,
                   const ImageDecodeOptions& options, const string& what = "the image");
// A Datum's image through DecodeImage; a raw Datum holding float_data gives a
// CV_32F Mat of its values.
cv::Mat DecodeDatumImage(const Datum& datum, const ImageDecodeOptions& options);

// Reads an image; resizes it (bilinear) when both height and width are > 0.
// Returns an empty Mat when the file cannot be read; throws DataError when it
// is over the pixel limit, ConfigError when the resize target is.
cv::Mat ReadImageToCVMat(const string& filename, int height, int width, bool is_color);
cv::Mat ReadImageToCVMat(const string& filename, bool is_color = true);

// Reads `filename` into `datum` as convert_imageset does. With a non-empty
// `encoding` ("png", "jpg", ...) the datum holds an encoded image: the file's
// own bytes when they already match (same extension, colour mode, no resize),
// otherwise the image re-encoded. Without it the datum holds raw pixels.
bool ReadImageToDatum(const string& filename, int label, int height, int width,
                      bool is_color, const string& encoding, Datum* datum);
// The file's bytes as an encoded datum.
bool ReadFileToDatum(const string& filename, int label, Datum* datum);

// Decodes an encoded datum keeping the image's own channel count; throws
// DataError when the bytes cannot be decoded as an 8-bit image.
cv::Mat DecodeDatumToCVMatNative(const Datum& datum);
// Decodes an encoded datum to 3-channel BGR (is_color) or 1-channel grey.
cv::Mat DecodeDatumToCVMat(const Datum& datum, bool is_color);
// Replaces an encoded datum by its raw pixels; false if it was not encoded.
bool DecodeDatumNative(Datum* datum);
bool DecodeDatum(Datum* datum, bool is_color);

// Raw datum <-> 8-bit Mat. DatumToCVMat throws DataError when the datum is
// encoded or its byte count does not match channels x height x width.
cv::Mat DatumToCVMat(const Datum& datum);
// Throws DataError unless the Mat is 8-bit.
void CVMatToDatum(const cv::Mat& cv_img, Datum* datum);

// Throws DataError unless a raw datum's shape is positive and its uint8 or
// float payload holds exactly channels x height x width values.
void CheckRawDatumSize(const Datum& datum);

}  // namespace caffe
