// The Data layer on upstream-written databases (raw LMDB, PNG LMDB, LevelDB)
// checked against decoding the source PNGs, plus its error paths and thread
// lifetime.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/data_layer.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::CopyFixture;
using testing_data::DigitsDir;
using testing_data::SerializedDatum;
using testing_data::TempDir;
using testing_data::WriteDB;

template <typename Dtype>
class DataLayerTest : public ::testing::Test {
 protected:
  DataLayerTest() : list_(testing_data::ReadDigitsList("train.txt")) {
    for (const auto& line : list_) images_.push_back(testing_data::ReadDigit(line.first));
    top_ = {&data_, &label_};
  }

  LayerParameter Param(const string& source, DataParameter::DB backend, int batch_size,
                       Phase phase = TRAIN) {
    LayerParameter param;
    param.set_name("data");
    param.set_type("Data");
    param.set_phase(phase);
    param.mutable_data_param()->set_source(source);
    param.mutable_data_param()->set_backend(backend);
    param.mutable_data_param()->set_batch_size(batch_size);
    return param;
  }

  std::unique_ptr<DataLayer<Dtype>> SetUpLayer(const LayerParameter& param) {
    auto layer = std::make_unique<DataLayer<Dtype>>(param);
    layer->SetUp({}, top_);
    return layer;
  }

  // Runs `batches` forwards and checks every item against the source PNG,
  // through `expected(image, h, w)`.
  template <typename Expected>
  void CheckBatches(DataLayer<Dtype>* layer, int batch_size, int batches, int first_record,
                    int height, int width, Expected expected) {
    for (int b = 0; b < batches; ++b) {
      layer->Forward({}, top_);
      ASSERT_EQ(data_.shape(), (vector<int>{batch_size, 1, height, width}));
      ASSERT_EQ(label_.shape(), (vector<int>{batch_size}));
      for (int n = 0; n < batch_size; ++n) {
        const int record = (first_record + b * batch_size + n) % static_cast<int>(list_.size());
        ASSERT_EQ(label_.cpu_data()[n], list_[record].second) << "record " << record;
        for (int h = 0; h < height; ++h) {
          for (int w = 0; w < width; ++w) {
            ASSERT_EQ(data_.data_at(n, 0, h, w), expected(images_[record], h, w))
                << "record " << record << " at " << h << "," << w;
          }
        }
      }
    }
  }

  static Dtype Pixel(const cv::Mat& image, int h, int w) { return image.at<uchar>(h, w); }

  vector<pair<string, int>> list_;
  vector<cv::Mat> images_;
  Blob<Dtype> data_, label_;
  vector<Blob<Dtype>*> top_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(DataLayerTest, Dtypes);

TYPED_TEST(DataLayerTest, RawLMDBMatchesTheSourceImagesAndWrapsAround) {
  auto layer = this->SetUpLayer(this->Param(DigitsDir() + "/train_lmdb", DataParameter::LMDB, 400));
  EXPECT_EQ(this->data_.shape(), (vector<int>{400, 1, 28, 28}));
  // 4 x 400 = 1600 records: the last batch wraps past the 1500th.
  this->CheckBatches(layer.get(), 400, 4, 0, 28, 28, &TestFixture::Pixel);
}

TYPED_TEST(DataLayerTest, PNGEncodedLMDBMatchesTheSourceImages) {
  auto layer =
      this->SetUpLayer(this->Param(DigitsDir() + "/train_png_lmdb", DataParameter::LMDB, 100));
  EXPECT_EQ(this->data_.shape(), (vector<int>{100, 1, 28, 28}));
  this->CheckBatches(layer.get(), 100, 2, 0, 28, 28, &TestFixture::Pixel);
}

TYPED_TEST(DataLayerTest, LevelDBMatchesTheSourceImages) {
  TempDir dir;
  auto layer = this->SetUpLayer(
      this->Param(CopyFixture("train_leveldb", dir), DataParameter::LEVELDB, 64));
  this->CheckBatches(layer.get(), 64, 3, 0, 28, 28, &TestFixture::Pixel);
}

TYPED_TEST(DataLayerTest, ScaleCropInTestAndMeanFile) {
  typedef TypeParam Dtype;
  BlobProto mean_proto;
  ReadProtoFromBinaryFile(DigitsDir() + "/mean.binaryproto", &mean_proto);
  Blob<Dtype> mean;
  mean.FromProto(mean_proto);
  ASSERT_EQ(mean.shape(), (vector<int>{1, 1, 28, 28}));

  LayerParameter param = this->Param(DigitsDir() + "/train_lmdb", DataParameter::LMDB, 32, TEST);
  param.mutable_transform_param()->set_scale(0.5f);
  param.mutable_transform_param()->set_crop_size(20);
  param.mutable_transform_param()->set_mean_file(DigitsDir() + "/mean.binaryproto");
  auto layer = this->SetUpLayer(param);
  this->CheckBatches(layer.get(), 32, 2, 0, 20, 20, [&](const cv::Mat& image, int h, int w) {
    return (static_cast<Dtype>(image.at<uchar>(h + 4, w + 4)) - mean.data_at(0, 0, h + 4, w + 4)) *
           Dtype(0.5);
  });
}

TYPED_TEST(DataLayerTest, LabelTopIsOptional) {
  LayerParameter param = this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 8);
  DataLayer<TypeParam> layer(param);
  vector<Blob<TypeParam>*> top = {&this->data_};
  layer.SetUp({}, top);
  layer.Forward({}, top);
  EXPECT_EQ(this->data_.shape(), (vector<int>{8, 1, 28, 28}));
}

TYPED_TEST(DataLayerTest, SeededMirroredRunsRepeat) {
  typedef TypeParam Dtype;
  LayerParameter param = this->Param(DigitsDir() + "/train_lmdb", DataParameter::LMDB, 50);
  param.mutable_transform_param()->set_mirror(true);
  vector<vector<Dtype>> runs;
  for (int run = 0; run < 2; ++run) {
    Caffe::set_random_seed(1701);
    auto layer = this->SetUpLayer(param);
    layer->Forward({}, this->top_);
    runs.emplace_back(this->data_.cpu_data(), this->data_.cpu_data() + this->data_.count());
  }
  EXPECT_EQ(runs[0], runs[1]);
  int mirrored = 0;
  for (int n = 0; n < 50; ++n) {
    const cv::Mat& image = this->images_[n];
    bool same = true, flipped = true;
    for (int h = 0; h < 28; ++h) {
      for (int w = 0; w < 28; ++w) {
        const Dtype value = runs[0][(n * 28 + h) * 28 + w];
        same = same && value == image.at<uchar>(h, w);
        flipped = flipped && value == image.at<uchar>(h, 27 - w);
      }
    }
    EXPECT_TRUE(same || flipped) << n;
    mirrored += flipped && !same;
  }
  EXPECT_GT(mirrored, 5);
  EXPECT_LT(mirrored, 45);
}

TYPED_TEST(DataLayerTest, RandSkipIsIgnoredAsInCaffe1) {
  LayerParameter param = this->Param(DigitsDir() + "/train_lmdb", DataParameter::LMDB, 10);
  param.mutable_data_param()->set_rand_skip(1000);
  Caffe::set_random_seed(42);
  auto layer = this->SetUpLayer(param);
  Caffe::rng_t expected(42);
  expected();  // the prefetch thread's seed, and nothing for the skip
  EXPECT_EQ(caffe_rng_rand(), expected());
  this->CheckBatches(layer.get(), 10, 1, 0, 28, 28, &TestFixture::Pixel);
}

// Upstream draws from the caller's generator once per transformer seeding
// (twice, and only when the transform is random) and once for the prefetch
// thread; later consumers (fillers) depend on that count.
TYPED_TEST(DataLayerTest, SetUpTakesUpstreamsNumberOfRandomDraws) {
  for (const bool mirror : {false, true}) {
    LayerParameter param = this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 4);
    param.mutable_transform_param()->set_mirror(mirror);
    Caffe::set_random_seed(7);
    auto layer = this->SetUpLayer(param);
    Caffe::rng_t expected(7);
    for (int draw = 0; draw < (mirror ? 3 : 1); ++draw) expected();
    EXPECT_EQ(caffe_rng_rand(), expected()) << "mirror " << mirror;
  }
}

TYPED_TEST(DataLayerTest, CreatedThroughTheRegistry) {
  auto layer = LayerRegistry<TypeParam>::CreateLayer(
      this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 4));
  EXPECT_STREQ(layer->type(), "Data");
  layer->SetUp({}, this->top_);
  layer->Forward({}, this->top_);
  EXPECT_EQ(this->label_.count(), 4);
}

TYPED_TEST(DataLayerTest, MissingDatabaseIsAnIOErrorAtSetUp) {
  DataLayer<TypeParam> layer(this->Param("/nonexistent/data_lmdb", DataParameter::LMDB, 4));
  try {
    layer.SetUp({}, this->top_);
    FAIL() << "SetUp succeeded on a missing database";
  } catch (const IOError& e) {
    EXPECT_NE(string(e.what()).find("/nonexistent/data_lmdb"), string::npos) << e.what();
    EXPECT_NE(string(e.what()).find("layer 'data'"), string::npos) << e.what();
  }
}

TYPED_TEST(DataLayerTest, BadParametersAreConfigErrors) {
  LayerParameter no_batch = this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 0);
  EXPECT_THROW(this->SetUpLayer(no_batch), ConfigError);
  LayerParameter both_means = this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 2);
  both_means.mutable_transform_param()->set_mean_file(DigitsDir() + "/mean.binaryproto");
  both_means.mutable_transform_param()->add_mean_value(1);
  EXPECT_THROW(this->SetUpLayer(both_means), ConfigError);
  LayerParameter crop = this->Param(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 2);
  crop.mutable_transform_param()->set_crop_size(29);
  EXPECT_THROW(this->SetUpLayer(crop), DataError);
}

// A database whose fourth record is `bad_value`, the others valid 1x2x2: with
// batches of 2 it is the second item of the second batch.
string DatabaseWithBadRecord(const TempDir& dir, const string& bad_value) {
  const string good = SerializedDatum(1, 2, 2, "abcd", 3);
  WriteDB("lmdb", dir.Join("db"),
          {{"00000000_a", good}, {"00000001_b", good}, {"00000002_c", good},
           {"00000003_bad", bad_value}, {"00000004_e", good}});
  return dir.Join("db");
}

TYPED_TEST(DataLayerTest, CorruptRecordsAreDataErrorsNamingTheKey) {
  Datum undecodable;
  undecodable.set_encoded(true);
  undecodable.set_data("not a png");
  const vector<string> bad_values = {
      string("\xff\xff\xff\xff", 4),                 // not a Datum
      SerializedDatum(1, 2, 2, "abc", 3),            // wrong byte count
      SerializedDatum(2, 2, 2, "abcdabcd", 3),       // unlike the batch's shape
      undecodable.SerializeAsString()};              // encoded, not an image
  for (const string& bad_value : bad_values) {
    TempDir dir;
    auto layer = this->SetUpLayer(
        this->Param(DatabaseWithBadRecord(dir, bad_value), DataParameter::LMDB, 2));
    layer->Forward({}, this->top_);
    EXPECT_EQ(this->data_.cpu_data()[0], 'a');
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        layer->Forward({}, this->top_);
        FAIL() << "a corrupt record went unnoticed";
      } catch (const DataError& e) {
        EXPECT_NE(string(e.what()).find("00000003_bad"), string::npos) << e.what();
        EXPECT_NE(string(e.what()).find("layer 'data'"), string::npos) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong error type: " << e.what();
      }
    }
  }
}

// A raw Datum's pixels are read in place from the record (not parsed out of
// it): whatever the order of its fields, and with a repeated `data` field
// (the last wins), the batch holds what protobuf's parse gives, with and
// without the deferred path (SKIP turns it off).
TYPED_TEST(DataLayerTest, RawRecordsGiveWhatProtobufParsesWhateverTheFieldOrder) {
  Datum shape_and_label;
  shape_and_label.set_channels(1);
  shape_and_label.set_height(2);
  shape_and_label.set_width(2);
  shape_and_label.set_label(5);
  Datum pixels;
  pixels.set_data("wxyz");
  Datum other_pixels;
  other_pixels.set_data("abcd");
  const string head = shape_and_label.SerializeAsString();
  const vector<string> values = {
      head + pixels.SerializeAsString(),                                 // data last
      pixels.SerializeAsString() + head,                                 // data first
      other_pixels.SerializeAsString() + head + pixels.SerializeAsString(),  // twice
      SerializedDatum(1, 2, 2, "wxyz", 5)};
  for (DataParameter::BadRecordPolicy policy : {DataParameter::FAIL, DataParameter::SKIP}) {
    for (const string& value : values) {
      Datum parsed;
      ASSERT_TRUE(parsed.ParseFromString(value));
      ASSERT_EQ(parsed.data(), "wxyz");
      TempDir dir;
      WriteDB("lmdb", dir.Join("db"), {{"0", value}, {"1", value}});
      LayerParameter param = this->Param(dir.Join("db"), DataParameter::LMDB, 2);
      param.mutable_data_param()->set_on_bad_record(policy);
      param.mutable_transform_param()->set_scale(0.5f);
      auto layer = this->SetUpLayer(param);
      layer->Forward({}, this->top_);
      ASSERT_EQ(this->data_.shape(), (vector<int>{2, 1, 2, 2}));
      for (int n = 0; n < 2; ++n) {
        EXPECT_EQ(this->label_.cpu_data()[n], 5);
        for (int i = 0; i < 4; ++i) {
          EXPECT_EQ(this->data_.cpu_data()[n * 4 + i], TypeParam(0.5) * "wxyz"[i])
              << "policy " << policy << ", item " << n << ", value " << i;
        }
      }
    }
  }
}

// The reader thread fails part-way (a damaged LevelDB table): the error
// reaches Forward on the main thread, and the layer can still be destroyed.
TYPED_TEST(DataLayerTest, ReaderFailureReachesForward) {
  TempDir dir;
  const string source = CopyFixture("train_leveldb", dir);
  for (const auto& entry : std::filesystem::directory_iterator(source)) {
    if (entry.path().extension() != ".ldb") continue;
    std::fstream table(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    table.seekp(400000);
    table << string(8000, 'X');
  }
  auto layer = this->SetUpLayer(this->Param(source, DataParameter::LEVELDB, 100));
  int forwards = 0;
  try {
    for (; forwards < 20; ++forwards) layer->Forward({}, this->top_);
    FAIL() << "a damaged table went unnoticed";
  } catch (const DataError& e) {
    EXPECT_NE(string(e.what()).find(source), string::npos) << e.what();
    EXPECT_NE(string(e.what()).find("layer 'data'"), string::npos) << e.what();
  }
  EXPECT_GT(forwards, 0);
  EXPECT_THROW(layer->Forward({}, this->top_), DataError);
  layer.reset();
}

TYPED_TEST(DataLayerTest, CorruptFirstRecordFailsSetUp) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("db"), {{"00000000_first", "garbage"}});
  EXPECT_THROW(this->SetUpLayer(this->Param(dir.Join("db"), DataParameter::LMDB, 2)), DataError);
}

TYPED_TEST(DataLayerTest, CreateAndDestroyManyTimes) {
  TempDir dir;
  const string leveldb = CopyFixture("train_leveldb", dir);
  for (int i = 0; i < 60; ++i) {
    const bool use_leveldb = i % 3 == 0;
    LayerParameter param =
        use_leveldb ? this->Param(leveldb, DataParameter::LEVELDB, 16)
                    : this->Param(DigitsDir() + "/train_png_lmdb", DataParameter::LMDB, 16);
    param.mutable_data_param()->set_prefetch(1 + i % 4);
    auto layer = this->SetUpLayer(param);
    for (int forward = 0; forward < i % 3; ++forward) layer->Forward({}, this->top_);
  }
}

TYPED_TEST(DataLayerTest, DestroyWithoutSetUpOrAfterFailedSetUp) {
  { DataLayer<TypeParam> unused(this->Param("/nonexistent", DataParameter::LMDB, 4)); }
  auto layer = std::make_unique<DataLayer<TypeParam>>(
      this->Param("/nonexistent", DataParameter::LEVELDB, 4));
  EXPECT_THROW(layer->SetUp({}, this->top_), IOError);
  layer.reset();
}

}  // namespace
}  // namespace caffe
