// The augmentation preview grid: written, sized and filled as documented.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <string>

#include "augment_test_util.hpp"
#include "caffe/augment/preview.hpp"

namespace caffe {
namespace augment {
namespace {

std::string TempPath(const std::string& name) {
  return "/tmp/caffe_augment_preview_" + std::to_string(getpid()) + "_" + name;
}

TEST(AugmentPreviewTest, WritesAGridOfInputsAndSamples) {
  AugmentationParameter param;
  param.set_random_seed(4);
  param.set_rotation(20);
  param.set_hflip_prob(0.5);
  param.set_crop_size(24);
  param.set_brightness(0.3);
  const Augmenter aug(param);
  std::vector<cv::Mat> images;
  for (int i = 0; i < 3; ++i) {
    const std::vector<uint8_t> data = test::TexturedImage(28, 30, 3, i);
    images.push_back(cv::Mat(28, 30, CV_8UC3, const_cast<uint8_t*>(data.data())).clone());
  }
  const std::string png = TempPath("grid.png");
  WriteAugmentPreview(aug, images, 4, png);
  const cv::Mat grid = cv::imread(png, cv::IMREAD_COLOR);
  std::remove(png.c_str());
  ASSERT_FALSE(grid.empty());
  // 3 rows of 28-pixel cells, 5 columns of 30-pixel cells, 4-pixel gaps.
  EXPECT_EQ(grid.rows, 3 * 28 + 4 * 4);
  EXPECT_EQ(grid.cols, 5 * 30 + 6 * 4);
  // The first column holds the inputs unchanged (PNG is lossless).
  for (int r = 0; r < 3; ++r) {
    const cv::Mat cell = grid(cv::Rect(4, 4 + r * 32, 30, 28));
    EXPECT_EQ(cv::norm(cell, images[r], cv::NORM_INF), 0) << "row " << r;
  }
  // A sample cell equals what Apply produces for (epoch s, record r).
  AugmentedImage out;
  RecordContext ctx;
  ctx.epoch = 2;
  ctx.record = 1;
  aug.Apply(images[1].data, 28, 30, 3, ctx, TRAIN, &out);
  const cv::Mat expected(24, 24, CV_8UC3, out.u8.data());
  const cv::Mat cell = grid(cv::Rect(4 + 3 * 34, 4 + 32, 24, 24));
  EXPECT_EQ(cv::norm(cell, expected, cv::NORM_INF), 0);
}

TEST(AugmentPreviewTest, ReadsFilesAndReportsErrors) {
  AugmentationParameter param;
  param.set_random_seed(4);
  param.set_rotate90(true);
  const Augmenter aug(param);
  const std::vector<uint8_t> data = test::TexturedImage(16, 16, 1);
  const std::string input = TempPath("input.png");
  ASSERT_TRUE(cv::imwrite(input, cv::Mat(16, 16, CV_8UC1,
                                         const_cast<uint8_t*>(data.data()))));
  const std::string png = TempPath("files.png");
  WriteAugmentPreviewFromFiles(aug, {input}, 2, png);
  const cv::Mat grid = cv::imread(png, cv::IMREAD_UNCHANGED);
  EXPECT_EQ(grid.rows, 16 + 8);
  EXPECT_EQ(grid.cols, 3 * 16 + 16);
  EXPECT_THROW(WriteAugmentPreviewFromFiles(aug, {"/nonexistent/x.png"}, 2, png),
               IOError);
  EXPECT_THROW(WriteAugmentPreviewFromFiles(aug, {input}, 2,
                                            "/nonexistent/dir/out.png"),
               IOError);
  std::remove(input.c_str());
  std::remove(png.c_str());
}

}  // namespace
}  // namespace augment
}  // namespace caffe
