#include "caffe/util/datum_io.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace caffe {
namespace {

string ToLower(string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Whether the file name's extension names `encoding` ("jpeg" counts as "jpg").
bool ExtensionMatches(const string& filename, const string& encoding) {
  const size_t dot = filename.rfind('.');
  const string extension = dot == string::npos ? "" : ToLower(filename.substr(dot + 1));
  const string wanted = ToLower(encoding);
  return extension == wanted || (wanted == "jpg" && extension == "jpeg");
}

string ShapeText(int channels, int height, int width) {
  return internal::Concat(channels, "x", height, "x", width);
}

// Throws unless `count` values fill a positive channels x height x width.
void CheckRawSize(int64_t count, const char* unit, int channels, int height, int width,
                  const string& what) {
  CAFFE_REQUIRE(channels > 0 && height > 0 && width > 0, DataError, what,
                " is raw and needs a positive shape, got channels x height x width = ",
                ShapeText(channels, height, width));
  const int64_t expected = static_cast<int64_t>(channels) * height * width;
  CAFFE_REQUIRE(count == expected, DataError, what, " holds ", count, " ", unit,
                " but channels x height x width = ", ShapeText(channels, height, width),
                " needs ", expected);
}

// Planar (channel, row, column) values -> an interleaved H x W x C Mat.
template <typename Value>
cv::Mat PlanarToMat(const Value* values, int channels, int height, int width, int type) {
  cv::Mat image(height, width, type);
  for (int h = 0; h < height; ++h) {
    Value* row = image.ptr<Value>(h);
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        row[w * channels + c] = values[(c * height + h) * width + w];
      }
    }
  }
  return image;
}

cv::Mat Resized(const cv::Mat& image, const ImageDecodeOptions& options) {
  if (options.resize_height <= 0 || options.resize_width <= 0) return image;
  cv::Mat resized;
  cv::resize(image, resized, cv::Size(options.resize_width, options.resize_height));
  return resized;
}

int ImreadFlags(ImageDecodeOptions::Color color) {
  switch (color) {
    case ImageDecodeOptions::COLOR:
      return cv::IMREAD_COLOR;
    case ImageDecodeOptions::GRAY:
      return cv::IMREAD_GRAYSCALE;
    case ImageDecodeOptions::NATIVE:
      break;
  }
  return cv::IMREAD_UNCHANGED;
}

ImageDecodeOptions WithColor(ImageDecodeOptions::Color color) {
  ImageDecodeOptions options;
  options.color = color;
  return options;
}

}  // namespace

ImageDecodeOptions ImageDecodeOptions::FromForceFlags(bool force_color, bool force_gray,
                                                     const string& where) {
  CAFFE_REQUIRE(!(force_color && force_gray), ConfigError, where,
                " cannot set both force_color and force_gray");
  return WithColor(force_color  ? COLOR
                   : force_gray ? GRAY
                                : NATIVE);
}

cv::Mat DecodeImage(const string& bytes, bool encoded, int channels, int height, int width,
                    const ImageDecodeOptions& options, const string& what) {
  if (!encoded) {
    if (options.color != ImageDecodeOptions::NATIVE) {
      LOG_FIRST_N(WARNING, 1) << "force_color and force_gray apply to encoded images only";
    }
    CheckRawSize(static_cast<int64_t>(bytes.size()), "bytes", channels, height, width, what);
    return Resized(PlanarToMat(reinterpret_cast<const uint8_t*>(bytes.data()), channels,
                               height, width, CV_8UC(channels)),
                   options);
  }
  cv::Mat image;
  try {
    if (!bytes.empty()) {
      const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                           const_cast<char*>(bytes.data()));
      image = cv::imdecode(buffer, ImreadFlags(options.color));
    }
  } catch (const cv::Exception& e) {
    throw DataError(internal::Concat(what, " (", bytes.size(), " bytes) cannot be decoded: ",
                                     e.what()));
  }
  CAFFE_REQUIRE(!image.empty() && image.depth() == CV_8U, DataError, what, " (", bytes.size(),
                " bytes) is not a decodable 8-bit image");
  return Resized(image, options);
}

cv::Mat DecodeDatumImage(const Datum& datum, const ImageDecodeOptions& options) {
  if (datum.encoded() || !datum.data().empty()) {
    return DecodeImage(datum.data(), datum.encoded(), datum.channels(), datum.height(),
                       datum.width(), options);
  }
  CheckRawSize(datum.float_data_size(), "float values", datum.channels(), datum.height(),
               datum.width(), "the image");
  return Resized(PlanarToMat(datum.float_data().data(), datum.channels(), datum.height(),
                             datum.width(), CV_32FC(datum.channels())),
                 options);
}

cv::Mat ReadImageToCVMat(const string& filename, int height, int width, bool is_color) {
  const cv::Mat original =
      cv::imread(filename, is_color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE);
  if (!original.data) {
    LOG(ERROR) << "Could not open or find file " << filename;
    return original;
  }
  ImageDecodeOptions size;
  size.resize_height = height;
  size.resize_width = width;
  return Resized(original, size);
}

cv::Mat ReadImageToCVMat(const string& filename, bool is_color) {
  return ReadImageToCVMat(filename, 0, 0, is_color);
}

bool ReadFileToDatum(const string& filename, int label, Datum* datum) {
  std::ifstream file(filename, std::ios::binary);
  if (!file.good()) {
    LOG(ERROR) << "Could not open file " << filename;
    return false;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  datum->clear_float_data();
  datum->set_data(contents.str());
  datum->set_label(label);
  datum->set_encoded(true);
  return true;
}

bool ReadImageToDatum(const string& filename, int label, int height, int width,
                      bool is_color, const string& encoding, Datum* datum) {
  const cv::Mat image = ReadImageToCVMat(filename, height, width, is_color);
  if (!image.data) return false;
  if (encoding.empty()) {
    CVMatToDatum(image, datum);
    datum->set_label(label);
    return true;
  }
  // The file itself is the wanted encoding when nothing would change it.
  if ((image.channels() == 3) == is_color && height == 0 && width == 0 &&
      ExtensionMatches(filename, encoding)) {
    return ReadFileToDatum(filename, label, datum);
  }
  std::vector<uchar> buffer;
  if (!cv::imencode("." + encoding, image, buffer)) {
    LOG(ERROR) << "Could not encode " << filename << " as " << encoding;
    return false;
  }
  datum->set_data(string(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
  datum->set_label(label);
  datum->set_encoded(true);
  return true;
}

cv::Mat DecodeDatumToCVMatNative(const Datum& datum) {
  CAFFE_REQUIRE(datum.encoded(), DataError, "datum is not encoded");
  return DecodeDatumImage(datum, ImageDecodeOptions());
}

cv::Mat DecodeDatumToCVMat(const Datum& datum, bool is_color) {
  CAFFE_REQUIRE(datum.encoded(), DataError, "datum is not encoded");
  return DecodeDatumImage(datum, WithColor(is_color ? ImageDecodeOptions::COLOR
                                                    : ImageDecodeOptions::GRAY));
}

bool DecodeDatumNative(Datum* datum) {
  if (!datum->encoded()) return false;
  CVMatToDatum(DecodeDatumToCVMatNative(*datum), datum);
  return true;
}

bool DecodeDatum(Datum* datum, bool is_color) {
  if (!datum->encoded()) return false;
  CVMatToDatum(DecodeDatumToCVMat(*datum, is_color), datum);
  return true;
}

void CheckRawDatumSize(const Datum& datum) {
  if (datum.data().empty()) {
    CheckRawSize(datum.float_data_size(), "float values", datum.channels(), datum.height(),
                 datum.width(), "the datum");
  } else {
    CheckRawSize(static_cast<int64_t>(datum.data().size()), "bytes", datum.channels(),
                 datum.height(), datum.width(), "the datum");
  }
}

cv::Mat DatumToCVMat(const Datum& datum) {
  CAFFE_REQUIRE(!datum.encoded(), DataError, "DatumToCVMat needs a raw datum; decode it first");
  CAFFE_REQUIRE(!datum.data().empty() || datum.float_data_size() == 0, DataError,
                "DatumToCVMat needs uint8 data, the datum holds floats");
  return DecodeImage(datum.data(), false, datum.channels(), datum.height(), datum.width(),
                     ImageDecodeOptions(), "the datum");
}

void CVMatToDatum(const cv::Mat& cv_img, Datum* datum) {
  CAFFE_REQUIRE(cv_img.depth() == CV_8U, DataError,
                "image data must be 8-bit unsigned, got OpenCV depth ", cv_img.depth());
  const int channels = cv_img.channels(), height = cv_img.rows, width = cv_img.cols;
  datum->set_channels(channels);
  datum->set_height(height);
  datum->set_width(width);
  datum->clear_data();
  datum->clear_float_data();
  datum->set_encoded(false);
  string buffer(static_cast<size_t>(channels) * height * width, '\0');
  for (int h = 0; h < height; ++h) {
    const uchar* row = cv_img.ptr<uchar>(h);
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        buffer[(c * height + h) * width + w] = static_cast<char>(row[w * channels + c]);
      }
    }
  }
  datum->set_data(buffer);
}

}  // namespace caffe
