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

cv::Mat DecodeBytes(const Datum& datum, int flags) {
  CAFFE_REQUIRE(datum.encoded(), DataError, "datum is not encoded");
  const string& data = datum.data();
  const cv::Mat buffer(1, static_cast<int>(data.size()), CV_8UC1,
                       const_cast<char*>(data.data()));
  cv::Mat image;
  if (!data.empty()) image = cv::imdecode(buffer, flags);
  CAFFE_REQUIRE(image.data, DataError, "cannot decode the encoded image (", data.size(),
                " bytes)");
  return image;
}

}  // namespace

cv::Mat ReadImageToCVMat(const string& filename, int height, int width, bool is_color) {
  const cv::Mat original =
      cv::imread(filename, is_color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE);
  if (!original.data) {
    LOG(ERROR) << "Could not open or find file " << filename;
    return original;
  }
  if (height > 0 && width > 0) {
    cv::Mat resized;
    cv::resize(original, resized, cv::Size(width, height));
    return resized;
  }
  return original;
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
  return DecodeBytes(datum, cv::IMREAD_UNCHANGED);
}

cv::Mat DecodeDatumToCVMat(const Datum& datum, bool is_color) {
  return DecodeBytes(datum, is_color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE);
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
  CAFFE_REQUIRE(datum.channels() > 0 && datum.height() > 0 && datum.width() > 0, DataError,
                "datum has shape ", datum.channels(), "x", datum.height(), "x", datum.width(),
                "; every dimension must be positive");
  const int64_t expected =
      static_cast<int64_t>(datum.channels()) * datum.height() * datum.width();
  if (!datum.data().empty()) {
    CAFFE_REQUIRE(static_cast<int64_t>(datum.data().size()) == expected, DataError,
                  "datum holds ", datum.data().size(), " bytes but its shape ",
                  datum.channels(), "x", datum.height(), "x", datum.width(), " needs ",
                  expected);
  } else {
    CAFFE_REQUIRE(datum.float_data_size() == expected, DataError, "datum holds ",
                  datum.float_data_size(), " float values but its shape ", datum.channels(),
                  "x", datum.height(), "x", datum.width(), " needs ", expected);
  }
}

cv::Mat DatumToCVMat(const Datum& datum) {
  CAFFE_REQUIRE(!datum.encoded(), DataError, "DatumToCVMat needs a raw datum; decode it first");
  CheckRawDatumSize(datum);
  CAFFE_REQUIRE(!datum.data().empty(), DataError,
                "DatumToCVMat needs uint8 data, the datum holds floats");
  const int channels = datum.channels(), height = datum.height(), width = datum.width();
  cv::Mat image(height, width, CV_8UC(channels));
  const string& data = datum.data();
  for (int h = 0; h < height; ++h) {
    uchar* row = image.ptr<uchar>(h);
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        row[w * channels + c] = static_cast<uchar>(data[(c * height + h) * width + w]);
      }
    }
  }
  return image;
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
