// Augmentation inside the TripletData layer: each of a record's three images
// is the Augmenter's output for (seed, epoch, DB key, slot); batches do not
// depend on the number of decode workers; `share` couples the slots.
#include <gtest/gtest.h>

#include <cstdio>

#include "caffe/augment/augmenter.hpp"
#include "caffe/layer_factory.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {

namespace {

using testing_data::TempDir;

const int kRecords = 12, kBatch = 4, kSide = 16;

// Image `slot` of record `record`, H x W x 1, with structure worth rotating.
cv::Mat MakeImage(int record, int slot) {
  cv::Mat image(kSide, kSide, CV_8UC1);
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      image.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 13 + y * y * 3 + record * 29 + slot * 57) % 256);
    }
  }
  return image;
}

string Key(int index) {
  char key[32];
  std::snprintf(key, sizeof(key), "%08d_rec%d", index, index);
  return key;
}

// A triplet DB; with same_images every record holds one image three times.
string WriteTriplets(const TempDir& dir, bool same_images) {
  vector<pair<string, string>> records;
  for (int r = 0; r < kRecords; ++r) {
    TripletDatum datum;
    datum.set_channels(1);
    datum.set_height(kSide);
    datum.set_width(kSide);
    string* fields[3] = {datum.mutable_data_anchor(), datum.mutable_data_pos(),
                         datum.mutable_data_neg()};
    for (int slot = 0; slot < 3; ++slot) {
      const cv::Mat image = MakeImage(r, same_images ? 0 : slot);
      fields[slot]->assign(reinterpret_cast<const char*>(image.data), kSide * kSide);
    }
    datum.add_label(r);
    records.emplace_back(Key(r), datum.SerializeAsString());
  }
  const string path = dir.Join(same_images ? "same_lmdb" : "triplet_lmdb");
  testing_data::WriteDB("lmdb", path, records);
  return path;
}

LayerParameter TripletParam(const string& source, int threads) {
  LayerParameter param;
  param.set_name("triplets");
  param.set_type("TripletData");
  param.set_phase(TRAIN);
  param.add_top("data");
  param.add_top("label");
  TripletDataParameter* triplet = param.mutable_triplet_data_param();
  triplet->set_source(source);
  triplet->set_backend(DataParameter::LMDB);
  triplet->set_batch_size(kBatch);
  triplet->set_num_threads(threads);
  AugmentationParameter* augmentation = param.mutable_augmentation_param();
  augmentation->set_random_seed(5);
  augmentation->set_out_height(12);
  augmentation->set_out_width(12);
  augmentation->set_rotation(25);
  augmentation->set_hflip_prob(0.5);
  augmentation->set_contrast(0.3);
  return param;
}

}  // namespace

template <typename Dtype>
class TripletAugmentationTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(TripletAugmentationTest, Dtypes);

TYPED_TEST(TripletAugmentationTest, EachImageIsTheAugmenterOutputForItsSlot) {
  TempDir dir;
  const LayerParameter param = TripletParam(WriteTriplets(dir, false), 2);
  const augment::Augmenter augmenter(param.augmentation_param());
  auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
  Blob<TypeParam> data, label;
  vector<Blob<TypeParam>*> top{&data, &label};
  layer->SetUp({}, top);
  ASSERT_EQ(data.shape(), (vector<int>{3 * kBatch, 1, 12, 12}));
  augment::AugmentedImage expected;
  // Three batches per epoch: the fourth re-reads record 0 in epoch 1.
  for (int batch = 0; batch < 4; ++batch) {
    layer->Forward({}, top);
    for (int item = 0; item < kBatch; ++item) {
      const int record = (batch * kBatch + item) % kRecords;
      const uint64_t epoch = (batch * kBatch + item) / kRecords;
      ASSERT_EQ(label.cpu_data()[item], record);
      for (int slot = 0; slot < 3; ++slot) {
        const cv::Mat source = MakeImage(record, slot);
        augmenter.Apply(source.data, kSide, kSide, 1,
                        augment::RecordContext::FromKey(epoch, Key(record), slot), TRAIN,
                        &expected);
        const TypeParam* got = data.cpu_data() + data.offset(slot * kBatch + item);
        for (int i = 0; i < 12 * 12; ++i) {
          ASSERT_EQ(got[i], TypeParam(expected.u8[i]))
              << "batch " << batch << " item " << item << " slot " << slot << " pixel " << i;
        }
      }
    }
  }
}

TYPED_TEST(TripletAugmentationTest, SameBatchesWhateverTheWorkerCount) {
  TempDir dir;
  const string source = WriteTriplets(dir, false);
  auto one = LayerRegistry<TypeParam>::CreateLayer(TripletParam(source, 1));
  auto three = LayerRegistry<TypeParam>::CreateLayer(TripletParam(source, 3));
  Blob<TypeParam> a, la, b, lb;
  vector<Blob<TypeParam>*> top_a{&a, &la}, top_b{&b, &lb};
  one->SetUp({}, top_a);
  three->SetUp({}, top_b);
  for (int batch = 0; batch < 4; ++batch) {
    one->Forward({}, top_a);
    three->Forward({}, top_b);
    for (int i = 0; i < a.count(); ++i) ASSERT_EQ(a.cpu_data()[i], b.cpu_data()[i]);
  }
}

TYPED_TEST(TripletAugmentationTest, ShareAllCouplesTheSlotsAndNoneDoesNot) {
  TempDir dir;
  const string source = WriteTriplets(dir, true);
  auto slots_differ = [&](AugmentationParameter::Share share) {
    LayerParameter param = TripletParam(source, 2);
    param.mutable_augmentation_param()->set_share(share);
    auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
    Blob<TypeParam> data, label;
    vector<Blob<TypeParam>*> top{&data, &label};
    layer->SetUp({}, top);
    layer->Forward({}, top);
    int differing = 0;
    const int image = 12 * 12;
    for (int item = 0; item < kBatch; ++item) {
      for (int slot = 1; slot < 3; ++slot) {
        const TypeParam* anchor = data.cpu_data() + data.offset(item);
        const TypeParam* other = data.cpu_data() + data.offset(slot * kBatch + item);
        for (int i = 0; i < image; ++i) differing += anchor[i] != other[i];
      }
    }
    return differing;
  };
  EXPECT_EQ(slots_differ(AugmentationParameter::ALL), 0);
  EXPECT_GT(slots_differ(AugmentationParameter::NONE), 100);
}

TEST(TripletAugmentationErrors, EmitParamsIsRefusedWithAClearError) {
  TempDir dir;
  LayerParameter param = TripletParam(WriteTriplets(dir, false), 1);
  param.mutable_augmentation_param()->set_emit_params(true);
  auto layer = LayerRegistry<float>::CreateLayer(param);
  Blob<float> data, label;
  vector<Blob<float>*> top{&data, &label};
  try {
    layer->SetUp({}, top);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(string(error.what()).find("emit_params"), string::npos);
  }
}

}  // namespace caffe
