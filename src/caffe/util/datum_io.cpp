#include "caffe/util/datum_io.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "caffe/util/jpeg_decoder.hpp"

namespace caffe {
namespace {

const int64_t kDefaultMaxImagePixels = int64_t(1) << 27;

int64_t InitialMaxImagePixels() {
  const char* text = std::getenv("CAFFE_MAX_IMAGE_PIXELS");
  if (!text || !*text) return kDefaultMaxImagePixels;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value <= 0) {
    LOG(WARNING) << "ignoring CAFFE_MAX_IMAGE_PIXELS='" << text
                 << "': not a positive integer; the limit stays " << kDefaultMaxImagePixels;
    return kDefaultMaxImagePixels;
  }
  return value;
}

std::atomic<int64_t>& MaxPixels() {
  static std::atomic<int64_t> limit(InitialMaxImagePixels());
  return limit;
}

uint32_t BigEndian(const unsigned char* p, int bytes) {
  uint32_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | p[i];
  return value;
}

uint32_t LittleEndian(const unsigned char* p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

bool JpegDimensions(const unsigned char* p, size_t size, int64_t* width, int64_t* height) {
  size_t at = 2;
  while (at + 4 <= size) {
    if (p[at] != 0xFF) return false;
    const unsigned char marker = p[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      at += 2;
      continue;
    }
    const size_t length = BigEndian(p + at + 2, 2);
    const bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
                                marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (at + 9 > size) return false;
      *height = BigEndian(p + at + 5, 2);
      *width = BigEndian(p + at + 7, 2);
      return true;
    }
    if (marker == 0xD9 || marker == 0xDA || length < 2) return false;
    at += 2 + length;
  }
  return false;
}

bool PnmDimensions(const unsigned char* p, size_t size, int64_t* width, int64_t* height) {
  size_t at = 2;
  int64_t values[2];
  for (int64_t& value : values) {
    for (;;) {  // whitespace and comments
      while (at < size && std::isspace(p[at])) ++at;
      if (at < size && p[at] == '#') {
        while (at < size && p[at] != '\n') ++at;
        continue;
      }
      break;
    }
    if (at >= size || !std::isdigit(p[at])) return false;
    value = 0;
    while (at < size && std::isdigit(p[at]) && value < (int64_t(1) << 40)) {
      value = value * 10 + (p[at++] - '0');
    }
  }
  *width = values[0];
  *height = values[1];
  return true;
}

bool TiffDimensions(const unsigned char* p, size_t size, int64_t* width, int64_t* height) {
  const bool little = p[0] == 'I';
  auto read = [&](size_t at, int bytes) {
    return little ? LittleEndian(p + at, bytes) : BigEndian(p + at, bytes);
  };
  const size_t directory = read(4, 4);
  if (directory + 2 > size) return false;
  const size_t entries = read(directory, 2);
  *width = *height = -1;
  for (size_t i = 0; i < entries && directory + 2 + 12 * (i + 1) <= size; ++i) {
    const size_t entry = directory + 2 + 12 * i;
    const uint32_t tag = read(entry, 2), type = read(entry + 2, 2);
    const int64_t value = type == 3 ? read(entry + 8, 2) : read(entry + 8, 4);
    if (tag == 256) *width = value;
    if (tag == 257) *height = value;
  }
  return *width >= 0 && *height >= 0;
}

}  // namespace

bool ImageDimensions(const string& bytes, int64_t* width, int64_t* height) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (size >= 24 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
    *width = BigEndian(p + 16, 4);
    *height = BigEndian(p + 20, 4);
    return true;
  }
  if (size >= 4 && p[0] == 0xFF && p[1] == 0xD8) return JpegDimensions(p, size, width, height);
  if (size >= 26 && p[0] == 'B' && p[1] == 'M') {
    if (LittleEndian(p + 14, 4) == 12) {
      *width = LittleEndian(p + 18, 2);
      *height = LittleEndian(p + 20, 2);
    } else {
      *width = static_cast<int32_t>(LittleEndian(p + 18, 4));
      *height = static_cast<int32_t>(LittleEndian(p + 22, 4));
    }
    *width = std::llabs(*width);
    *height = std::llabs(*height);
    return true;
  }
  if (size >= 10 && (std::memcmp(p, "GIF87a", 6) == 0 || std::memcmp(p, "GIF89a", 6) == 0)) {
    *width = LittleEndian(p + 6, 2);
    *height = LittleEndian(p + 8, 2);
    return true;
  }
  if (size >= 30 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) {
    if (std::memcmp(p + 12, "VP8 ", 4) == 0) {
      *width = LittleEndian(p + 26, 2) & 0x3FFF;
      *height = LittleEndian(p + 28, 2) & 0x3FFF;
      return true;
    }
    if (std::memcmp(p + 12, "VP8L", 4) == 0) {
      const uint32_t bits = LittleEndian(p + 21, 4);
      *width = (bits & 0x3FFF) + 1;
      *height = ((bits >> 14) & 0x3FFF) + 1;
      return true;
    }
    if (std::memcmp(p + 12, "VP8X", 4) == 0) {
      *width = LittleEndian(p + 24, 3) + 1;
      *height = LittleEndian(p + 27, 3) + 1;
      return true;
    }
    return false;
  }
  if (size >= 3 && p[0] == 'P' && p[1] >= '1' && p[1] <= '7') {
    return PnmDimensions(p, size, width, height);
  }
  if (size >= 8 && (std::memcmp(p, "II*\0", 4) == 0 || std::memcmp(p, "MM\0*", 4) == 0)) {
    return TiffDimensions(p, size, width, height);
  }
  return false;
}

int64_t MaxImagePixels() { return MaxPixels().load(); }

void SetMaxImagePixels(int64_t limit) {
  CAFFE_REQUIRE(limit > 0, ConfigError, "the image pixel limit must be positive, got ", limit);
  MaxPixels() = limit;
}

void CheckImagePixels(const string& bytes, const string& what) {
  int64_t width = 0, height = 0;
  if (!ImageDimensions(bytes, &width, &height)) return;
  const long double pixels = static_cast<long double>(width) * height;
  CAFFE_REQUIRE(pixels <= MaxImagePixels(), DataError, what, " is a ", width, " x ", height,
                " image (", static_cast<long long>(pixels), " pixels, from ", bytes.size(),
                " bytes of file), more than the limit of ", MaxImagePixels(),
                " pixels; raise it with -max_image_pixels (tools), caffe.set_max_image_pixels "
                "(Python) or CAFFE_MAX_IMAGE_PIXELS if the image is genuine");
}

void SerializeRecord(const google::protobuf::Message& record, const string& what,
                     string* serialized) {
  const size_t size = record.ByteSizeLong();
  CAFFE_REQUIRE(size <= static_cast<size_t>(INT_MAX), DataError, what, " gives a record of ",
                HumanBytes(static_cast<double>(size)), " (", size,
                " bytes), more than the 2 GiB a protobuf record can hold; resize the image "
                "(-resize_height/-resize_width) or store it encoded (-encoded)");
  CAFFE_REQUIRE(record.SerializeToString(serialized), DataError, "cannot serialise ", what);
}

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

void CheckRawImage(size_t byte_count, int channels, int height, int width,
                   const ImageDecodeOptions& options, const string& what) {
  if (options.color != ImageDecodeOptions::NATIVE) {
    LOG_FIRST_N(WARNING, 1) << "force_color and force_gray apply to encoded images only";
  }
  CheckRawSize(static_cast<int64_t>(byte_count), "bytes", channels, height, width, what);
}

cv::Mat DecodeImage(const string& bytes, bool encoded, int channels, int height, int width,
                    const ImageDecodeOptions& options, const string& what) {
  if (!encoded) {
    CheckRawImage(bytes.size(), channels, height, width, options, what);
    return Resized(PlanarToMat(reinterpret_cast<const uint8_t*>(bytes.data()), channels,
                               height, width, CV_8UC(channels)),
                   options);
  }
  CheckImagePixels(bytes, what);
  cv::Mat image;
  // JPEGs that libjpeg-turbo decodes exactly as imdecode does go to it
  // directly (no RGB-to-BGR pass); the rest to OpenCV.
  thread_local JpegDecoder jpeg;
  if (jpeg.Decode(bytes, options.color, &image)) return Resized(image, options);
  image.release();
  try {
    if (!bytes.empty()) {
      const cv::Mat buffer(1, static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)), CV_8UC1,
                           const_cast<char*>(bytes.data()));
      image = cv::imdecode(buffer, ImreadFlags(options.color));
    }
  } catch (const cv::Exception& e) {
    throw DataError(internal::Concat(what, " (", bytes.size(), " bytes) cannot be decoded: ",
                                     e.what()));
  }
  CAFFE_REQUIRE(!image.empty() && image.depth() == CV_8U, DataError, what, " (", bytes.size(),
                " bytes) cannot be decoded as an 8-bit image");
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
  CAFFE_REQUIRE(static_cast<long double>(std::max(height, 0)) * std::max(width, 0) <=
                    MaxImagePixels(),
                ConfigError, "resizing ", filename, " to ", width, " x ", height,
                " would exceed the limit of ", MaxImagePixels(), " pixels per image");
  std::ifstream file(filename, std::ios::binary);
  std::ostringstream contents;
  if (file.good()) contents << file.rdbuf();
  const string bytes = contents.str();
  cv::Mat original;
  if (!bytes.empty()) {
    CheckImagePixels(bytes, filename);
    const cv::Mat buffer(1, static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    original = cv::imdecode(buffer, is_color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE);
  }
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
