// The Data layer's augmentation: each image equals the Augmenter applied to
// the decoded record, keyed by (seed, epoch, DB key, slot 0), then the
// transform_param scale; results do not depend on prefetch depth; a second
// pass over the DB is a new epoch; resuming reproduces the straight run.
#include <gtest/gtest.h>

#include <memory>

#include "caffe/augment/augmenter.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {

namespace {

const int kBatch = 99;  // test_lmdb holds 297 records: three batches per epoch

LayerParameter AugmentedDataParam(Phase phase, int prefetch) {
  LayerParameter param;
  param.set_name("data");
  param.set_type("Data");
  param.set_phase(phase);
  param.add_top("data");
  param.add_top("label");
  param.mutable_data_param()->set_source(testing_data::DigitsDir() + "/test_lmdb");
  param.mutable_data_param()->set_backend(DataParameter::LMDB);
  param.mutable_data_param()->set_batch_size(kBatch);
  param.mutable_data_param()->set_prefetch(prefetch);
  param.mutable_transform_param()->set_scale(0.5);
  AugmentationParameter* augmentation = param.mutable_augmentation_param();
  augmentation->set_random_seed(77);
  augmentation->set_out_height(24);
  augmentation->set_out_width(24);
  augmentation->set_rotation(20);
  augmentation->set_hflip_prob(0.5);
  augmentation->set_brightness(0.3);
  return param;
}

// The test DB's records in order: key and decoded 8-bit image.
vector<pair<string, cv::Mat>> ReadRecords() {
  std::unique_ptr<db::DB> database(db::GetDB(DataParameter::LMDB));
  database->Open(testing_data::DigitsDir() + "/test_lmdb", db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  vector<pair<string, cv::Mat>> records;
  for (; cursor->valid(); cursor->Next()) {
    Datum datum;
    EXPECT_TRUE(datum.ParseFromString(cursor->value()));
    records.emplace_back(cursor->key(), DatumToCVMat(datum).clone());
  }
  return records;
}

template <typename Dtype>
struct Tops {
  Blob<Dtype> data, label, params;
  vector<Blob<Dtype>*> two{&data, &label};
  vector<Blob<Dtype>*> three{&data, &label, &params};
};

}  // namespace

template <typename Dtype>
class DataAugmentationTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(DataAugmentationTest, Dtypes);

TYPED_TEST(DataAugmentationTest, ImagesAreTheAugmenterOutputPerEpochAndKey) {
  const vector<pair<string, cv::Mat>> records = ReadRecords();
  ASSERT_EQ(records.size(), 297u);
  LayerParameter param = AugmentedDataParam(TRAIN, 2);
  const augment::Augmenter augmenter(param.augmentation_param());
  auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
  Tops<TypeParam> tops;
  layer->SetUp({}, tops.two);
  ASSERT_EQ(tops.data.shape(), (vector<int>{kBatch, 1, 24, 24}));
  augment::AugmentedImage expected;
  // Batches 0-2 are epoch 0; batch 3 starts epoch 1 with the same records.
  for (int batch = 0; batch < 4; ++batch) {
    layer->Forward({}, tops.two);
    const uint64_t epoch = batch / 3;
    for (int item = 0; item < kBatch; item += 7) {
      const auto& [key, image] = records[(batch % 3) * kBatch + item];
      augmenter.Apply(image.data, image.rows, image.cols, 1,
                      augment::RecordContext::FromKey(epoch, key, 0), TRAIN, &expected);
      const TypeParam* got = tops.data.cpu_data() + tops.data.offset(item);
      for (int i = 0; i < 24 * 24; ++i) {
        ASSERT_EQ(got[i], TypeParam(expected.u8[i]) * TypeParam(0.5))
            << "batch " << batch << " item " << item << " pixel " << i;
      }
    }
  }
}

TYPED_TEST(DataAugmentationTest, SameBatchesWhateverThePrefetchDepth) {
  Tops<TypeParam> a, b;
  auto shallow = LayerRegistry<TypeParam>::CreateLayer(AugmentedDataParam(TRAIN, 1));
  auto deep = LayerRegistry<TypeParam>::CreateLayer(AugmentedDataParam(TRAIN, 4));
  shallow->SetUp({}, a.two);
  deep->SetUp({}, b.two);
  for (int batch = 0; batch < 4; ++batch) {
    shallow->Forward({}, a.two);
    deep->Forward({}, b.two);
    for (int i = 0; i < a.data.count(); ++i) ASSERT_EQ(a.data.cpu_data()[i], b.data.cpu_data()[i]);
  }
}

TYPED_TEST(DataAugmentationTest, TestPhaseIsUntouchedUnlessAsked) {
  LayerParameter param = AugmentedDataParam(TEST, 2);
  param.mutable_augmentation_param()->clear_out_height();
  param.mutable_augmentation_param()->clear_out_width();
  LayerParameter plain = param;
  plain.clear_augmentation_param();
  Tops<TypeParam> a, b;
  auto augmented = LayerRegistry<TypeParam>::CreateLayer(param);
  auto reference = LayerRegistry<TypeParam>::CreateLayer(plain);
  augmented->SetUp({}, a.two);
  reference->SetUp({}, b.two);
  augmented->Forward({}, a.two);
  reference->Forward({}, b.two);
  ASSERT_EQ(a.data.shape(), b.data.shape());
  for (int i = 0; i < a.data.count(); ++i) ASSERT_EQ(a.data.cpu_data()[i], b.data.cpu_data()[i]);

  param.mutable_augmentation_param()->set_apply_in_test(true);
  auto applied = LayerRegistry<TypeParam>::CreateLayer(param);
  Tops<TypeParam> c;
  applied->SetUp({}, c.two);
  applied->Forward({}, c.two);
  int differing = 0;
  for (int i = 0; i < a.data.count(); ++i) differing += a.data.cpu_data()[i] != c.data.cpu_data()[i];
  EXPECT_GT(differing, a.data.count() / 10);
}

TYPED_TEST(DataAugmentationTest, ParamsTopCarriesTheSampledValues) {
  const vector<pair<string, cv::Mat>> records = ReadRecords();
  LayerParameter param = AugmentedDataParam(TRAIN, 2);
  param.add_top("params");
  param.mutable_augmentation_param()->set_emit_params(true);
  const augment::Augmenter augmenter(param.augmentation_param());
  auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
  Tops<TypeParam> tops;
  layer->SetUp({}, tops.three);
  layer->Forward({}, tops.three);
  ASSERT_EQ(tops.params.shape(), (vector<int>{kBatch, augment::SampledParams::kVectorSize}));
  for (int item = 0; item < kBatch; item += 11) {
    const auto& [key, image] = records[item];
    const augment::SampledParams sampled = augmenter.Sample(
        image.rows, image.cols, 1, augment::RecordContext::FromKey(0, key, 0), TRAIN);
    float expected[augment::SampledParams::kVectorSize];
    sampled.ToVector(expected);
    for (int k = 0; k < augment::SampledParams::kVectorSize; ++k) {
      EXPECT_FLOAT_EQ(tops.params.cpu_data()[item * augment::SampledParams::kVectorSize + k],
                      expected[k]) << "item " << item << " value " << k;
    }
  }
  // emit_params and the third top go together.
  LayerParameter missing_top = param;
  missing_top.clear_top();
  missing_top.add_top("data");
  missing_top.add_top("label");
  EXPECT_THROW(LayerRegistry<TypeParam>::CreateLayer(missing_top)->SetUp({}, tops.two), ConfigError);
}

TYPED_TEST(DataAugmentationTest, ResumeReproducesAugmentedBatches) {
  Tops<TypeParam> a, b;
  auto straight = LayerRegistry<TypeParam>::CreateLayer(AugmentedDataParam(TRAIN, 2));
  auto resumed = LayerRegistry<TypeParam>::CreateLayer(AugmentedDataParam(TRAIN, 2));
  straight->SetUp({}, a.two);
  resumed->SetUp({}, b.two);
  for (int i = 0; i < 4; ++i) straight->Forward({}, a.two);
  resumed->SkipForwardPasses(4);  // into the second epoch
  for (int batch = 0; batch < 2; ++batch) {
    straight->Forward({}, a.two);
    resumed->Forward({}, b.two);
    for (int i = 0; i < a.data.count(); ++i) ASSERT_EQ(a.data.cpu_data()[i], b.data.cpu_data()[i]);
  }
}

}  // namespace caffe
