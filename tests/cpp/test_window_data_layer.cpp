// WindowData: windows warped as documented (plain windows against
// cv::resize of the box; a context-padded window at the image's corner
// against hand-computed placement), the upstream draw order (which window,
// then the mirror) from a generator seeded by the second Caffe draw, the
// number of draws taken from the Caffe stream, mean and scale, the image
// cache, exact resume, and bad window files and options.
#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "caffe/util/io.hpp"
#include "layer_test_helpers.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;

// Two colour images with distinct, position-dependent pixels.
void WriteImages(const TempDir& dir) {
  for (int i = 0; i < 2; ++i) {
    cv::Mat image(24 + 4 * i, 30, CV_8UC3);
    for (int y = 0; y < image.rows; ++y) {
      for (int x = 0; x < image.cols; ++x) {
        image.at<cv::Vec3b>(y, x) = cv::Vec3b((7 * x + 3 * y + 50 * i) % 256,
                                              (11 * y + x * x + 9 * i) % 256, (x * y + 31 * i) % 256);
      }
    }
    cv::imwrite(dir.Join("image" + std::to_string(i) + ".png"), image);
  }
}

// Image 0 (30x24): foreground windows of classes 2 and 5, a background one
// and one between the thresholds (0.2 and 0.6: unused); image 1 (30x28): one
// foreground and one background window.
const char* const kWindowFile =
    "# 0\nimage0.png\n3\n24\n30\n4\n"
    "2 0.9 2 3 17 20\n"
    "5 0.7 10 0 29 11\n"
    "1 0.1 0 0 8 8\n"
    "3 0.3 1 1 5 5\n"
    "# 1\nimage1.png\n3 28 30\n2\n"
    "4 0.8 5 6 25 27\n"
    "0 0.0 12 12 20 20\n";

struct Box {
  int image, x1, y1, x2, y2;
  float label;
};
// The windows of kWindowFile, foreground then background, in file order.
const std::vector<Box> kForeground = {{0, 2, 3, 17, 20, 2}, {0, 10, 0, 29, 11, 5},
                                      {1, 5, 6, 25, 27, 4}};
const std::vector<Box> kBackground = {{0, 0, 0, 8, 8, 0}, {1, 12, 12, 20, 20, 0}};

string Param(const string& dir, const string& extra_window = "fg_fraction: 0.5",
             const string& transform = "crop_size: 9 mirror: true") {
  return "name: 'windows' type: 'WindowData' top: 'data' top: 'label' "
         "window_data_param { source: '" +
         dir + "/windows.txt' root_folder: '" + dir + "/' batch_size: 8 fg_threshold: 0.6 bg_threshold: 0.2 " +
         extra_window + " } transform_param { " + transform + " }";
}

template <typename Dtype>
class WindowDataLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteImages(dir_);
    WriteWindowFile(kWindowFile);
  }
  void WriteWindowFile(const string& text) {
    std::ofstream(dir_.Join("windows.txt")) << text;
  }
  // `batches` forwards after `skip` resumed ones, seeded with 1701.
  vector<vector<Dtype>> Run(const string& text, int batches, int skip = 0) {
    Caffe::set_random_seed(1701);
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp({}, tops_);
    if (skip > 0) layer->SkipForwardPasses(skip);
    vector<vector<Dtype>> out;
    for (int b = 0; b < batches; ++b) {
      layer->Forward({}, tops_);
      vector<Dtype> values(data_.cpu_data(), data_.cpu_data() + data_.count());
      values.insert(values.end(), label_.cpu_data(), label_.cpu_data() + label_.count());
      out.push_back(values);
    }
    return out;
  }

  TempDir dir_;
  Blob<Dtype> data_, label_;
  vector<Blob<Dtype>*> tops_{&data_, &label_};
};

TYPED_TEST_SUITE(WindowDataLayerTest, TestDtypes);

// Without context the box itself is resized to crop_size; the generator is
// seeded with the second Caffe draw (the first seeds upstream's transformer)
// and gives, per window, the pick and then the mirror.
TYPED_TEST(WindowDataLayerTest, WarpsTheDrawnWindowsInUpstreamsOrder) {
  typedef TypeParam Dtype;
  const vector<vector<Dtype>> got = this->Run(Param(this->dir_.path()), 2);
  Caffe::set_random_seed(1701);
  caffe_rng_rand();
  Caffe::rng_t draws(caffe_rng_rand());
  const int crop = 9, items = 8;
  for (int b = 0; b < 2; ++b) {
    for (int item = 0; item < items; ++item) {
      const std::vector<Box>& list = item < 4 ? kBackground : kForeground;
      const Box& box = list[draws() % list.size()];
      const bool flip = draws() % 2;
      cv::Mat image = cv::imread(this->dir_.Join("image" + std::to_string(box.image) + ".png"),
                                 cv::IMREAD_COLOR);
      cv::Mat warped;
      cv::resize(image(cv::Rect(box.x1, box.y1, box.x2 - box.x1 + 1, box.y2 - box.y1 + 1)),
                 warped, cv::Size(crop, crop), 0, 0, cv::INTER_LINEAR);
      if (flip) cv::flip(warped, warped, 1);
      for (int c = 0; c < 3; ++c) {
        for (int y = 0; y < crop; ++y) {
          for (int x = 0; x < crop; ++x) {
            ASSERT_EQ(got[b][((item * 3 + c) * crop + y) * crop + x],
                      Dtype(warped.at<cv::Vec3b>(y, x)[c]))
                << "batch " << b << " item " << item << " channel " << c << " at " << x << ", "
                << y;
          }
        }
      }
      EXPECT_EQ(got[b][items * 3 * crop * crop + item], Dtype(box.label));
    }
  }
}

// Window (0,0)-(9,9) of a 30x24 image, crop 10, context_pad 2: widened by
// 10/6 about its centre (5, 5) to (-3,-3)-(13,13), 17 pixels across; the 14
// inside the image warp to round(14 * 10/17) = 8 and the 3 cut off to
// round(3 * 10/17) = 2 rows and columns of zeros at the top and left (at the
// right when mirrored).
TYPED_TEST(WindowDataLayerTest, ContextPaddingPlacesTheClippedWindowAsUpstream) {
  typedef TypeParam Dtype;
  this->WriteWindowFile("# 0\nimage0.png\n3 24 30\n1\n1 0.9 0 0 9 9\n");
  const string dir = this->dir_.path();
  const string text = Param(dir, "fg_fraction: 1 context_pad: 2", "crop_size: 10");
  const vector<Dtype> got = this->Run(text, 1)[0];
  cv::Mat image = cv::imread(dir + "/image0.png", cv::IMREAD_COLOR), warped;
  cv::resize(image(cv::Rect(0, 0, 14, 14)), warped, cv::Size(8, 8), 0, 0, cv::INTER_LINEAR);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 10; ++y) {
      for (int x = 0; x < 10; ++x) {
        const Dtype expected = (y < 2 || x < 2) ? Dtype(0) : Dtype(warped.at<cv::Vec3b>(y - 2, x - 2)[c]);
        ASSERT_EQ(got[(c * 10 + y) * 10 + x], expected) << c << " " << x << " " << y;
      }
    }
  }
}

// Setup takes four Caffe draws in TRAIN (upstream: transformer seed, the
// layer's seed, transformer seed again, the prefetch thread's seed) and two
// in TEST without mirror (its transformer needs none), so the layers after it
// draw what they would upstream.
TYPED_TEST(WindowDataLayerTest, TakesUpstreamsDrawsFromTheCaffeStream) {
  const string dir = this->dir_.path();
  for (Phase phase : {TRAIN, TEST}) {
    Caffe::set_random_seed(5);
    const int draws = phase == TRAIN ? 4 : 2;
    for (int i = 0; i < draws; ++i) caffe_rng_rand();
    const unsigned int expected = caffe_rng_rand();
    Caffe::set_random_seed(5);
    auto layer = MakeLayer<TypeParam>(Param(dir, "fg_fraction: 0.5", "crop_size: 9"), phase);
    layer->SetUp({}, this->tops_);
    EXPECT_EQ(caffe_rng_rand(), expected) << "phase " << phase;
  }
}

TYPED_TEST(WindowDataLayerTest, MeanValueMeanFileAndScale) {
  typedef TypeParam Dtype;
  const string dir = this->dir_.path();
  const vector<Dtype> plain = this->Run(Param(dir, "fg_fraction: 0.5", "crop_size: 9 mirror: true"), 1)[0];
  const vector<Dtype> values = this->Run(
      Param(dir, "fg_fraction: 0.5 scale: 0.5", "crop_size: 9 mirror: true mean_value: 10 mean_value: 20 mean_value: 30"),
      1)[0];
  // A mean file of 3 x 11 x 11 whose centre 9 x 9 holds c * 100 + y * 9 + x.
  BlobProto mean;
  mean.mutable_shape()->add_dim(1);
  mean.mutable_shape()->add_dim(3);
  mean.mutable_shape()->add_dim(11);
  mean.mutable_shape()->add_dim(11);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 11; ++y) {
      for (int x = 0; x < 11; ++x) mean.add_data(c * 100 + (y - 1) * 9 + (x - 1));
    }
  }
  WriteProtoToBinaryFile(mean, dir + "/mean.binaryproto");
  const vector<Dtype> file = this->Run(
      Param(dir, "fg_fraction: 0.5 scale: 2", "crop_size: 9 mirror: true mean_file: '" + dir + "/mean.binaryproto'"),
      1)[0];
  const int pixels = 8 * 3 * 81;
  for (int i = 0; i < pixels; ++i) {
    const int c = (i / 81) % 3, yx = i % 81;
    EXPECT_EQ(values[i], (plain[i] - Dtype(10 * (c + 1))) * Dtype(0.5)) << i;
    EXPECT_EQ(file[i], (plain[i] - Dtype(c * 100 + yx)) * Dtype(2)) << i;
  }
  for (int i = pixels; i < pixels + 8; ++i) EXPECT_EQ(values[i], plain[i]);
}

TYPED_TEST(WindowDataLayerTest, CachedImagesAndResumeGiveTheSameBatches) {
  const string dir = this->dir_.path();
  const auto reference = this->Run(Param(dir), 5);
  EXPECT_EQ(this->Run(Param(dir, "fg_fraction: 0.5 cache_images: true"), 5), reference);
  const auto resumed = this->Run(Param(dir), 2, 3);
  EXPECT_EQ(resumed[0], reference[3]);
  EXPECT_EQ(resumed[1], reference[4]);
  EXPECT_NE(reference[0], reference[1]);
}

TYPED_TEST(WindowDataLayerTest, BadWindowFilesAndOptionsAreNamed) {
  const string dir = this->dir_.path();
  const auto message = [&](const string& window_file, const string& text) -> string {
    this->WriteWindowFile(window_file);
    try {
      auto layer = MakeLayer<TypeParam>(text);
      layer->SetUp({}, this->tops_);
      layer->Forward({}, this->tops_);
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  };
  const string good = Param(dir);
  EXPECT_NE(message("# 0\nimage0.png\n3 24 30\n1\n2 0.9 2 3 x 20\n", good)
                .find("windows.txt:5: a window's x2 must be an integer, got 'x'"),
            string::npos);
  EXPECT_NE(message("# 1\nimage0.png\n3 24 30\n0\n", good).find("windows.txt:1: image index 1"),
            string::npos);
  EXPECT_NE(message("0\nimage0.png\n", good).find("windows.txt:1: expected '#'"), string::npos);
  EXPECT_NE(message("# 0\nimage0.png\n3 24 30\n1\n0 0.9 2 3 9 9\n", good)
                .find("windows.txt:5: a foreground window"),
            string::npos);
  EXPECT_NE(message("# 0\nimage0.png\n1 24 30\n0\n", good).find("3-channel"), string::npos);
  EXPECT_NE(message("# 0\nimage0.png\n3 24 30\n1\n2 0.9 2 3 9 9\n", good)
                .find("no background window"),
            string::npos);
  EXPECT_NE(message("", good).find("empty"), string::npos);
  EXPECT_NE(message(kWindowFile, Param(dir, "fg_fraction: 0.5", "mirror: true")).find("crop_size"), string::npos);
  EXPECT_NE(message(kWindowFile, Param(dir, "fg_fraction: 0.5 crop_mode: 'circle'")).find("crop_mode"),
            string::npos);
  // Errors in Forward name the image file.
  EXPECT_NE(message("# 0\nmissing.png\n3 24 30\n2\n2 0.9 2 3 9 9\n0 0 1 1 5 5\n", good)
                .find("missing.png"),
            string::npos);
  EXPECT_NE(message("# 0\nimage0.png\n3 24 30\n2\n2 0.9 2 3 40 9\n0 0 40 1 45 5\n", good)
                .find("does not lie inside the image"),
            string::npos);
  this->WriteWindowFile("# 0\n");
  EXPECT_THROW(MakeLayer<TypeParam>(good)->SetUp({}, this->tops_), ParseError);
}

}  // namespace
}  // namespace caffe
