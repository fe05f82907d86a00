// The augmentation preview grid: written, sized and filled as documented,
// zoomed and captioned, and read from Data and TripletData layers (one row
// per record and slot, honouring share).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "augment_test_util.hpp"
#include "caffe/augment/preview.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace augment {
namespace {

using testing_data::TempDir;

std::string TempPath(const std::string& name) {
  return "/tmp/caffe_augment_preview_" + std::to_string(getpid()) + "_" + name;
}

cv::Mat Textured(int h, int w, int c, int salt) {
  const std::vector<uint8_t> data = test::TexturedImage(h, w, c, salt);
  return cv::Mat(h, w, CV_8UC(c), const_cast<uint8_t*>(data.data())).clone();
}

cv::Mat ReadBack(const std::string& png) {
  const cv::Mat grid = cv::imread(png, cv::IMREAD_COLOR);
  std::remove(png.c_str());
  return grid;
}

PreviewOptions Samples(int samples) {
  PreviewOptions options;
  options.samples = samples;
  return options;
}

TEST(AugmentPreviewTest, WritesAGridOfInputsAndSamples) {
  AugmentationParameter param;
  param.set_random_seed(4);
  param.set_rotation(20);
  param.set_hflip_prob(0.5);
  param.set_crop_size(24);
  param.set_brightness(0.3);
  const Augmenter aug(param);
  std::vector<PreviewRow> rows(3);
  for (int i = 0; i < 3; ++i) {
    rows[i].image = Textured(28, 30, 3, i);
    rows[i].record = i;
  }
  const std::string png = TempPath("grid.png");
  WriteAugmentPreview(aug, rows, Samples(4), png);
  const cv::Mat grid = ReadBack(png);
  ASSERT_FALSE(grid.empty());
  // 3 rows of 28-pixel cells, 5 columns of 30-pixel cells, 4-pixel gaps.
  EXPECT_EQ(grid.rows, 3 * 28 + 4 * 4);
  EXPECT_EQ(grid.cols, 5 * 30 + 6 * 4);
  // The first column holds the inputs unchanged (PNG is lossless).
  for (int r = 0; r < 3; ++r) {
    const cv::Mat cell = grid(cv::Rect(4, 4 + r * 32, 30, 28));
    EXPECT_EQ(cv::norm(cell, rows[r].image, cv::NORM_INF), 0) << "row " << r;
  }
  // A sample cell equals what Apply produces for (epoch s, record r).
  AugmentedImage out;
  RecordContext ctx;
  ctx.epoch = 2;
  ctx.record = 1;
  aug.Apply(rows[1].image.data, 28, 30, 3, ctx, TRAIN, &out);
  const cv::Mat expected(24, 24, CV_8UC3, out.u8.data());
  const cv::Mat cell = grid(cv::Rect(4 + 3 * 34, 4 + 32, 24, 24));
  EXPECT_EQ(cv::norm(cell, expected, cv::NORM_INF), 0);
}

TEST(AugmentPreviewTest, ZoomEnlargesAndCaptionsAddLines) {
  AugmentationParameter param;
  param.set_random_seed(6);
  param.mutable_policy()->set_preset("AUTOAUGMENT_CIFAR10");
  const Augmenter aug(param);
  std::vector<PreviewRow> rows(2);
  for (int i = 0; i < 2; ++i) {
    rows[i].image = Textured(10, 12, 1, i);
    rows[i].key = "0000000" + std::to_string(i);
    rows[i].label = rows[i].key;
  }
  PreviewOptions options = Samples(3);
  options.zoom = 4;
  std::string png = TempPath("zoom.png");
  WriteAugmentPreview(aug, rows, options, png);
  cv::Mat grid = ReadBack(png);
  EXPECT_EQ(grid.rows, 2 * 40 + 3 * 4);
  EXPECT_EQ(grid.cols, 4 * 48 + 5 * 4);
  // Zoom is nearest neighbour: each source pixel is a 4x4 block.
  cv::Mat grey;
  cv::cvtColor(grid(cv::Rect(4, 4, 48, 40)), grey, cv::COLOR_BGR2GRAY);
  cv::Mat small;
  cv::resize(grey, small, cv::Size(12, 10), 0, 0, cv::INTER_NEAREST);
  EXPECT_EQ(cv::norm(small, rows[0].image, cv::NORM_INF), 0);
  options.captions = true;
  png = TempPath("captions.png");
  WriteAugmentPreview(aug, rows, options, png);
  const cv::Mat captioned = ReadBack(png);
  EXPECT_GT(captioned.rows, grid.rows);  // caption lines under the cells
  // The caption area holds text (light pixels) under some sample.
  const int caption_y = 4 + 40;
  const cv::Mat strip = captioned(cv::Rect(0, caption_y, captioned.cols,
                                           (captioned.rows - 3 * 4) / 2 - 40));
  cv::Mat light;
  cv::inRange(strip, cv::Scalar(200, 200, 200), cv::Scalar(255, 255, 255), light);
  EXPECT_GT(cv::countNonZero(light), 20);
  options.zoom = 0;
  EXPECT_THROW(WriteAugmentPreview(aug, rows, options, png), ConfigError);
}

TEST(AugmentPreviewTest, ReadsFilesAndReportsErrors) {
  AugmentationParameter param;
  param.set_random_seed(4);
  param.set_rotate90(true);
  const Augmenter aug(param);
  const cv::Mat image = Textured(16, 16, 1, 0);
  const std::string input = TempPath("input.png");
  ASSERT_TRUE(cv::imwrite(input, image));
  const std::string png = TempPath("files.png");
  WriteAugmentPreviewFromFiles(aug, {input}, Samples(2), png);
  const cv::Mat grid = cv::imread(png, cv::IMREAD_UNCHANGED);
  EXPECT_EQ(grid.rows, 16 + 8);
  EXPECT_EQ(grid.cols, 3 * 16 + 16);
  EXPECT_THROW(WriteAugmentPreviewFromFiles(aug, {"/nonexistent/x.png"}, Samples(2), png),
               IOError);
  EXPECT_THROW(WriteAugmentPreviewFromFiles(aug, {input}, Samples(2),
                                            "/nonexistent/dir/out.png"),
               IOError);
  std::remove(input.c_str());
  std::remove(png.c_str());
}

// A TripletData net: one row per record and slot; with share ALL the three
// slots of a record (here the same image three times) augment identically.
TEST(AugmentPreviewTest, TripletLayerGivesOneRowPerSlot) {
  TempDir dir;
  const int side = 14;
  std::vector<std::pair<string, string>> records;
  for (int r = 0; r < 3; ++r) {
    TripletDatum datum;
    datum.set_channels(1);
    datum.set_height(side);
    datum.set_width(side);
    const cv::Mat image = Textured(side, side, 1, r);
    const string bytes(reinterpret_cast<const char*>(image.data), side * side);
    datum.set_data_anchor(bytes);
    datum.set_data_pos(bytes);
    datum.set_data_neg(bytes);
    records.emplace_back("0000000" + std::to_string(r), datum.SerializeAsString());
  }
  testing_data::WriteDB("lmdb", dir.Join("triplets"), records);
  NetParameter net;
  LayerParameter* layer = net.add_layer();
  layer->set_name("triplets");
  layer->set_type("TripletData");
  layer->mutable_triplet_data_param()->set_source(dir.Join("triplets"));
  layer->mutable_triplet_data_param()->set_batch_size(2);
  AugmentationParameter* augmentation = layer->mutable_augmentation_param();
  augmentation->set_rotation(40);
  augmentation->set_brightness(0.5);
  augmentation->set_share(AugmentationParameter::ALL);
  LayerPreviewOptions options;
  options.records = 2;
  options.samples = 3;
  const std::string png = dir.Join("grid.png");
  WriteLayerPreview(net, options, png);
  const cv::Mat grid = cv::imread(png, cv::IMREAD_COLOR);
  ASSERT_FALSE(grid.empty());
  EXPECT_EQ(grid.rows, 6 * side + 7 * 4);  // 2 records x 3 slots
  EXPECT_EQ(grid.cols, 4 * side + 5 * 4);
  auto cell = [&](int row, int col) {
    return grid(cv::Rect(4 + col * (side + 4), 4 + row * (side + 4), side, side));
  };
  for (int record = 0; record < 2; ++record) {
    for (int col = 1; col < 4; ++col) {
      EXPECT_EQ(cv::norm(cell(3 * record, col), cell(3 * record + 1, col), cv::NORM_INF), 0);
      EXPECT_EQ(cv::norm(cell(3 * record, col), cell(3 * record + 2, col), cv::NORM_INF), 0);
    }
  }
  // share NONE: the slots differ.
  augmentation->set_share(AugmentationParameter::NONE);
  WriteLayerPreview(net, options, png);
  const cv::Mat independent = cv::imread(png, cv::IMREAD_COLOR);
  EXPECT_GT(cv::norm(independent(cv::Rect(4 + side + 4, 4, side, side)),
                     independent(cv::Rect(4 + side + 4, 4 + side + 4, side, side)),
                     cv::NORM_INF), 0);
  // A layer without a source, or of a type that reads no records, is a
  // ConfigError naming it.
  layer->clear_triplet_data_param();
  try {
    WriteLayerPreview(net, options, png);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(string(error.what()).find("layer 'triplets' (TripletData)"), string::npos)
        << error.what();
  }
  layer->set_type("Input");
  EXPECT_THROW(WriteLayerPreview(net, options, png), ConfigError);
}

// An ImageData layer previews its list's first lines, decoded as the layer
// decodes them (here grey, resized to 20 x 24).
TEST(AugmentPreviewTest, ImageDataLayerPreviewsItsListsFirstImages) {
  TempDir dir;
  NetParameter net;
  LayerParameter* layer = net.add_layer();
  layer->set_name("images");
  layer->set_type("ImageData");
  ImageDataParameter* image_data = layer->mutable_image_data_param();
  image_data->set_source(testing_data::DigitsDir() + "/test.txt");
  image_data->set_root_folder(testing_data::DigitsDir() + "/");
  image_data->set_is_color(false);
  image_data->set_new_height(20);
  image_data->set_new_width(24);
  layer->mutable_augmentation_param()->set_rotation(30);
  LayerPreviewOptions options;
  options.records = 3;
  options.samples = 2;
  const std::string png = dir.Join("grid.png");
  WriteLayerPreview(net, options, png);
  const cv::Mat grid = cv::imread(png, cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(grid.empty());
  EXPECT_EQ(grid.rows, 3 * 20 + 4 * 4);
  EXPECT_EQ(grid.cols, 3 * 24 + 4 * 4);
  const auto lines = testing_data::ReadDigitsList("test.txt");
  cv::Mat first;
  cv::resize(testing_data::ReadDigit(lines[0].first), first, cv::Size(24, 20), 0, 0,
             cv::INTER_LINEAR);
  EXPECT_EQ(cv::norm(grid(cv::Rect(4, 4, 24, 20)), first, cv::NORM_INF), 0);
}

}  // namespace
}  // namespace augment
}  // namespace caffe
