// The transform_param pixel kernels (src/caffe/data/crop_transform.hpp)
// against their reference, bit for bit, over every mean mode, mirror, crop
// windows at the borders, and uint8 and float images of 1, 3 and 4 channels,
// interleaved and planar.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "caffe/data/crop_transform.hpp"

namespace caffe {
namespace {

enum MeanMode { NO_MEAN, MEAN_VALUES, MEAN_IMAGE };

template <typename Pixel>
cv::Mat RandomImage(int height, int width, int channels, std::mt19937* rng) {
  cv::Mat image(height, width, CV_MAKETYPE(cv::DataType<Pixel>::depth, channels));
  std::uniform_int_distribution<int> value(0, 255);
  for (int h = 0; h < height; ++h) {
    Pixel* row = image.ptr<Pixel>(h);
    for (int i = 0; i < width * channels; ++i) {
      row[i] = static_cast<Pixel>(value(*rng)) + static_cast<Pixel>(value(*rng) % 2 ? 0.25 : 0);
    }
  }
  return image;
}

// The same pixels planar, channel by channel, as a raw Datum holds them.
template <typename Pixel>
std::vector<Pixel> Planar(const cv::Mat& image) {
  const int channels = image.channels();
  std::vector<Pixel> planes(static_cast<size_t>(channels) * image.rows * image.cols);
  for (int h = 0; h < image.rows; ++h) {
    for (int w = 0; w < image.cols; ++w) {
      for (int c = 0; c < channels; ++c) {
        planes[(static_cast<size_t>(c) * image.rows + h) * image.cols + w] =
            image.ptr<Pixel>(h)[w * channels + c];
      }
    }
  }
  return planes;
}

// Sizes: image height, width, then the crop's; the second is wider than the
// kernels' chunks.
const int kSizes[][4] = {{13, 17, 9, 11}, {5, 200, 4, 150}};

template <typename Dtype, typename Pixel>
void ExpectKernelsAgree(int channels, MeanMode mode, bool mirror, const int* size,
                        std::mt19937* rng) {
  const int image_height = size[0], image_width = size[1], height = size[2], width = size[3];
  const cv::Mat image = RandomImage<Pixel>(image_height, image_width, channels, rng);
  std::uniform_real_distribution<double> real(0, 255);
  std::vector<Dtype> mean_image(static_cast<size_t>(channels) * image_height * image_width);
  for (Dtype& value : mean_image) value = static_cast<Dtype>(real(*rng));
  std::vector<Dtype> mean_values(channels);
  for (Dtype& value : mean_values) value = static_cast<Dtype>(real(*rng));
  // Corners and the middle of the possible crop windows.
  const int offsets[][2] = {{0, 0}, {image_height - height, image_width - width}, {1, 3}};
  for (const auto& offset : offsets) {
    CropTransform<Dtype> crop;
    crop.channels = channels;
    crop.image_height = image_height;
    crop.image_width = image_width;
    crop.h_off = offset[0];
    crop.w_off = offset[1];
    crop.height = height;
    crop.width = width;
    crop.mirror = mirror;
    crop.scale = static_cast<Dtype>(0.00390625 * 3.1);
    if (mode == MEAN_IMAGE) crop.mean_image = mean_image.data();
    if (mode == MEAN_VALUES) crop.mean_values = mean_values.data();
    std::vector<Dtype> table;
    crop.Prepare(&table);
    const size_t count = static_cast<size_t>(channels) * height * width;
    std::vector<Dtype> fast(count, Dtype(-7)), reference(count, Dtype(-9));
    TransformCrop<Dtype, Pixel>(crop, image, fast.data());
    TransformCropReference<Dtype, Pixel>(crop, image, reference.data());
    EXPECT_EQ(0, std::memcmp(fast.data(), reference.data(), count * sizeof(Dtype)))
        << channels << " channels, mean mode " << mode << ", mirror " << mirror << ", offset "
        << offset[0] << "," << offset[1];
    std::vector<Dtype> from_planes(count, Dtype(-5));
    TransformCropPlanar<Dtype, Pixel>(crop, Planar<Pixel>(image).data(), from_planes.data());
    EXPECT_EQ(0, std::memcmp(from_planes.data(), reference.data(), count * sizeof(Dtype)))
        << "planar input, " << channels << " channels, mean mode " << mode << ", mirror "
        << mirror << ", offset " << offset[0] << "," << offset[1];
  }
}

template <typename Dtype, typename Pixel>
void ExpectAllAgree() {
  std::mt19937 rng(5);
  for (int channels : {1, 3, 4}) {
    for (MeanMode mode : {NO_MEAN, MEAN_VALUES, MEAN_IMAGE}) {
      for (bool mirror : {false, true}) {
        for (const auto& size : kSizes) {
          ExpectKernelsAgree<Dtype, Pixel>(channels, mode, mirror, size, &rng);
        }
      }
    }
  }
}

TEST(CropTransformTest, FloatOutputFromBytes) { ExpectAllAgree<float, uint8_t>(); }
TEST(CropTransformTest, FloatOutputFromFloats) { ExpectAllAgree<float, float>(); }
TEST(CropTransformTest, DoubleOutputFromBytes) { ExpectAllAgree<double, uint8_t>(); }
TEST(CropTransformTest, DoubleOutputFromFloats) { ExpectAllAgree<double, float>(); }

// The channel split (SSSE3 shuffles on this machine) against its plain loop,
// for every width up to a few blocks of 16 pixels and at unaligned starts.
TEST(CropTransformTest, SplitChannels3MatchesItsReference) {
  std::mt19937 rng(3);
  std::vector<uint8_t> pixels(3 * 80 + 7);
  for (uint8_t& value : pixels) value = static_cast<uint8_t>(rng());
  for (int start = 0; start < 7; ++start) {
    for (int width = 0; width <= 80; ++width) {
      std::vector<uint8_t> fast(3 * width + 3, 0xAB), reference(3 * width + 3, 0xCD);
      const uint8_t* in = pixels.data() + start;
      SplitChannels3(in, width, &fast[0], &fast[width + 1], &fast[2 * width + 2]);
      SplitChannels3Reference(in, width, &reference[0], &reference[width + 1],
                              &reference[2 * width + 2]);
      for (int c = 0; c < 3; ++c) {
        for (int w = 0; w < width; ++w) {
          ASSERT_EQ(fast[c * (width + 1) + w], reference[c * (width + 1) + w])
              << "start " << start << ", width " << width << ", channel " << c << ", pixel " << w;
        }
        // Nothing past the row is written.
        if (c < 2) {
          ASSERT_EQ(fast[c * (width + 1) + width], 0xAB);
        }
      }
    }
  }
}

// The row kernel alone gives the same rows as the whole-image one.
TEST(CropTransformTest, RowsOneAtATime) {
  std::mt19937 rng(9);
  const cv::Mat image = RandomImage<uint8_t>(20, 30, 3, &rng);
  const float means[3] = {104, 117, 123};
  CropTransform<float> crop;
  crop.channels = 3;
  crop.image_height = 20;
  crop.image_width = 30;
  crop.h_off = 4;
  crop.w_off = 7;
  crop.height = 16;
  crop.width = 16;
  crop.mirror = true;
  crop.mean_values = means;
  std::vector<float> table;
  crop.Prepare(&table);
  std::vector<float> by_rows(3 * 16 * 16), whole(3 * 16 * 16);
  for (int h = 0; h < crop.height; ++h) {
    TransformCropRow<float, uint8_t>(crop, image.ptr<uint8_t>(crop.h_off + h) + 3 * crop.w_off, h,
                                     by_rows.data());
  }
  FinishTransformCrop();
  TransformCropReference<float, uint8_t>(crop, image, whole.data());
  EXPECT_EQ(whole, by_rows);
}

}  // namespace
}  // namespace caffe
