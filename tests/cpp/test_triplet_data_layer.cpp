// The TripletData layer: fork-compatible records, the three layouts, labels,
// batches independent of num_threads/prefetch, bad records (FAIL and SKIP),
// thread lifetime, and exact resume.
#include <dirent.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/triplet_data_layer.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;
using testing_data::WriteDB;

// The byte of image `slot` of record `record` at planar index i: distinct
// per record, slot and position.
uint8_t PixelByte(int record, int slot, int i) {
  return static_cast<uint8_t>((record * 31 + slot * 71 + i * 7) % 251);
}

string PlanarBytes(int record, int slot, int count) {
  string bytes(count, '\0');
  for (int i = 0; i < count; ++i) bytes[i] = static_cast<char>(PixelByte(record, slot, i));
  return bytes;
}

string RawTriplet(int record, int channels, int height, int width, vector<float> labels) {
  TripletDatum datum;
  datum.set_channels(channels);
  datum.set_height(height);
  datum.set_width(width);
  const int count = channels * height * width;
  datum.set_data_anchor(PlanarBytes(record, 0, count));
  datum.set_data_pos(PlanarBytes(record, 1, count));
  datum.set_data_neg(PlanarBytes(record, 2, count));
  for (float label : labels) datum.add_label(label);
  return datum.SerializeAsString();
}

string Key(int index) {
  char key[16];
  std::snprintf(key, sizeof(key), "%08d", index);
  return key;
}

// Protobuf wire format written by hand, as a writer built from the fork's
// caffe.proto (fields 1-7 only) would.
void AppendVarint(uint64_t value, string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}
string ForkTriplet(int record, int channels, int height, int width) {
  string out;
  const int ints[3] = {channels, height, width};
  for (int field = 1; field <= 3; ++field) {
    AppendVarint(field << 3, &out);
    AppendVarint(ints[field - 1], &out);
  }
  for (int field = 4; field <= 6; ++field) {
    const string bytes = PlanarBytes(record, field - 4, channels * height * width);
    AppendVarint((field << 3) | 2, &out);
    AppendVarint(bytes.size(), &out);
    out += bytes;
  }
  AppendVarint(7 << 3, &out);
  AppendVarint(0, &out);
  return out;
}

int CountThreads() {
  int count = 0;
  DIR* tasks = opendir("/proc/self/task");
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(tasks);
  return count;
}

// Resident memory in kB, from /proc/self/status.
long ResidentKB() {
  std::ifstream status("/proc/self/status");
  string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

template <typename Dtype>
class TripletDataLayerTest : public ::testing::Test {
 protected:
  void WriteRaw(int records, int channels, int height, int width, int labels) {
    vector<pair<string, string>> entries;
    for (int r = 0; r < records; ++r) {
      vector<float> label;
      for (int l = 0; l < labels; ++l) label.push_back(static_cast<float>(r * 10 + l));
      entries.emplace_back(Key(r), RawTriplet(r, channels, height, width, label));
    }
    WriteDB("lmdb", source(), entries);
  }

  string source() const { return dir_.Join("triplets_lmdb"); }

  LayerParameter Param(int batch_size, TripletDataParameter::Layout layout, Phase phase = TRAIN) {
    LayerParameter param;
    param.set_name("triplets");
    param.set_type("TripletData");
    param.set_phase(phase);
    TripletDataParameter* triplet = param.mutable_triplet_data_param();
    triplet->set_source(source());
    triplet->set_backend(DataParameter::LMDB);
    triplet->set_batch_size(batch_size);
    triplet->set_layout(layout);
    triplet->set_num_threads(2);
    return param;
  }

  // Creates tops (image tops for the layout, plus a label top).
  vector<Blob<Dtype>*> Tops(int count) {
    blobs_.clear();
    vector<Blob<Dtype>*> tops;
    for (int i = 0; i < count; ++i) {
      blobs_.push_back(std::make_unique<Blob<Dtype>>());
      tops.push_back(blobs_.back().get());
    }
    return tops;
  }

  std::unique_ptr<TripletDataLayer<Dtype>> SetUp(const LayerParameter& param,
                                                 const vector<Blob<Dtype>*>& top) {
    auto layer = std::make_unique<TripletDataLayer<Dtype>>(param);
    layer->SetUp({}, top);
    return layer;
  }

  TempDir dir_;
  vector<std::unique_ptr<Blob<Dtype>>> blobs_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(TripletDataLayerTest, Dtypes);

TYPED_TEST(TripletDataLayerTest, ForkWrittenRecordLoads) {
  WriteDB("lmdb", this->source(), {{Key(0), ForkTriplet(0, 1, 2, 3)},
                                   {Key(1), ForkTriplet(1, 1, 2, 3)}});
  auto top = this->Tops(1);
  auto layer = this->SetUp(this->Param(2, TripletDataParameter::STACKED), top);
  layer->Forward({}, top);
  ASSERT_EQ(top[0]->shape(), (vector<int>{6, 1, 2, 3}));
  for (int slot = 0; slot < 3; ++slot) {
    for (int item = 0; item < 2; ++item) {
      for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(top[0]->cpu_data()[(slot * 2 + item) * 6 + i], PixelByte(item, slot, i));
      }
    }
  }
}

TYPED_TEST(TripletDataLayerTest, EachLayoutHasItsShapesAndBytes) {
  const int n = 3, c = 2, h = 3, w = 4, labels = 2, records = 5;
  this->WriteRaw(records, c, h, w, labels);
  const int image = c * h * w;
  for (auto layout : {TripletDataParameter::STACKED, TripletDataParameter::CHANNELS,
                      TripletDataParameter::SEPARATE}) {
    SCOPED_TRACE(TripletDataParameter::Layout_Name(layout));
    const int image_tops = layout == TripletDataParameter::SEPARATE ? 3 : 1;
    auto top = this->Tops(image_tops + 1);
    auto layer = this->SetUp(this->Param(n, layout), top);
    for (int batch = 0; batch < 3; ++batch) {
      layer->Forward({}, top);
      if (layout == TripletDataParameter::STACKED) {
        ASSERT_EQ(top[0]->shape(), (vector<int>{3 * n, c, h, w}));
      } else if (layout == TripletDataParameter::CHANNELS) {
        ASSERT_EQ(top[0]->shape(), (vector<int>{n, 3 * c, h, w}));
      } else {
        for (int slot = 0; slot < 3; ++slot) {
          ASSERT_EQ(top[slot]->shape(), (vector<int>{n, c, h, w}));
        }
      }
      ASSERT_EQ(top[image_tops]->shape(), (vector<int>{n, labels}));
      for (int item = 0; item < n; ++item) {
        const int record = (batch * n + item) % records;
        for (int l = 0; l < labels; ++l) {
          EXPECT_EQ(top[image_tops]->cpu_data()[item * labels + l], record * 10 + l);
        }
        for (int slot = 0; slot < 3; ++slot) {
          const TypeParam* pixels =
              layout == TripletDataParameter::STACKED
                  ? top[0]->cpu_data() + (slot * n + item) * image
              : layout == TripletDataParameter::CHANNELS
                  ? top[0]->cpu_data() + (item * 3 + slot) * image
                  : top[slot]->cpu_data() + item * image;
          for (int i = 0; i < image; ++i) {
            ASSERT_EQ(pixels[i], PixelByte(record, slot, i))
                << "record " << record << " slot " << slot << " index " << i;
          }
        }
      }
    }
  }
}

TYPED_TEST(TripletDataLayerTest, TransformParamAppliesPerImage) {
  this->WriteRaw(2, 1, 4, 4, 1);
  LayerParameter param = this->Param(2, TripletDataParameter::STACKED, TEST);
  param.mutable_transform_param()->set_scale(0.5);
  param.mutable_transform_param()->add_mean_value(10);
  param.mutable_transform_param()->set_crop_size(2);
  auto top = this->Tops(2);
  auto layer = this->SetUp(param, top);
  layer->Forward({}, top);
  ASSERT_EQ(top[0]->shape(), (vector<int>{6, 1, 2, 2}));
  for (int slot = 0; slot < 3; ++slot) {
    for (int item = 0; item < 2; ++item) {
      for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 2; ++x) {
          // TEST crops the centre: rows and columns 1..2.
          const TypeParam expected = (PixelByte(item, slot, (y + 1) * 4 + x + 1) - 10) * 0.5;
          EXPECT_NEAR(top[0]->data_at(slot * 2 + item, 0, y, x), expected, 1e-6);
        }
      }
    }
  }
}

TYPED_TEST(TripletDataLayerTest, BatchesDoNotDependOnThreadsOrPrefetch) {
  this->WriteRaw(7, 1, 6, 6, 1);
  auto run = [this](int threads, int prefetch, int seed = 1701) {
    LayerParameter param = this->Param(4, TripletDataParameter::STACKED);
    param.mutable_triplet_data_param()->set_num_threads(threads);
    param.mutable_triplet_data_param()->set_prefetch(prefetch);
    param.mutable_transform_param()->set_crop_size(3);
    param.mutable_transform_param()->set_mirror(true);
    Caffe::set_random_seed(seed);
    auto top = this->Tops(2);
    auto layer = this->SetUp(param, top);
    vector<TypeParam> values;
    for (int batch = 0; batch < 5; ++batch) {
      layer->Forward({}, top);
      values.insert(values.end(), top[0]->cpu_data(), top[0]->cpu_data() + top[0]->count());
      values.insert(values.end(), top[1]->cpu_data(), top[1]->cpu_data() + top[1]->count());
    }
    return values;
  };
  const vector<TypeParam> reference = run(1, 1);
  EXPECT_EQ(run(2, 4), reference);
  EXPECT_EQ(run(4, 2), reference);
  EXPECT_EQ(run(4, 1), reference);
  // The draws are random: another seed gives other crops or mirrors.
  bool differs = false;
  for (int seed = 1; seed < 5 && !differs; ++seed) differs = run(2, 2, seed) != reference;
  EXPECT_TRUE(differs) << "another seed should give other crops or mirrors";
}

TYPED_TEST(TripletDataLayerTest, ResumeEqualsStraightRun) {
  this->WriteRaw(9, 1, 5, 5, 1);
  for (auto policy : {DataParameter::FAIL, DataParameter::SKIP}) {
    if (policy == DataParameter::SKIP) {
      // Add bad records between good ones.
      vector<pair<string, string>> entries;
      for (int r = 0; r < 9; ++r) {
        entries.emplace_back(Key(2 * r), RawTriplet(r, 1, 5, 5, {float(r)}));
        if (r % 3 == 1) entries.emplace_back(Key(2 * r + 1), "not a triplet at all \xff\xff");
      }
      std::filesystem::remove_all(this->source());
      WriteDB("lmdb", this->source(), entries);
    }
    LayerParameter param = this->Param(4, TripletDataParameter::STACKED);
    param.mutable_triplet_data_param()->set_on_bad_record(policy);
    param.mutable_transform_param()->set_crop_size(3);
    param.mutable_transform_param()->set_mirror(true);
    auto batches = [&](int skip, int count) {
      Caffe::set_random_seed(42);
      auto top = this->Tops(2);
      auto layer = this->SetUp(param, top);
      if (skip > 0) layer->SkipForwardPasses(skip);
      vector<vector<TypeParam>> out;
      for (int b = 0; b < count; ++b) {
        layer->Forward({}, top);
        vector<TypeParam> values(top[0]->cpu_data(), top[0]->cpu_data() + top[0]->count());
        values.insert(values.end(), top[1]->cpu_data(), top[1]->cpu_data() + top[1]->count());
        out.push_back(values);
      }
      return out;
    };
    const vector<vector<TypeParam>> straight = batches(0, 7);
    const vector<vector<TypeParam>> resumed = batches(4, 3);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(resumed[b], straight[4 + b]) << "batch " << 4 + b;
  }
}

// One bad record of each kind between good ones; its key and problem.
struct BadRecord {
  string value;
  string problem;
};

vector<BadRecord> BadRecords() {
  vector<BadRecord> bad;
  bad.push_back({"\x0a\xff\xff garbage", "is not a serialized TripletDatum"});
  TripletDatum short_bytes;
  short_bytes.set_channels(1);
  short_bytes.set_height(4);
  short_bytes.set_width(4);
  short_bytes.set_data_anchor(string(16, 'a'));
  short_bytes.set_data_pos(string(15, 'a'));
  short_bytes.set_data_neg(string(16, 'a'));
  short_bytes.add_label(1);
  bad.push_back({short_bytes.SerializeAsString(), "the positive image holds 15 bytes"});
  TripletDatum undecodable;
  undecodable.set_encoded(true);
  undecodable.set_data_anchor("not a png");
  undecodable.set_data_pos("not a png");
  undecodable.set_data_neg("not a png");
  undecodable.add_label(1);
  bad.push_back({undecodable.SerializeAsString(), "the anchor image (9 bytes) cannot be decoded"});
  TripletDatum mixed;
  mixed.set_encoded(true);
  std::vector<uchar> small, large;
  cv::imencode(".png", cv::Mat(4, 4, CV_8UC1, cv::Scalar(3)), small);
  cv::imencode(".png", cv::Mat(5, 4, CV_8UC1, cv::Scalar(3)), large);
  mixed.set_data_anchor(string(small.begin(), small.end()));
  mixed.set_data_pos(string(small.begin(), small.end()));
  mixed.set_data_neg(string(large.begin(), large.end()));
  mixed.add_label(1);
  bad.push_back({mixed.SerializeAsString(), "its anchor image is 1x4x4 but its negative image is 1x5x4"});
  bad.push_back({RawTriplet(0, 1, 3, 3, {1}), "it transforms to 1x3x3 but the layer's records transform to 1x4x4"});
  bad.push_back({RawTriplet(0, 1, 4, 4, {1, 2}), "it carries 2 labels but the first record carries 1"});
  return bad;
}

TYPED_TEST(TripletDataLayerTest, BadRecordsAreNamedDataErrors) {
  for (const BadRecord& bad : BadRecords()) {
    SCOPED_TRACE(bad.problem);
    std::filesystem::remove_all(this->source());
    WriteDB("lmdb", this->source(), {{Key(0), RawTriplet(0, 1, 4, 4, {0})},
                                     {Key(1), RawTriplet(1, 1, 4, 4, {1})},
                                     {Key(2) + "_bad", bad.value}});
    auto top = this->Tops(2);
    auto layer = this->SetUp(this->Param(2, TripletDataParameter::STACKED), top);
    layer->Forward({}, top);
    try {
      layer->Forward({}, top);
      ADD_FAILURE() << "the bad record was not reported";
    } catch (const DataError& e) {
      const string message = e.what();
      EXPECT_NE(message.find("TripletData"), string::npos) << message;
      EXPECT_NE(message.find("record '00000002_bad'"), string::npos) << message;
      EXPECT_NE(message.find(bad.problem), string::npos) << message;
    }
  }
}

TYPED_TEST(TripletDataLayerTest, SkippedBadRecordsAreCounted) {
  const vector<BadRecord> bad = BadRecords();
  vector<pair<string, string>> entries;
  int good = 0;
  for (size_t i = 0; i < bad.size(); ++i) {
    entries.emplace_back(Key(2 * i), RawTriplet(good, 1, 4, 4, {float(good)}));
    ++good;
    entries.emplace_back(Key(2 * i + 1), bad[i].value);
  }
  WriteDB("lmdb", this->source(), entries);
  LayerParameter param = this->Param(3, TripletDataParameter::SEPARATE);
  param.mutable_triplet_data_param()->set_on_bad_record(DataParameter::SKIP);
  auto top = this->Tops(4);
  auto layer = this->SetUp(param, top);
  // Two batches of 3 take all 6 good records and pass over the 6 bad ones.
  for (int batch = 0; batch < 2; ++batch) {
    layer->Forward({}, top);
    for (int item = 0; item < 3; ++item) {
      const int record = batch * 3 + item;
      EXPECT_EQ(top[3]->cpu_data()[item], record);
      EXPECT_EQ(top[2]->data_at(item, 0, 1, 1), PixelByte(record, 2, 5));
    }
  }
  // The prefetch thread may have read on; the first 5 bad records are behind.
  EXPECT_GE(layer->skipped_records(), 5);
  // The third batch starts over, past the last bad record.
  layer->Forward({}, top);
  EXPECT_EQ(top[3]->cpu_data()[0], 0);
  EXPECT_GE(layer->skipped_records(), static_cast<int64_t>(bad.size()));
}

TYPED_TEST(TripletDataLayerTest, SetUpErrors) {
  this->WriteRaw(2, 1, 4, 4, 0);
  {
    auto top = this->Tops(2);
    TripletDataLayer<TypeParam> layer(this->Param(2, TripletDataParameter::STACKED));
    EXPECT_THROW(layer.SetUp({}, top), DataError);  // a label top without labels
  }
  {
    auto top = this->Tops(2);
    TripletDataLayer<TypeParam> layer(this->Param(2, TripletDataParameter::SEPARATE));
    EXPECT_THROW(layer.SetUp({}, top), ConfigError);  // SEPARATE needs 3 or 4 tops
  }
  {
    auto top = this->Tops(1);
    LayerParameter param = this->Param(0, TripletDataParameter::STACKED);
    TripletDataLayer<TypeParam> layer(param);
    EXPECT_THROW(layer.SetUp({}, top), ConfigError);
  }
  {
    LayerParameter param = this->Param(2, TripletDataParameter::STACKED);
    param.mutable_triplet_data_param()->set_prefetch(0);
    EXPECT_THROW(TripletDataLayer<TypeParam> unused(param), ConfigError);
  }
  {
    auto top = this->Tops(1);
    LayerParameter param = this->Param(2, TripletDataParameter::STACKED);
    param.mutable_triplet_data_param()->set_source(this->dir_.Join("missing"));
    TripletDataLayer<TypeParam> layer(param);
    EXPECT_THROW(layer.SetUp({}, top), IOError);
  }
}

TYPED_TEST(TripletDataLayerTest, EncodedColourImagesHonourForceGray) {
  vector<pair<string, string>> entries;
  cv::Mat colour(5, 6, CV_8UC3);
  for (int i = 0; i < colour.rows * colour.cols * 3; ++i) colour.data[i] = (i * 13) % 256;
  std::vector<uchar> png;
  cv::imencode(".png", colour, png);
  TripletDatum datum;
  datum.set_encoded(true);
  datum.set_data_anchor(string(png.begin(), png.end()));
  datum.set_data_pos(string(png.begin(), png.end()));
  datum.set_data_neg(string(png.begin(), png.end()));
  WriteDB("lmdb", this->source(), {{Key(0), datum.SerializeAsString()}});
  auto top = this->Tops(1);
  {
    auto layer = this->SetUp(this->Param(1, TripletDataParameter::CHANNELS), top);
    layer->Forward({}, top);
    ASSERT_EQ(top[0]->shape(), (vector<int>{1, 9, 5, 6}));
    EXPECT_EQ(top[0]->data_at(0, 3 + 2, 4, 5), colour.at<cv::Vec3b>(4, 5)[2]);
  }
  LayerParameter param = this->Param(1, TripletDataParameter::CHANNELS);
  param.mutable_triplet_data_param()->set_force_gray(true);
  auto layer = this->SetUp(param, top);
  layer->Forward({}, top);
  ASSERT_EQ(top[0]->shape(), (vector<int>{1, 3, 5, 6}));
  cv::Mat grey = cv::imdecode(png, cv::IMREAD_GRAYSCALE);
  EXPECT_EQ(top[0]->data_at(0, 1, 2, 3), grey.at<uchar>(2, 3));
}

TYPED_TEST(TripletDataLayerTest, CreatedThroughTheRegistry) {
  this->WriteRaw(2, 1, 2, 2, 1);
  auto layer = LayerRegistry<TypeParam>::CreateLayer(this->Param(2, TripletDataParameter::STACKED));
  EXPECT_STREQ(layer->type(), "TripletData");
}

TEST(TripletDataLayerLifetime, ThousandCreateDestroyCyclesLeaveNoThread) {
  TempDir dir;
  vector<pair<string, string>> entries;
  for (int r = 0; r < 8; ++r) entries.emplace_back(Key(r), RawTriplet(r, 1, 4, 4, {float(r)}));
  WriteDB("lmdb", dir.Join("db"), entries);
  const int threads_before = CountThreads();
  [[maybe_unused]] long resident_after_warmup = 0;
  for (int cycle = 0; cycle < 1000; ++cycle) {
    if (cycle == 100) resident_after_warmup = ResidentKB();
    LayerParameter param;
    param.set_name("triplets");
    param.set_type("TripletData");
    param.mutable_triplet_data_param()->set_source(dir.Join("db"));
    param.mutable_triplet_data_param()->set_batch_size(2);
    param.mutable_triplet_data_param()->set_prefetch(1 + cycle % 3);
    param.mutable_triplet_data_param()->set_num_threads(1 + cycle % 4);
    Blob<float> data, label;
    vector<Blob<float>*> top{&data, &label};
    TripletDataLayer<float> layer(param);
    layer.SetUp({}, top);
    // Destroyed with batches in flight, after some forwards, or none.
    for (int forward = 0; forward < cycle % 3; ++forward) layer.Forward({}, top);
  }
  EXPECT_EQ(CountThreads(), threads_before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // 900 more cycles may not keep memory (sanitizers keep freed memory on
  // purpose, and report leaks themselves).
  EXPECT_LT(ResidentKB() - resident_after_warmup, 8 * 1024);
#endif
}

}  // namespace
}  // namespace caffe
