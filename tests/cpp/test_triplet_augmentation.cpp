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

// Colour images through the whole pipeline (warp, brightness, contrast,
// noise, cutout) and a transform that crops, subtracts per-channel means and
// scales: the layer hands the pixel chain's rows straight to the transform,
// and the batch holds exactly what the augmenter's whole image transformed
// would give.
TYPED_TEST(TripletAugmentationTest, ColourPipelineRowsReachTheTransformUnchanged) {
  const int side = 20, out = 16, crop = 11, offset = (out - crop) / 2;
  const float means[3] = {104, 117, 123};
  auto colour_image = [&](int record, int slot) {
    cv::Mat image(side, side, CV_8UC3);
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        for (int c = 0; c < 3; ++c) {
          image.at<cv::Vec3b>(y, x)[c] =
              static_cast<uint8_t>((x * (11 + c) + y * y * 3 + record * 29 + slot * 57) % 256);
        }
      }
    }
    return image;
  };
  TempDir dir;
  vector<pair<string, string>> records;
  for (int r = 0; r < kRecords; ++r) {
    TripletDatum datum;
    datum.set_channels(3);
    datum.set_height(side);
    datum.set_width(side);
    string* fields[3] = {datum.mutable_data_anchor(), datum.mutable_data_pos(),
                         datum.mutable_data_neg()};
    for (int slot = 0; slot < 3; ++slot) {
      const cv::Mat image = colour_image(r, slot);
      string bytes(3 * side * side, '\0');
      for (int c = 0; c < 3; ++c) {
        for (int y = 0; y < side; ++y) {
          for (int x = 0; x < side; ++x) {
            bytes[(c * side + y) * side + x] = static_cast<char>(image.at<cv::Vec3b>(y, x)[c]);
          }
        }
      }
      *fields[slot] = bytes;
    }
    datum.add_label(r);
    records.emplace_back(Key(r), datum.SerializeAsString());
  }
  const string source = dir.Join("colour_lmdb");
  testing_data::WriteDB("lmdb", source, records);
  // TEST phase with apply_in_test: the transform's crop is the centre one.
  LayerParameter param = TripletParam(source, 2);
  param.set_phase(TEST);
  AugmentationParameter* augmentation = param.mutable_augmentation_param();
  augmentation->set_apply_in_test(true);
  augmentation->set_out_height(out);
  augmentation->set_out_width(out);
  augmentation->set_brightness(0.2f);
  augmentation->set_noise_std(8);
  augmentation->set_cutout_prob(0.5f);
  augmentation->set_cutout_random_fill(true);
  TransformationParameter* transform = param.mutable_transform_param();
  transform->set_crop_size(crop);
  transform->set_scale(0.5f);
  for (float mean : means) transform->add_mean_value(mean);
  const augment::Augmenter augmenter(param.augmentation_param());
  auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
  Blob<TypeParam> data, label;
  vector<Blob<TypeParam>*> top{&data, &label};
  layer->SetUp({}, top);
  ASSERT_EQ(data.shape(), (vector<int>{3 * kBatch, 3, crop, crop}));
  augment::AugmentedImage expected;
  for (int batch = 0; batch < 3; ++batch) {
    layer->Forward({}, top);
    for (int item = 0; item < kBatch; ++item) {
      const int record = batch * kBatch + item;
      for (int slot = 0; slot < 3; ++slot) {
        const cv::Mat image = colour_image(record, slot);
        augmenter.Apply(image.data, side, side, 3,
                        augment::RecordContext::FromKey(0, Key(record), slot), TEST, &expected);
        const TypeParam* got = data.cpu_data() + data.offset(slot * kBatch + item);
        for (int c = 0; c < 3; ++c) {
          for (int y = 0; y < crop; ++y) {
            for (int x = 0; x < crop; ++x) {
              const uint8_t value = expected.u8[((y + offset) * out + x + offset) * 3 + c];
              ASSERT_EQ(got[(c * crop + y) * crop + x],
                        (TypeParam(value) - TypeParam(means[c])) * TypeParam(0.5))
                  << "record " << record << " slot " << slot << " channel " << c << " at (" << x
                  << ", " << y << ")";
            }
          }
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
