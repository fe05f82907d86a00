// The Data layer's deferred decoding (JPEG records decoded only where the
// crop needs them, transformed row by row) gives the batches of the
// decode-everything path: against the same layer with on_bad_record: SKIP
// (which decodes every record whole) in TRAIN with random crops and mirror,
// and against DataTransformer on DecodeDatumImage in TEST.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cstring>
#include <memory>
#include <random>

#include "caffe/data/data_transformer.hpp"
#include "caffe/layers/data_layer.hpp"
#include "caffe/util/datum_io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;
using testing_data::WriteDB;

cv::Mat TestImage(int height, int width, int channels, int seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-30, 30);
  cv::Mat image(height, width, CV_8UC(channels));
  for (int h = 0; h < height; ++h) {
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        const int value = (h * 5 + w * (2 + c) + c * 70 + seed * 13) % 256 + noise(rng);
        image.ptr<uint8_t>(h)[w * channels + c] = cv::saturate_cast<uint8_t>(value);
      }
    }
  }
  return image;
}

string EncodedDatum(const cv::Mat& image, const string& extension, int label) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes));
  Datum datum;
  datum.set_encoded(true);
  datum.set_data(string(bytes.begin(), bytes.end()));
  datum.set_label(label);
  return datum.SerializeAsString();
}

// JPEGs of odd sizes, grey and colour, progressive, and a PNG among them.
vector<pair<string, string>> Records() {
  vector<pair<string, string>> records;
  const int sizes[][2] = {{40, 50}, {37, 41}, {48, 33}, {64, 64}, {33, 35}, {45, 60}};
  for (int i = 0; i < 12; ++i) {
    const auto& size = sizes[i % 6];
    const cv::Mat image = TestImage(size[0], size[1], i % 4 == 3 ? 1 : 3, i);
    string value;
    if (i == 5) {
      value = EncodedDatum(image, ".png", i);
    } else {
      std::vector<uchar> bytes;
      std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, 85};
      if (i % 3 == 1) params.insert(params.end(), {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
      EXPECT_TRUE(cv::imencode(".jpg", image, bytes, params));
      Datum datum;
      datum.set_encoded(true);
      datum.set_data(string(bytes.begin(), bytes.end()));
      datum.set_label(i);
      value = datum.SerializeAsString();
    }
    records.push_back({internal::Concat("key_", 100 + i), value});
  }
  return records;
}

template <typename Dtype>
class DeferredDecodeTest : public ::testing::Test {
 protected:
  LayerParameter Param(const string& source, Phase phase) {
    LayerParameter param;
    param.set_name("data");
    param.set_type("Data");
    param.set_phase(phase);
    param.mutable_data_param()->set_source(source);
    param.mutable_data_param()->set_backend(DataParameter::LMDB);
    param.mutable_data_param()->set_batch_size(5);
    param.mutable_data_param()->set_num_threads(2);
    TransformationParameter* transform = param.mutable_transform_param();
    transform->set_crop_size(31);
    transform->set_mirror(phase == TRAIN);
    transform->set_force_color(true);
    transform->set_scale(0.5f);
    for (float mean : {104.f, 117.f, 123.5f}) transform->add_mean_value(mean);
    return param;
  }

  vector<Dtype> Batches(const LayerParameter& param, int batches) {
    Caffe::set_random_seed(77);
    DataLayer<Dtype> layer(param);
    Blob<Dtype> data, label;
    const vector<Blob<Dtype>*> top = {&data, &label};
    layer.SetUp({}, top);
    vector<Dtype> values;
    for (int b = 0; b < batches; ++b) {
      layer.Forward({}, top);
      values.insert(values.end(), data.cpu_data(), data.cpu_data() + data.count());
    }
    return values;
  }
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(DeferredDecodeTest, Dtypes);

TYPED_TEST(DeferredDecodeTest, TrainBatchesEqualTheWholeDecodePath) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("db"), Records());
  const LayerParameter deferred = this->Param(dir.Join("db"), TRAIN);
  LayerParameter whole = deferred;
  whole.mutable_data_param()->set_on_bad_record(DataParameter::SKIP);
  const auto expected = this->Batches(whole, 5);
  const auto got = this->Batches(deferred, 5);
  ASSERT_EQ(expected.size(), got.size());
  EXPECT_EQ(0, std::memcmp(expected.data(), got.data(), got.size() * sizeof(TypeParam)));
}

TYPED_TEST(DeferredDecodeTest, TestBatchesEqualTheTransformerOnDecodedImages) {
  typedef TypeParam Dtype;
  TempDir dir;
  const auto records = Records();
  WriteDB("lmdb", dir.Join("db"), records);
  const LayerParameter param = this->Param(dir.Join("db"), TEST);
  const auto got = this->Batches(param, 2);
  DataTransformer<Dtype> transformer(param.transform_param(), TEST);
  Blob<Dtype> item(1, 3, 31, 31);
  for (int i = 0; i < 10; ++i) {
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(records[i].second));
    transformer.Transform(transformer.DecodeDatum(datum), &item);
    EXPECT_EQ(0, std::memcmp(item.cpu_data(), got.data() + i * item.count(),
                             item.count() * sizeof(Dtype)))
        << records[i].first;
  }
}

// A JPEG whose header reads but whose pixels do not: the layer fails (FAIL
// policy) naming the record, as when every record was decoded up front.
TYPED_TEST(DeferredDecodeTest, UndecodablePixelsNameTheRecord) {
  TempDir dir;
  auto records = Records();
  Datum datum;
  ASSERT_TRUE(datum.ParseFromString(records[7].second));
  string bytes = datum.data();
  // Keep the header up to the start of scan, then end the file.
  const size_t scan = bytes.find("\xFF\xDA");
  ASSERT_NE(scan, string::npos);
  bytes = bytes.substr(0, scan) + "\xFF\xD9";
  datum.set_data(bytes);
  records[7].second = datum.SerializeAsString();
  WriteDB("lmdb", dir.Join("db"), records);
  Caffe::set_random_seed(77);
  DataLayer<TypeParam> layer(this->Param(dir.Join("db"), TRAIN));
  Blob<TypeParam> data, label;
  const vector<Blob<TypeParam>*> top = {&data, &label};
  layer.SetUp({}, top);
  layer.Forward({}, top);
  try {
    layer.Forward({}, top);
    FAIL() << "an undecodable record went unnoticed";
  } catch (const DataError& e) {
    EXPECT_NE(string(e.what()).find("key_107"), string::npos) << e.what();
  }
}

}  // namespace
}  // namespace caffe
