// The direct JPEG decoder (src/caffe/util/jpeg_decoder.hpp) against the
// obviously-correct path, cv::imdecode (+ crop): the same pixels for grey and
// colour files, chroma subsampling 4:2:0 / 4:2:2 / 4:4:4, progressive files,
// odd sizes, every colour option, and row/column windows at the borders.
// Files it must not take (EXIF, damaged, not JPEG) are refused.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "caffe/util/jpeg_decoder.hpp"

#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

namespace caffe {
namespace {

using Color = ImageDecodeOptions::Color;

// Smooth gradients plus noise, so that every DCT block and the chroma
// upsampling have something to do.
cv::Mat TestImage(int height, int width, int channels, int seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-40, 40);
  cv::Mat image(height, width, CV_8UC(channels));
  for (int h = 0; h < height; ++h) {
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        const int value = (h * 7 + w * (3 + c * 5) + c * 60) % 256 + noise(rng);
        image.ptr<uint8_t>(h)[w * channels + c] = cv::saturate_cast<uint8_t>(value);
      }
    }
  }
  return image;
}

std::string Encode(const cv::Mat& image, std::vector<int> params) {
  params.push_back(cv::IMWRITE_JPEG_QUALITY);
  params.push_back(90);
  std::vector<uchar> buffer;
  EXPECT_TRUE(cv::imencode(".jpg", image, buffer, params));
  return std::string(buffer.begin(), buffer.end());
}

// A colour JPEG with the given luma sampling factors (chroma 1x1), written
// with libjpeg itself: OpenCV 4.6 cannot choose the subsampling.
std::string EncodeSubsampled(const cv::Mat& bgr, int h_factor, int v_factor) {
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = bgr.cols;
  info.image_height = bgr.rows;
  info.input_components = 3;
  info.in_color_space = JCS_EXT_BGR;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 90, TRUE);
  info.comp_info[0].h_samp_factor = h_factor;
  info.comp_info[0].v_samp_factor = v_factor;
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(bgr.ptr<uint8_t>(static_cast<int>(info.next_scanline)));
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string bytes(reinterpret_cast<char*>(buffer), size);
  free(buffer);
  return bytes;
}

int Flags(Color color) {
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

cv::Mat Reference(const std::string& bytes, Color color) {
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                       const_cast<char*>(bytes.data()));
  return cv::imdecode(buffer, Flags(color));
}

bool Same(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  for (int h = 0; h < a.rows; ++h) {
    if (std::memcmp(a.ptr(h), b.ptr(h), a.cols * a.elemSize()) != 0) return false;
  }
  return true;
}

struct Case {
  std::string name;
  std::string bytes;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  const int sizes[][2] = {{256, 256}, {37, 53}, {1, 1}, {17, 130}, {64, 9}};
  int seed = 0;
  for (const auto& size : sizes) {
    const cv::Mat colour = TestImage(size[0], size[1], 3, ++seed);
    const std::string shape = std::to_string(size[0]) + "x" + std::to_string(size[1]);
    cases.push_back({"colour 4:2:0 " + shape, Encode(colour, {})});
    cases.push_back({"colour 4:4:4 " + shape, EncodeSubsampled(colour, 1, 1)});
    cases.push_back({"colour 4:2:2 " + shape, EncodeSubsampled(colour, 2, 1)});
    cases.push_back({"colour 4:4:0 " + shape, EncodeSubsampled(colour, 1, 2)});
    cases.push_back({"progressive " + shape, Encode(colour, {cv::IMWRITE_JPEG_PROGRESSIVE, 1})});
    cases.push_back({"restart intervals " + shape,
                     Encode(colour, {cv::IMWRITE_JPEG_RST_INTERVAL, 2})});
    cases.push_back({"grey " + shape, Encode(TestImage(size[0], size[1], 1, ++seed), {})});
  }
  return cases;
}

const Color kColors[] = {ImageDecodeOptions::NATIVE, ImageDecodeOptions::COLOR,
                         ImageDecodeOptions::GRAY};

TEST(JpegDecoderTest, WholeImageMatchesImdecode) {
  JpegDecoder decoder;
  for (const Case& test : Cases()) {
    for (Color color : kColors) {
      cv::Mat fast;
      ASSERT_TRUE(decoder.Decode(test.bytes, color, &fast)) << test.name;
      EXPECT_TRUE(Same(Reference(test.bytes, color), fast)) << test.name << ", colour option "
                                                            << color;
      int height = 0, width = 0, channels = 0;
      ASSERT_TRUE(decoder.Header(test.bytes, color, &height, &width, &channels));
      EXPECT_EQ(fast.rows, height);
      EXPECT_EQ(fast.cols, width);
      EXPECT_EQ(fast.channels(), channels);
    }
  }
}

TEST(JpegDecoderTest, WindowsMatchImdecodeCropped) {
  JpegDecoder decoder;
  std::mt19937 rng(3);
  for (const Case& test : Cases()) {
    for (Color color : kColors) {
      const cv::Mat whole = Reference(test.bytes, color);
      const int H = whole.rows, W = whole.cols;
      // {top, rows, left, cols}: corners, the middle, a single pixel, all,
      // then random windows.
      std::vector<std::vector<int>> windows = {{0, H / 2 + 1, 0, W / 2 + 1},
                                               {H / 2, H - H / 2, W / 2, W - W / 2},
                                               {H / 3, H / 3 + 1, W / 3, W / 3 + 1},
                                               {H - 1, 1, W - 1, 1},
                                               {0, H, 0, W},
                                               {H / 4, H / 2 + 1, 0, W}};
      for (int i = 0; i < 6; ++i) {
        const int top = std::uniform_int_distribution<int>(0, H - 1)(rng);
        const int left = std::uniform_int_distribution<int>(0, W - 1)(rng);
        windows.push_back({top, std::uniform_int_distribution<int>(1, H - top)(rng), left,
                           std::uniform_int_distribution<int>(1, W - left)(rng)});
      }
      for (const auto& window : windows) {
        const cv::Rect rect(window[2], window[0], window[3], window[1]);
        cv::Mat got(rect.height, rect.width, whole.type(), cv::Scalar::all(7));
        const bool taken = decoder.DecodeRows(
            test.bytes, color, window[0], window[1], window[2], window[3],
            [&](int r, const uint8_t* pixels) {
              std::memcpy(got.ptr(r), pixels, rect.width * whole.elemSize());
            });
        ASSERT_TRUE(taken) << test.name;
        EXPECT_TRUE(Same(whole(rect), got))
            << test.name << ", colour option " << color << ", rows " << window[0] << "+"
            << window[1] << ", columns " << window[2] << "+" << window[3];
      }
    }
  }
}

TEST(JpegDecoderTest, RefusesWhatImdecodeHandlesDifferently) {
  JpegDecoder decoder;
  const std::string good = Encode(TestImage(32, 48, 3, 1), {});
  cv::Mat out;
  // An EXIF block (imdecode may turn the image by its orientation).
  const char exif[] = "\xFF\xE1\x00\x10"
                      "Exif\0\0MM\0*\0\0\0\x08";
  std::string with_exif = good.substr(0, 2) + std::string(exif, sizeof(exif) - 1) + good.substr(2);
  EXPECT_FALSE(decoder.Decode(with_exif, ImageDecodeOptions::COLOR, &out));
  int height, width, channels;
  EXPECT_FALSE(decoder.Header(with_exif, ImageDecodeOptions::COLOR, &height, &width, &channels));
  // Cut short: libjpeg warns and pads; imdecode decides what that gives.
  EXPECT_FALSE(decoder.Decode(good.substr(0, good.size() / 2), ImageDecodeOptions::COLOR, &out));
  // Not a JPEG at all, and garbage after the JPEG signature.
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", TestImage(8, 8, 3, 2), png));
  EXPECT_FALSE(decoder.Decode(std::string(png.begin(), png.end()), ImageDecodeOptions::COLOR,
                              &out));
  EXPECT_FALSE(decoder.Decode(std::string("\xFF\xD8\xFF\x00garbage", 11),
                              ImageDecodeOptions::COLOR, &out));
  // Windows outside the image.
  EXPECT_FALSE(decoder.DecodeRows(good, ImageDecodeOptions::COLOR, 30, 3, 0, 4,
                                  [](int, const uint8_t*) {}));
  EXPECT_FALSE(decoder.DecodeRows(good, ImageDecodeOptions::COLOR, 0, 3, 40, 9,
                                  [](int, const uint8_t*) {}));
  // A good file still decodes after the refusals.
  EXPECT_TRUE(decoder.Decode(good, ImageDecodeOptions::COLOR, &out));
  EXPECT_TRUE(Same(Reference(good, ImageDecodeOptions::COLOR), out));
}

}  // namespace
}  // namespace caffe
