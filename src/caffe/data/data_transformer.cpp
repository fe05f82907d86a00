#include "caffe/data/data_transformer.hpp"

#include <opencv2/imgcodecs.hpp>

#include "caffe/data/crop_transform.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
DataTransformer<Dtype>::DataTransformer(const TransformationParameter& param, Phase phase)
    : param_(param), phase_(phase) {
  if (param_.has_mean_file()) {
    CAFFE_REQUIRE(param_.mean_value_size() == 0, ConfigError,
                  "transform_param sets both mean_file and mean_value; use one of them");
    BlobProto mean_proto;
    ReadProtoFromBinaryFile(param_.mean_file(), &mean_proto);
    try {
      data_mean_.FromProto(mean_proto);
    } catch (const Error& error) {
      RethrowWithContext(error, "mean_file " + param_.mean_file() + ": ");
    }
  }
  for (int c = 0; c < param_.mean_value_size(); ++c) {
    mean_values_.push_back(param_.mean_value(c));
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::InitRand() {
  if (DrawsPerItem() > 0) {
    rng_ = std::make_unique<Caffe::rng_t>(caffe_rng_rand());
  } else {
    rng_.reset();
  }
}

template <typename Dtype>
int DataTransformer<Dtype>::DrawsPerItem() const {
  // A mirror coin, then a crop row and column in TRAIN.
  return (param_.mirror() ? 1 : 0) + ((phase_ == TRAIN && param_.crop_size()) ? 2 : 0);
}

template <typename Dtype>
int DataTransformer<Dtype>::Rand(int n) {
  CHECK(rng_) << "DataTransformer::InitRand() must run before random transforms";
  CHECK_GT(n, 0);
  return static_cast<int>((*rng_)() % static_cast<unsigned int>(n));
}

template <typename Dtype>
void DataTransformer<Dtype>::CropOffsets(int input_height, int input_width, int* h_off,
                                         int* w_off) {
  const int crop_size = param_.crop_size();
  *h_off = 0;
  *w_off = 0;
  if (!crop_size) return;
  if (phase_ == TRAIN) {
    *h_off = Rand(input_height - crop_size + 1);
    *w_off = Rand(input_width - crop_size + 1);
  } else {
    *h_off = (input_height - crop_size) / 2;
    *w_off = (input_width - crop_size) / 2;
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::PrepareMeanValues(int channels) {
  if (mean_values_.empty()) return;
  CAFFE_REQUIRE(mean_values_.size() == 1 || static_cast<int>(mean_values_.size()) == channels,
                ConfigError, "transform_param gives ", mean_values_.size(),
                " mean_value entries for ", channels,
                "-channel data; give either 1 or one per channel");
  while (static_cast<int>(mean_values_.size()) < channels) {
    mean_values_.push_back(mean_values_[0]);
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::CheckMeanFileShape(int channels, int height, int width) const {
  CAFFE_REQUIRE(channels == data_mean_.channels() && height == data_mean_.height() &&
                    width == data_mean_.width(),
                DataError, "data of shape ", channels, "x", height, "x", width,
                " does not match mean_file ", param_.mean_file(), " of shape ",
                data_mean_.channels(), "x", data_mean_.height(), "x", data_mean_.width());
}

template <typename Dtype>
void DataTransformer<Dtype>::CheckFits(int channels, int height, int width,
                                       const Blob<Dtype>& blob) const {
  const int crop_size = param_.crop_size();
  CAFFE_REQUIRE(height >= crop_size && width >= crop_size, DataError, "data of size ", height,
                "x", width, " is smaller than crop_size ", crop_size);
  const int out_height = crop_size ? crop_size : height;
  const int out_width = crop_size ? crop_size : width;
  CAFFE_REQUIRE(blob.num() >= 1 && blob.channels() == channels &&
                    blob.height() == out_height && blob.width() == out_width,
                DataError, "data of shape ", channels, "x", height, "x", width,
                " transforms to ", channels, "x", out_height, "x", out_width,
                ", which does not fit the output blob ", blob.shape_string());
}

template <typename Dtype>
cv::Mat DataTransformer<Dtype>::DecodeDatum(const Datum& datum) const {
  return DecodeDatumImage(datum, ImageDecodeOptions::FromForceFlags(
                                     param_.force_color(), param_.force_gray(), "transform_param"));
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const Datum& datum, Blob<Dtype>* transformed_blob) {
  if (!datum.encoded() && !datum.data().empty()) {
    CheckRawImage(datum.data().size(), datum.channels(), datum.height(), datum.width(),
                  ImageDecodeOptions::FromForceFlags(param_.force_color(), param_.force_gray(),
                                                     "transform_param"));
    TransformPlanar(datum.channels(), datum.height(), datum.width(),
                    reinterpret_cast<const uint8_t*>(datum.data().data()), transformed_blob);
    return;
  }
  Transform(DecodeDatum(datum), transformed_blob);
}

template <typename Dtype>
CropTransform<Dtype> DataTransformer<Dtype>::PrepareCrop(int img_channels, int img_height,
                                                         int img_width,
                                                         const Blob<Dtype>& transformed_blob) {
  CheckFits(img_channels, img_height, img_width, transformed_blob);
  // Upstream's order of draws: the mirror coin, then the crop offsets.
  const bool do_mirror = param_.mirror() && Rand(2);
  const Dtype* mean = nullptr;
  if (param_.has_mean_file()) {
    CheckMeanFileShape(img_channels, img_height, img_width);
    mean = data_mean_.cpu_data();
  }
  PrepareMeanValues(img_channels);

  CropTransform<Dtype> crop;
  crop.channels = img_channels;
  crop.image_height = img_height;
  crop.image_width = img_width;
  CropOffsets(img_height, img_width, &crop.h_off, &crop.w_off);
  crop.height = transformed_blob.height();
  crop.width = transformed_blob.width();
  crop.mirror = do_mirror;
  crop.scale = param_.scale();
  crop.mean_image = mean;
  crop.mean_values = mean_values_.empty() ? nullptr : mean_values_.data();
  crop.Prepare(&table_);
  return crop;
}

template <typename Dtype>
template <typename Pixel>
void DataTransformer<Dtype>::TransformPixels(const cv::Mat& image,
                                             Blob<Dtype>* transformed_blob) {
  const CropTransform<Dtype> crop =
      PrepareCrop(image.channels(), image.rows, image.cols, *transformed_blob);
  TransformCrop<Dtype, Pixel>(crop, image, transformed_blob->mutable_cpu_data());
}

template <typename Dtype>
void DataTransformer<Dtype>::TransformPlanar(int channels, int height, int width,
                                             const uint8_t* planes,
                                             Blob<Dtype>* transformed_blob) {
  const CropTransform<Dtype> crop = PrepareCrop(channels, height, width, *transformed_blob);
  TransformCropPlanar<Dtype, uint8_t>(crop, planes, transformed_blob->mutable_cpu_data());
}

template <typename Dtype>
void DataTransformer<Dtype>::TransformRows(int channels, int height, int width,
                                           const RowSource& rows,
                                           Blob<Dtype>* transformed_blob) {
  TransformDecoded(
      channels, height, width,
      [&](int top, int count, int left, int cols,
          const std::function<void(int, const uint8_t*)>& row) {
        rows(top, count, left, cols, row);
        return true;
      },
      nullptr, transformed_blob);
}

template <typename Dtype>
void DataTransformer<Dtype>::TransformDecoded(int channels, int height, int width,
                                              const WindowDecoder& decode_window,
                                              const std::function<cv::Mat()>& decode_whole,
                                              Blob<Dtype>* transformed_blob) {
  const CropTransform<Dtype> crop = PrepareCrop(channels, height, width, *transformed_blob);
  Dtype* out = transformed_blob->mutable_cpu_data();
  const bool decoded =
      decode_window(crop.h_off, crop.height, crop.w_off, crop.width,
                    [&](int r, const uint8_t* pixels) {
                      TransformCropRow<Dtype, uint8_t>(crop, pixels, r, out);
                    });
  if (decoded) {
    FinishTransformCrop();
    return;
  }
  const cv::Mat image = decode_whole();
  CAFFE_REQUIRE(image.depth() == CV_8U && image.channels() == channels &&
                    image.rows == height && image.cols == width,
                DataError, "the image decodes to ", image.channels(), "x", image.rows, "x",
                image.cols, " but its header gave ", channels, "x", height, "x", width);
  TransformCrop<Dtype, uint8_t>(crop, image, out);
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const cv::Mat& cv_img, Blob<Dtype>* transformed_blob) {
  switch (cv_img.depth()) {
    case CV_8U:
      TransformPixels<uint8_t>(cv_img, transformed_blob);
      return;
    case CV_32F:
      TransformPixels<float>(cv_img, transformed_blob);
      return;
  }
  throw DataError(internal::Concat("image data must be 8-bit unsigned or 32-bit float, got "
                                   "OpenCV depth ",
                                   cv_img.depth()));
}

template <typename Dtype>
template <typename Input>
void DataTransformer<Dtype>::TransformEach(const vector<Input>& inputs,
                                           Blob<Dtype>* transformed_blob) {
  Blob<Dtype> item(1, transformed_blob->channels(), transformed_blob->height(),
                   transformed_blob->width());
  for (size_t item_id = 0; item_id < inputs.size(); ++item_id) {
    item.set_cpu_data(transformed_blob->mutable_cpu_data() +
                      transformed_blob->offset(static_cast<int>(item_id)));
    Transform(inputs[item_id], &item);
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const vector<Datum>& datum_vector,
                                       Blob<Dtype>* transformed_blob) {
  CAFFE_REQUIRE(!datum_vector.empty(), DataError, "no datum to transform");
  CAFFE_REQUIRE(static_cast<int>(datum_vector.size()) <= transformed_blob->num(), ShapeError,
                datum_vector.size(), " datums do not fit a blob of shape ",
                transformed_blob->shape_string());
  TransformEach(datum_vector, transformed_blob);
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const vector<cv::Mat>& mat_vector,
                                       Blob<Dtype>* transformed_blob) {
  CAFFE_REQUIRE(!mat_vector.empty(), DataError, "no image to transform");
  CAFFE_REQUIRE(static_cast<int>(mat_vector.size()) == transformed_blob->num(), ShapeError,
                mat_vector.size(), " images need a blob of that many items, got ",
                transformed_blob->shape_string());
  TransformEach(mat_vector, transformed_blob);
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(Blob<Dtype>* input_blob, Blob<Dtype>* transformed_blob) {
  const int crop_size = param_.crop_size();
  const int input_num = input_blob->num();
  const int input_channels = input_blob->channels();
  const int input_height = input_blob->height();
  const int input_width = input_blob->width();
  if (transformed_blob->count() == 0) {
    transformed_blob->Reshape(input_num, input_channels, crop_size ? crop_size : input_height,
                              crop_size ? crop_size : input_width);
  }
  const int channels = transformed_blob->channels();
  const int height = transformed_blob->height();
  const int width = transformed_blob->width();
  CAFFE_REQUIRE(input_num <= transformed_blob->num() && input_channels == channels &&
                    input_height >= height && input_width >= width,
                ShapeError, "cannot transform a blob of shape ", input_blob->shape_string(),
                " into one of shape ", transformed_blob->shape_string());
  if (crop_size) {
    CAFFE_REQUIRE(height == crop_size && width == crop_size, ShapeError, "output blob ",
                  transformed_blob->shape_string(), " does not match crop_size ", crop_size);
  } else {
    CAFFE_REQUIRE(height == input_height && width == input_width, ShapeError, "output blob ",
                  transformed_blob->shape_string(), " does not match input ",
                  input_blob->shape_string());
  }

  const Dtype scale = param_.scale();
  const bool do_mirror = param_.mirror() && Rand(2);
  int h_off, w_off;
  CropOffsets(input_height, input_width, &h_off, &w_off);

  Dtype* input_data = input_blob->mutable_cpu_data();
  if (param_.has_mean_file()) {
    CheckMeanFileShape(input_channels, input_height, input_width);
    for (int n = 0; n < input_num; ++n) {
      Dtype* item = input_data + input_blob->offset(n);
      caffe_sub(data_mean_.count(), item, data_mean_.cpu_data(), item);
    }
  }
  if (!mean_values_.empty()) {
    CAFFE_REQUIRE(mean_values_.size() == 1 ||
                      static_cast<int>(mean_values_.size()) == input_channels,
                  ConfigError, "transform_param gives ", mean_values_.size(),
                  " mean_value entries for ", input_channels,
                  "-channel data; give either 1 or one per channel");
    if (mean_values_.size() == 1) {
      caffe_add_scalar(input_blob->count(), -mean_values_[0], input_data);
    } else {
      for (int n = 0; n < input_num; ++n) {
        for (int c = 0; c < input_channels; ++c) {
          caffe_add_scalar(input_height * input_width, -mean_values_[c],
                           input_data + input_blob->offset(n, c));
        }
      }
    }
  }

  Dtype* transformed_data = transformed_blob->mutable_cpu_data();
  for (int n = 0; n < input_num; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (int h = 0; h < height; ++h) {
        const Dtype* source =
            input_data + ((n * channels + c) * input_height + h_off + h) * input_width + w_off;
        Dtype* target = transformed_data + ((n * channels + c) * height + h) * width;
        for (int w = 0; w < width; ++w) {
          target[do_mirror ? width - 1 - w : w] = source[w];
        }
      }
    }
  }
  if (scale != Dtype(1)) caffe_scal(transformed_blob->count(), scale, transformed_data);
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(int channels, int height, int width) const {
  const int crop_size = param_.crop_size();
  CAFFE_REQUIRE(height >= crop_size && width >= crop_size, DataError, "data of size ", height,
                "x", width, " is smaller than crop_size ", crop_size);
  return {1, channels, crop_size ? crop_size : height, crop_size ? crop_size : width};
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(const Datum& datum) {
  if (datum.encoded()) return InferBlobShape(DecodeDatum(datum));
  CheckRawDatumSize(datum);
  return InferBlobShape(datum.channels(), datum.height(), datum.width());
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(const cv::Mat& cv_img) {
  return InferBlobShape(cv_img.channels(), cv_img.rows, cv_img.cols);
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(const vector<Datum>& datum_vector) {
  CAFFE_REQUIRE(!datum_vector.empty(), DataError, "no datum to infer a shape from");
  vector<int> shape = InferBlobShape(datum_vector[0]);
  shape[0] = static_cast<int>(datum_vector.size());
  return shape;
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(const vector<cv::Mat>& mat_vector) {
  CAFFE_REQUIRE(!mat_vector.empty(), DataError, "no image to infer a shape from");
  vector<int> shape = InferBlobShape(mat_vector[0]);
  shape[0] = static_cast<int>(mat_vector.size());
  return shape;
}

INSTANTIATE_CLASS(DataTransformer);

}  // namespace caffe
