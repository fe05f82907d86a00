// The ImageData layer on the upstream digits list: images and labels in list
// order, the same batches as the Data layer on the database upstream's
// convert_imageset made from that list (transform and augmentation draws
// included), upstream's shuffle and rand_skip draws, resizing and colour, and
// its errors.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <memory>
#include <numeric>
#include <vector>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/image_data_layer.hpp"
#include "caffe/util/rng.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::DigitsDir;
using testing_data::TempDir;

LayerParameter ImageDataParam(const string& list, int batch_size, Phase phase = TRAIN) {
  LayerParameter param;
  param.set_name("images");
  param.set_type("ImageData");
  param.set_phase(phase);
  ImageDataParameter* image_data = param.mutable_image_data_param();
  image_data->set_source(DigitsDir() + "/" + list);
  image_data->set_root_folder(DigitsDir() + "/");
  image_data->set_batch_size(batch_size);
  image_data->set_is_color(false);
  image_data->set_num_threads(2);
  return param;
}

template <typename Dtype>
struct Listed {
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> top{&data, &label};
  shared_ptr<Layer<Dtype>> layer;

  explicit Listed(const LayerParameter& param, unsigned int seed = 1701) {
    Caffe::set_random_seed(seed);
    layer = LayerRegistry<Dtype>::CreateLayer(param);
    layer->SetUp({}, top);
  }
  void Forward() { layer->Forward({}, top); }
};

template <typename Dtype>
class ImageDataLayerTest : public ::testing::Test {
 protected:
  // Checks one batch against the listed images in `order` from `first`.
  void ExpectImages(const Listed<Dtype>& run, const vector<pair<string, int>>& lines,
                    const vector<int>& order, int first) {
    const int n = run.data.shape(0);
    for (int item = 0; item < n; ++item) {
      const auto& [path, label] = lines[order[(first + item) % order.size()]];
      ASSERT_EQ(run.label.cpu_data()[item], label) << "item " << item;
      const cv::Mat image = testing_data::ReadDigit(path);
      for (int h = 0; h < 28; ++h) {
        for (int w = 0; w < 28; ++w) {
          ASSERT_EQ(run.data.data_at(item, 0, h, w), image.at<uchar>(h, w)) << path;
        }
      }
    }
  }
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(ImageDataLayerTest, Dtypes);

TYPED_TEST(ImageDataLayerTest, ReadsTheListInOrderAndWrapsAround) {
  const auto lines = testing_data::ReadDigitsList("test.txt");
  ASSERT_EQ(lines.size(), 297u);
  vector<int> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  Listed<TypeParam> run(ImageDataParam("test.txt", 100));
  ASSERT_EQ(run.data.shape(), (vector<int>{100, 1, 28, 28}));
  for (int batch = 0; batch < 4; ++batch) {
    run.Forward();
    this->ExpectImages(run, lines, order, batch * 100);
  }
}

// The same list through convert_imageset (upstream's train_lmdb) and through
// ImageData: identical batches, with random crops, mirrors and augmentation,
// because the keys and the random draws are the same.
TYPED_TEST(ImageDataLayerTest, EqualsTheDataLayerOnTheConvertedDatabase) {
  LayerParameter images = ImageDataParam("train.txt", 64);
  LayerParameter database;
  database.set_name("images");
  database.set_type("Data");
  database.set_phase(TRAIN);
  database.mutable_data_param()->set_source(DigitsDir() + "/train_lmdb");
  database.mutable_data_param()->set_backend(DataParameter::LMDB);
  database.mutable_data_param()->set_batch_size(64);
  for (LayerParameter* param : {&images, &database}) {
    param->mutable_transform_param()->set_crop_size(24);
    param->mutable_transform_param()->set_mirror(true);
    param->mutable_augmentation_param()->set_rotation(20);
    param->mutable_augmentation_param()->set_contrast(0.4f);
  }
  Listed<TypeParam> from_list(images);
  Listed<TypeParam> from_db(database);
  for (int batch = 0; batch < 3; ++batch) {
    from_list.Forward();
    from_db.Forward();
    ASSERT_EQ(from_list.data.shape(), from_db.data.shape());
    for (int i = 0; i < from_db.data.count(); ++i) {
      ASSERT_EQ(from_list.data.cpu_data()[i], from_db.data.cpu_data()[i]) << batch << ":" << i;
    }
    for (int i = 0; i < 64; ++i) ASSERT_EQ(from_list.label.cpu_data()[i], from_db.label.cpu_data()[i]);
  }
}

// Upstream seeds a generator with one caffe_rng_rand() at setup, shuffles the
// lines with it, and shuffles again at the start of every later pass.
TYPED_TEST(ImageDataLayerTest, ShufflesAsUpstreamEveryPass) {
  const auto lines = testing_data::ReadDigitsList("test.txt");
  LayerParameter param = ImageDataParam("test.txt", 99);
  param.mutable_image_data_param()->set_shuffle(true);
  Caffe::set_random_seed(5);
  Caffe::rng_t generator(caffe_rng_rand());
  vector<int> first_pass(lines.size());
  std::iota(first_pass.begin(), first_pass.end(), 0);
  shuffle(first_pass.begin(), first_pass.end(), &generator);
  vector<int> second_pass = first_pass;
  shuffle(second_pass.begin(), second_pass.end(), &generator);
  Listed<TypeParam> run(param, 5);
  for (int batch = 0; batch < 3; ++batch) {
    run.Forward();
    this->ExpectImages(run, lines, first_pass, batch * 99);
  }
  run.Forward();
  this->ExpectImages(run, lines, second_pass, 0);
}

TYPED_TEST(ImageDataLayerTest, RandSkipSkipsUpstreamsDraw) {
  const auto lines = testing_data::ReadDigitsList("test.txt");
  LayerParameter param = ImageDataParam("test.txt", 10);
  param.mutable_image_data_param()->set_rand_skip(50);
  Caffe::set_random_seed(9);
  const int skip = static_cast<int>(caffe_rng_rand() % 50);
  vector<int> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  Listed<TypeParam> run(param, 9);
  run.Forward();
  this->ExpectImages(run, lines, order, skip);
}

TYPED_TEST(ImageDataLayerTest, ColourAndResize) {
  const auto lines = testing_data::ReadDigitsList("test.txt");
  LayerParameter param = ImageDataParam("test.txt", 3);
  param.mutable_image_data_param()->set_is_color(true);
  param.mutable_image_data_param()->set_new_height(14);
  param.mutable_image_data_param()->set_new_width(20);
  Listed<TypeParam> run(param);
  run.Forward();
  ASSERT_EQ(run.data.shape(), (vector<int>{3, 3, 14, 20}));
  for (int item = 0; item < 3; ++item) {
    cv::Mat expected;
    cv::resize(cv::imread(DigitsDir() + "/" + lines[item].first, cv::IMREAD_COLOR), expected,
               cv::Size(20, 14));
    for (int c = 0; c < 3; ++c) {
      for (int h = 0; h < 14; ++h) {
        for (int w = 0; w < 20; ++w) {
          ASSERT_EQ(run.data.data_at(item, c, h, w), expected.at<cv::Vec3b>(h, w)[c]);
        }
      }
    }
  }
  param.mutable_image_data_param()->clear_new_width();
  EXPECT_THROW(Listed<TypeParam> only_height(param), ConfigError);
}

TYPED_TEST(ImageDataLayerTest, ErrorsNameTheFileAndLine) {
  TempDir dir;
  const cv::Mat digit = testing_data::ReadDigit("img/0000.png");
  ASSERT_TRUE(cv::imwrite(dir.Join("a.png"), digit));
  std::ofstream(dir.Join("not_an_image.png")) << "text";
  std::ofstream(dir.Join("list.txt")) << "a.png 1\nmissing.png 2\na.png 3\nnot_an_image.png 4\n";
  std::ofstream(dir.Join("bad_list.txt")) << "a.png 1\nno-label-here\n";
  LayerParameter param = ImageDataParam("", 2);
  param.mutable_image_data_param()->set_root_folder(dir.path() + "/");
  param.mutable_image_data_param()->set_source(dir.Join("list.txt"));
  {
    Listed<TypeParam> run(param);
    try {
      run.Forward();
      FAIL() << "a missing image went unnoticed";
    } catch (const DataError& e) {
      EXPECT_NE(string(e.what()).find(dir.Join("missing.png")), string::npos) << e.what();
      EXPECT_NE(string(e.what()).find("layer 'images'"), string::npos) << e.what();
    }
  }
  param.mutable_image_data_param()->set_on_bad_record(DataParameter::SKIP);
  {
    Listed<TypeParam> run(param);
    run.Forward();
    EXPECT_EQ(run.label.cpu_data()[0], 1);
    EXPECT_EQ(run.label.cpu_data()[1], 3);
    auto* layer = static_cast<ImageDataLayer<TypeParam>*>(run.layer.get());
    EXPECT_GE(layer->skipped_records(), 1);
  }
  param.mutable_image_data_param()->set_source(dir.Join("bad_list.txt"));
  try {
    Listed<TypeParam> run(param);
    FAIL() << "a malformed list line went unnoticed";
  } catch (const ParseError& e) {
    EXPECT_NE(string(e.what()).find("bad_list.txt:2"), string::npos) << e.what();
  }
  param.mutable_image_data_param()->set_source(dir.Join("no_list.txt"));
  EXPECT_THROW(Listed<TypeParam> run(param), IOError);
}

}  // namespace
}  // namespace caffe
