#include "caffe/data/data_transformer.hpp"

#include <opencv2/imgcodecs.hpp>

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
  const bool needs_rand = param_.mirror() || (phase_ == TRAIN && param_.crop_size());
  if (needs_rand) {
    rng_seed_ = caffe_rng_rand();
    rng_ = std::make_unique<Caffe::rng_t>(rng_seed_);
  } else {
    rng_.reset();
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::RestartRandAfter(uint64_t items) {
  if (!rng_) return;
  // Per item: one mirror coin, then a crop row and column in TRAIN.
  const uint64_t draws_per_item =
      (param_.mirror() ? 1 : 0) + ((phase_ == TRAIN && param_.crop_size()) ? 2 : 0);
  rng_->seed(rng_seed_);
  rng_->discard(items * draws_per_item);
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
  CAFFE_REQUIRE(!(param_.force_color() && param_.force_gray()), ConfigError,
                "transform_param cannot set both force_color and force_gray");
  if (param_.force_color() || param_.force_gray()) {
    return DecodeDatumToCVMat(datum, param_.force_color());
  }
  return DecodeDatumToCVMatNative(datum);
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const Datum& datum, Blob<Dtype>* transformed_blob) {
  if (datum.encoded()) {
    Transform(DecodeDatum(datum), transformed_blob);
    return;
  }
  if (param_.force_color() || param_.force_gray()) {
    LOG_FIRST_N(WARNING, 1) << "force_color and force_gray apply to encoded data only";
  }
  CheckRawDatumSize(datum);
  CheckFits(datum.channels(), datum.height(), datum.width(), *transformed_blob);
  Transform(datum, transformed_blob->mutable_cpu_data());
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const Datum& datum, Dtype* transformed_data) {
  const string& data = datum.data();
  const int datum_channels = datum.channels();
  const int datum_height = datum.height();
  const int datum_width = datum.width();
  const int crop_size = param_.crop_size();
  const Dtype scale = param_.scale();
  const bool do_mirror = param_.mirror() && Rand(2);
  const bool has_uint8 = !data.empty();

  const Dtype* mean = nullptr;
  if (param_.has_mean_file()) {
    CheckMeanFileShape(datum_channels, datum_height, datum_width);
    mean = data_mean_.cpu_data();
  }
  PrepareMeanValues(datum_channels);
  const bool has_mean_values = !mean_values_.empty();

  const int height = crop_size ? crop_size : datum_height;
  const int width = crop_size ? crop_size : datum_width;
  int h_off, w_off;
  CropOffsets(datum_height, datum_width, &h_off, &w_off);

  for (int c = 0; c < datum_channels; ++c) {
    for (int h = 0; h < height; ++h) {
      for (int w = 0; w < width; ++w) {
        const int data_index = (c * datum_height + h_off + h) * datum_width + w_off + w;
        const int top_index = (c * height + h) * width + (do_mirror ? width - 1 - w : w);
        const Dtype element = has_uint8
                                  ? static_cast<Dtype>(static_cast<uint8_t>(data[data_index]))
                                  : static_cast<Dtype>(datum.float_data(data_index));
        if (mean) {
          transformed_data[top_index] = (element - mean[data_index]) * scale;
        } else if (has_mean_values) {
          transformed_data[top_index] = (element - mean_values_[c]) * scale;
        } else {
          transformed_data[top_index] = element * scale;
        }
      }
    }
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const cv::Mat& cv_img, Blob<Dtype>* transformed_blob) {
  CAFFE_REQUIRE(cv_img.depth() == CV_8U, DataError,
                "image data must be 8-bit unsigned, got OpenCV depth ", cv_img.depth());
  const int img_channels = cv_img.channels();
  const int img_height = cv_img.rows;
  const int img_width = cv_img.cols;
  CheckFits(img_channels, img_height, img_width, *transformed_blob);
  const int height = transformed_blob->height();
  const int width = transformed_blob->width();

  const Dtype scale = param_.scale();
  const bool do_mirror = param_.mirror() && Rand(2);
  const Dtype* mean = nullptr;
  if (param_.has_mean_file()) {
    CheckMeanFileShape(img_channels, img_height, img_width);
    mean = data_mean_.cpu_data();
  }
  PrepareMeanValues(img_channels);
  const bool has_mean_values = !mean_values_.empty();

  int h_off, w_off;
  CropOffsets(img_height, img_width, &h_off, &w_off);

  Dtype* transformed_data = transformed_blob->mutable_cpu_data();
  for (int h = 0; h < height; ++h) {
    const uchar* row = cv_img.ptr<uchar>(h + h_off) + w_off * img_channels;
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < img_channels; ++c) {
        const int top_index = (c * height + h) * width + (do_mirror ? width - 1 - w : w);
        const Dtype pixel = static_cast<Dtype>(row[w * img_channels + c]);
        if (mean) {
          const int mean_index = (c * img_height + h_off + h) * img_width + w_off + w;
          transformed_data[top_index] = (pixel - mean[mean_index]) * scale;
        } else if (has_mean_values) {
          transformed_data[top_index] = (pixel - mean_values_[c]) * scale;
        } else {
          transformed_data[top_index] = pixel * scale;
        }
      }
    }
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const vector<Datum>& datum_vector,
                                       Blob<Dtype>* transformed_blob) {
  const int datum_num = static_cast<int>(datum_vector.size());
  CAFFE_REQUIRE(datum_num > 0, DataError, "no datum to transform");
  CAFFE_REQUIRE(datum_num <= transformed_blob->num(), ShapeError, datum_num,
                " datums do not fit a blob of shape ", transformed_blob->shape_string());
  Blob<Dtype> item(1, transformed_blob->channels(), transformed_blob->height(),
                   transformed_blob->width());
  for (int item_id = 0; item_id < datum_num; ++item_id) {
    item.set_cpu_data(transformed_blob->mutable_cpu_data() + transformed_blob->offset(item_id));
    Transform(datum_vector[item_id], &item);
  }
}

template <typename Dtype>
void DataTransformer<Dtype>::Transform(const vector<cv::Mat>& mat_vector,
                                       Blob<Dtype>* transformed_blob) {
  const int mat_num = static_cast<int>(mat_vector.size());
  CAFFE_REQUIRE(mat_num > 0, DataError, "no image to transform");
  CAFFE_REQUIRE(mat_num == transformed_blob->num(), ShapeError, mat_num,
                " images need a blob of that many items, got ",
                transformed_blob->shape_string());
  Blob<Dtype> item(1, transformed_blob->channels(), transformed_blob->height(),
                   transformed_blob->width());
  for (int item_id = 0; item_id < mat_num; ++item_id) {
    item.set_cpu_data(transformed_blob->mutable_cpu_data() + transformed_blob->offset(item_id));
    Transform(mat_vector[item_id], &item);
  }
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
vector<int> DataTransformer<Dtype>::InferBlobShape(const Datum& datum) {
  if (datum.encoded()) return InferBlobShape(DecodeDatum(datum));
  CheckRawDatumSize(datum);
  const int crop_size = param_.crop_size();
  CAFFE_REQUIRE(datum.height() >= crop_size && datum.width() >= crop_size, DataError,
                "data of size ", datum.height(), "x", datum.width(),
                " is smaller than crop_size ", crop_size);
  return {1, datum.channels(), crop_size ? crop_size : datum.height(),
          crop_size ? crop_size : datum.width()};
}

template <typename Dtype>
vector<int> DataTransformer<Dtype>::InferBlobShape(const cv::Mat& cv_img) {
  const int crop_size = param_.crop_size();
  CAFFE_REQUIRE(cv_img.rows >= crop_size && cv_img.cols >= crop_size, DataError,
                "image of size ", cv_img.rows, "x", cv_img.cols, " is smaller than crop_size ",
                crop_size);
  return {1, cv_img.channels(), crop_size ? crop_size : cv_img.rows,
          crop_size ? crop_size : cv_img.cols};
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
