// Resuming training moves data layers on to where the interrupted run was:
// SkipForwardPasses(k) followed by a Forward gives the (k+1)-th batch of an
// uninterrupted layer, including past the end of the database and with the
// random crop/mirror draws those batches would have used.
#include <gtest/gtest.h>

#include "caffe/layer_factory.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {

namespace {

template <typename Dtype>
shared_ptr<Layer<Dtype>> MakeDataLayer(bool random_transforms) {
  LayerParameter param;
  param.set_name("data");
  param.set_type("Data");
  param.set_phase(TRAIN);
  param.add_top("data");
  param.add_top("label");
  param.mutable_data_param()->set_source(testing_data::DigitsDir() + "/test_lmdb");
  param.mutable_data_param()->set_backend(DataParameter::LMDB);
  param.mutable_data_param()->set_batch_size(50);  // 297 records: batch 6 wraps
  if (random_transforms) {
    param.mutable_transform_param()->set_crop_size(20);
    param.mutable_transform_param()->set_mirror(true);
  }
  return LayerRegistry<Dtype>::CreateLayer(param);
}

template <typename Dtype>
void ExpectSkippedEqualsStraight(bool random_transforms) {
  Blob<Dtype> data_a, label_a, data_b, label_b;
  vector<Blob<Dtype>*> top_a{&data_a, &label_a}, top_b{&data_b, &label_b};
  Caffe::set_random_seed(1701);
  auto straight = MakeDataLayer<Dtype>(random_transforms);
  straight->SetUp({}, top_a);
  Caffe::set_random_seed(1701);
  auto resumed = MakeDataLayer<Dtype>(random_transforms);
  resumed->SetUp({}, top_b);
  // Let the resumed layer's prefetching run ahead before it is moved on.
  resumed->Forward({}, top_b);
  const int skipped = 6;
  for (int i = 0; i < skipped; ++i) straight->Forward({}, top_a);
  resumed->SkipForwardPasses(skipped);
  for (int batch = 0; batch < 3; ++batch) {
    straight->Forward({}, top_a);
    resumed->Forward({}, top_b);
    ASSERT_EQ(data_a.shape(), data_b.shape());
    for (int i = 0; i < data_a.count(); ++i) {
      ASSERT_EQ(data_a.cpu_data()[i], data_b.cpu_data()[i]) << "batch " << batch << " item " << i;
    }
    for (int i = 0; i < label_a.count(); ++i) {
      ASSERT_EQ(label_a.cpu_data()[i], label_b.cpu_data()[i]) << "batch " << batch;
    }
  }
}

}  // namespace

template <typename Dtype>
class DataResumeTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(DataResumeTest, Dtypes);

TYPED_TEST(DataResumeTest, SkipMatchesStraightRunAcrossTheEnd) {
  ExpectSkippedEqualsStraight<TypeParam>(false);
}

TYPED_TEST(DataResumeTest, SkipReplaysRandomCropAndMirrorDraws) {
  ExpectSkippedEqualsStraight<TypeParam>(true);
}

}  // namespace caffe
