// DataTransformer<Dtype>: turns one record (Datum, decoded image or blob) into
// network input, applying upstream Caffe's TransformationParameter exactly:
//   out = (pixel - mean) * scale, with mean from mean_file (per pixel, taken
//   at the crop position) or mean_value (one value, or one per channel);
//   crop_size: a random crop in TRAIN, the centre crop in TEST;
//   mirror: a random horizontal flip (in both phases, as upstream);
//   force_color / force_gray: decode encoded images as BGR / grey.
// Random draws happen in upstream's order (mirror coin, then crop row, then
// crop column) through the virtual Rand(), by default from the transformer's
// own generator, seeded by InitRand() from caffe_rng_rand() when the
// parameters need randomness. (The data layers' pipeline overrides Rand to
// replay draws it took for each image beforehand.)
//
// Errors: inconsistent parameters (mean_file and mean_value together, both
// force flags, wrong number of mean values) throw ConfigError; a record that
// does not fit (too small for the crop, channel count or size unlike the mean,
// undecodable image) throws DataError. Messages do not name the record: the
// caller adds its key.
//
// Thread-safety: not thread-safe; each thread that transforms uses its own.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

template <typename Dtype>
struct CropTransform;

template <typename Dtype>
class DataTransformer {
 public:
  // Loads mean_file (a BlobProto) now; IOError/ParseError if it cannot.
  DataTransformer(const TransformationParameter& param, Phase phase);
  DISABLE_COPY_AND_ASSIGN(DataTransformer);

  // (Re)seeds the generator, with one caffe_rng_rand(), when mirror or a
  // TRAIN crop needs one (DrawsPerItem() > 0).
  void InitRand();
  // The random draws each Transform of one item takes, always the same
  // number: a mirror coin (mirror), then a crop row and column (TRAIN with
  // crop_size). Each is Rand(n) = (raw 32-bit draw) % n.
  int DrawsPerItem() const;

  // Writes one item into transformed_blob, which must already have the
  // shape InferBlobShape gives (num >= 1; only the first item is written).
  // Images are H x W x C, 8-bit or 32-bit float (a float_data Datum).
  void Transform(const Datum& datum, Blob<Dtype>* transformed_blob);
  void Transform(const cv::Mat& cv_img, Blob<Dtype>* transformed_blob);
  // Hands over rows [top, top + rows) of an image from column left on
  // (row(r, pixels), pixels interleaved, cols columns), or returns false
  // when it cannot.
  typedef std::function<bool(int top, int rows, int left, int cols,
                             const std::function<void(int r, const uint8_t* pixels)>& row)>
      WindowDecoder;
  // Transform(cv::Mat) of an 8-bit channels x height x width image that is
  // decoded on demand: only the window the item needs, through
  // decode_window; when that returns false, the whole image from
  // decode_whole (DataError if its shape is not the one given). Same draws,
  // same result.
  void TransformDecoded(int channels, int height, int width, const WindowDecoder& decode_window,
                        const std::function<cv::Mat()>& decode_whole,
                        Blob<Dtype>* transformed_blob);
  // Hands over rows [top, top + rows) of an image from column left on, as a
  // WindowDecoder does, but always can.
  typedef std::function<void(int top, int rows, int left, int cols,
                             const std::function<void(int r, const uint8_t* pixels)>& row)>
      RowSource;
  // Transform(cv::Mat) of an 8-bit channels x height x width image whose
  // rows come from `rows` (the augmenter's, as it renders them): only the
  // window the item needs. Same draws, same result.
  void TransformRows(int channels, int height, int width, const RowSource& rows,
                     Blob<Dtype>* transformed_blob);
  // Transform(cv::Mat) of an 8-bit image stored planar, channels x height x
  // width (a raw Datum's bytes), read in place: same draws, same result.
  void TransformPlanar(int channels, int height, int width, const uint8_t* planes,
                       Blob<Dtype>* transformed_blob);
  // One item per entry, written to consecutive items of transformed_blob.
  void Transform(const vector<Datum>& datum_vector, Blob<Dtype>* transformed_blob);
  void Transform(const vector<cv::Mat>& mat_vector, Blob<Dtype>* transformed_blob);
  // Transforms a whole N-item blob with one random draw for all items.
  // Subtracts the mean from input_blob in place, as upstream does; shapes
  // transformed_blob when it is empty.
  void Transform(Blob<Dtype>* input_blob, Blob<Dtype>* transformed_blob);

  // Shape {1, C, H, W} of one transformed item (encoded datums are decoded).
  // DataError when the input is smaller than crop_size.
  vector<int> InferBlobShape(int channels, int height, int width) const;
  vector<int> InferBlobShape(const Datum& datum);
  vector<int> InferBlobShape(const cv::Mat& cv_img);
  vector<int> InferBlobShape(const vector<Datum>& datum_vector);
  vector<int> InferBlobShape(const vector<cv::Mat>& mat_vector);

  // The datum's image as Transform sees it (DecodeDatumImage honouring
  // force_color and force_gray), so callers can decode once and use the Mat
  // overloads.
  cv::Mat DecodeDatum(const Datum& datum) const;

  const TransformationParameter& transform_param() const { return param_; }

 protected:
  // A uniform draw in [0, n).
  virtual int Rand(int n);

 private:
  // Checks the input against the output blob and takes the item's draws:
  // everything the pixel kernels need.
  CropTransform<Dtype> PrepareCrop(int channels, int height, int width,
                                   const Blob<Dtype>& transformed_blob);
  template <typename Pixel>
  void TransformPixels(const cv::Mat& image, Blob<Dtype>* transformed_blob);
  // Each input to the consecutive items of transformed_blob.
  template <typename Input>
  void TransformEach(const vector<Input>& inputs, Blob<Dtype>* transformed_blob);
  // Crop offsets for an input of the given size (random only in TRAIN).
  void CropOffsets(int input_height, int input_width, int* h_off, int* w_off);
  // Validates mean_values_ against `channels`, replicating a single value.
  void PrepareMeanValues(int channels);
  void CheckMeanFileShape(int channels, int height, int width) const;
  void CheckFits(int channels, int height, int width, const Blob<Dtype>& blob) const;

  TransformationParameter param_;
  Phase phase_;
  std::unique_ptr<Caffe::rng_t> rng_;
  Blob<Dtype> data_mean_;
  vector<Dtype> mean_values_;
  // Scratch: the per-channel table of the pixel kernel (see CropTransform).
  vector<Dtype> table_;
};

}  // namespace caffe
