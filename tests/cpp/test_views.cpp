// Deterministic views (views_param): the view kernel against OpenCV's
// rotate/flip, the presets, the Data and TripletData layers emitting each
// record under each view as consecutive items (the same sample, exactly
// permuted), the square-image rule, and `caffe test` averaging the views of
// a record with the documented Reshape + Pooling recipe.
#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>
#include <vector>

#include "caffe/augment/augmenter.hpp"
#include "caffe/data/views.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::SerializedDatum;
using testing_data::TempDir;
using testing_data::WriteDB;

const View kAllViews[] = {ViewsParameter::IDENTITY,        ViewsParameter::ROTATE_90,
                          ViewsParameter::ROTATE_180,      ViewsParameter::ROTATE_270,
                          ViewsParameter::FLIP,            ViewsParameter::FLIP_ROTATE_90,
                          ViewsParameter::FLIP_ROTATE_180, ViewsParameter::FLIP_ROTATE_270};

// The reference: OpenCV's flip, then its counter-clockwise rotations.
cv::Mat ReferenceView(View view, const cv::Mat& image) {
  cv::Mat out = image.clone();
  const int value = static_cast<int>(view);
  if (value >= 4) cv::flip(out, out, 1);
  const int turns = value % 4;
  if (turns == 1) cv::rotate(out, out, cv::ROTATE_90_COUNTERCLOCKWISE);
  if (turns == 2) cv::rotate(out, out, cv::ROTATE_180);
  if (turns == 3) cv::rotate(out, out, cv::ROTATE_90_CLOCKWISE);
  return out;
}

TEST(ViewsTest, ApplyViewMatchesOpenCV) {
  const int channels = 2;
  for (const auto& [height, width] : {std::pair<int, int>{5, 5}, {3, 7}}) {
    // C x H x W planes, and the same values as one H x W image per channel.
    vector<float> item(channels * height * width);
    for (size_t i = 0; i < item.size(); ++i) item[i] = static_cast<float>(i * 7 % 31);
    for (View view : kAllViews) {
      SCOPED_TRACE(ViewsParameter::View_Name(view));
      const bool sideways = TurnsSideways(view);
      vector<float> out(item.size(), -1);
      ApplyView(view, item.data(), channels, height, width, out.data());
      for (int c = 0; c < channels; ++c) {
        const cv::Mat plane(height, width, CV_32F, item.data() + c * height * width);
        const cv::Mat expected = ReferenceView(view, plane);
        ASSERT_EQ(expected.rows, sideways ? width : height);
        const cv::Mat got(expected.rows, expected.cols, CV_32F,
                          out.data() + c * height * width);
        EXPECT_EQ(cv::norm(got, expected, cv::NORM_INF), 0) << "channel " << c;
      }
    }
  }
}

TEST(ViewsTest, PresetsComeFirstThenTheListedViews) {
  ViewsParameter param;
  EXPECT_EQ(ResolveViews(param), vector<View>{ViewsParameter::IDENTITY});
  param.set_preset(ViewsParameter::ROTATIONS);
  param.add_view(ViewsParameter::FLIP);
  EXPECT_EQ(ResolveViews(param),
            (vector<View>{ViewsParameter::IDENTITY, ViewsParameter::ROTATE_90,
                          ViewsParameter::ROTATE_180, ViewsParameter::ROTATE_270,
                          ViewsParameter::FLIP}));
  param.set_preset(ViewsParameter::DIHEDRAL);
  param.clear_view();
  EXPECT_EQ(ResolveViews(param), vector<View>(std::begin(kAllViews), std::end(kAllViews)));
  param.set_preset(ViewsParameter::FLIPS);
  EXPECT_EQ(ResolveViews(param),
            (vector<View>{ViewsParameter::IDENTITY, ViewsParameter::FLIP}));
}

template <typename Dtype>
struct LayerRun {
  vector<std::unique_ptr<Blob<Dtype>>> blobs;
  vector<Blob<Dtype>*> top;
  shared_ptr<Layer<Dtype>> layer;

  LayerRun(const LayerParameter& param, int tops) {
    for (int i = 0; i < tops; ++i) {
      blobs.push_back(std::make_unique<Blob<Dtype>>());
      top.push_back(blobs.back().get());
    }
    Caffe::set_random_seed(1701);
    layer = LayerRegistry<Dtype>::CreateLayer(param);
    layer->SetUp({}, top);
  }
};

// Item `item` of `blob` (its first axis), as values.
template <typename Dtype>
vector<Dtype> Item(const Blob<Dtype>& blob, int item) {
  const int count = blob.count(1);
  return vector<Dtype>(blob.cpu_data() + item * count, blob.cpu_data() + (item + 1) * count);
}

template <typename Dtype>
vector<Dtype> Viewed(View view, const vector<Dtype>& item, int channels, int side) {
  vector<Dtype> out(item.size());
  ApplyView(view, item.data(), channels, side, side, out.data());
  return out;
}

template <typename Dtype>
class ViewsLayerTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(ViewsLayerTest, Dtypes);

// With views, item r * V + v is view v of what the layer without views gives
// as item r: the same crop, mirror and augmentation, exactly permuted.
TYPED_TEST(ViewsLayerTest, DataEmitsEachRecordUnderEachView) {
  typedef TypeParam Dtype;
  LayerParameter param;
  param.set_name("data");
  param.set_type("Data");
  param.set_phase(TRAIN);
  param.mutable_data_param()->set_source(testing_data::DigitsDir() + "/test_lmdb");
  param.mutable_data_param()->set_backend(DataParameter::LMDB);
  param.mutable_data_param()->set_batch_size(6);
  param.mutable_data_param()->set_num_threads(3);
  param.mutable_transform_param()->set_crop_size(20);
  param.mutable_transform_param()->set_mirror(true);
  param.mutable_augmentation_param()->set_rotation(10);
  param.mutable_augmentation_param()->set_emit_params(true);
  LayerRun<Dtype> plain(param, 3);
  param.mutable_views_param()->set_preset(ViewsParameter::DIHEDRAL);
  LayerRun<Dtype> viewed(param, 3);
  ASSERT_EQ(viewed.top[0]->shape(), (vector<int>{48, 1, 20, 20}));
  ASSERT_EQ(viewed.top[1]->shape(), (vector<int>{48}));
  ASSERT_EQ(viewed.top[2]->shape(), (vector<int>{48, augment::SampledParams::kVectorSize}));
  for (int batch = 0; batch < 2; ++batch) {
    plain.layer->Forward({}, plain.top);
    viewed.layer->Forward({}, viewed.top);
    for (int record = 0; record < 6; ++record) {
      for (int v = 0; v < 8; ++v) {
        const int item = record * 8 + v;
        EXPECT_EQ(Item(*viewed.top[0], item),
                  Viewed(kAllViews[v], Item(*plain.top[0], record), 1, 20))
            << "record " << record << " view " << v;
        EXPECT_EQ(viewed.top[1]->cpu_data()[item], plain.top[1]->cpu_data()[record]);
        EXPECT_EQ(Item(*viewed.top[2], item), Item(*plain.top[2], record));
      }
    }
  }
}

TYPED_TEST(ViewsLayerTest, TripletDataAppliesTheViewToEverySlot) {
  typedef TypeParam Dtype;
  TempDir dir;
  vector<pair<string, string>> records;
  for (int r = 0; r < 5; ++r) {
    TripletDatum datum;
    datum.set_channels(2);
    datum.set_height(6);
    datum.set_width(6);
    for (string* image : {datum.mutable_data_anchor(), datum.mutable_data_pos(),
                          datum.mutable_data_neg()}) {
      const int slot = static_cast<int>(datum.data_pos().size() > 0) +
                       static_cast<int>(datum.data_neg().size() > 0);
      for (int i = 0; i < 72; ++i) {
        image->push_back(static_cast<char>((r * 53 + slot * 97 + i * 11) % 256));
      }
    }
    datum.add_label(r);
    char key[16];
    std::snprintf(key, sizeof(key), "%08d", r);
    records.emplace_back(key, datum.SerializeAsString());
  }
  WriteDB("lmdb", dir.Join("triplets"), records);
  for (auto layout : {TripletDataParameter::STACKED, TripletDataParameter::CHANNELS,
                      TripletDataParameter::SEPARATE}) {
    SCOPED_TRACE(TripletDataParameter::Layout_Name(layout));
    const int image_tops = layout == TripletDataParameter::SEPARATE ? 3 : 1;
    LayerParameter param;
    param.set_name("triplets");
    param.set_type("TripletData");
    param.set_phase(TRAIN);
    param.mutable_triplet_data_param()->set_source(dir.Join("triplets"));
    param.mutable_triplet_data_param()->set_batch_size(3);
    param.mutable_triplet_data_param()->set_layout(layout);
    param.mutable_transform_param()->set_crop_size(4);
    param.mutable_transform_param()->set_mirror(true);
    LayerRun<Dtype> plain(param, image_tops + 1);
    param.mutable_views_param()->add_view(ViewsParameter::ROTATE_270);
    param.mutable_views_param()->add_view(ViewsParameter::FLIP);
    LayerRun<Dtype> viewed(param, image_tops + 1);
    plain.layer->Forward({}, plain.top);
    viewed.layer->Forward({}, viewed.top);
    EXPECT_EQ(viewed.top[image_tops]->shape(), (vector<int>{6, 1}));
    // One C x H x W image per (item, slot), wherever the layout puts it.
    auto image = [&](const LayerRun<Dtype>& run, int items, int item, int slot) {
      const Blob<Dtype>& data = *run.top[layout == TripletDataParameter::SEPARATE ? slot : 0];
      const int count = 2 * 4 * 4;
      const int index = layout == TripletDataParameter::STACKED    ? slot * items + item
                        : layout == TripletDataParameter::CHANNELS ? item * 3 + slot
                                                                   : item;
      return vector<Dtype>(data.cpu_data() + index * count, data.cpu_data() + (index + 1) * count);
    };
    for (int record = 0; record < 3; ++record) {
      for (int slot = 0; slot < 3; ++slot) {
        const vector<Dtype> original = image(plain, 3, record, slot);
        EXPECT_EQ(image(viewed, 6, record * 2, slot),
                  Viewed(ViewsParameter::ROTATE_270, original, 2, 4));
        EXPECT_EQ(image(viewed, 6, record * 2 + 1, slot),
                  Viewed(ViewsParameter::FLIP, original, 2, 4));
      }
      EXPECT_EQ(viewed.top[image_tops]->cpu_data()[record * 2 + 1], record);
    }
  }
}

TYPED_TEST(ViewsLayerTest, QuarterTurnsNeedSquareImages) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("wide"), {{"a", SerializedDatum(1, 2, 3, "abcdef", 0)}});
  LayerParameter param;
  param.set_name("wide");
  param.set_type("Data");
  param.mutable_data_param()->set_source(dir.Join("wide"));
  param.mutable_data_param()->set_backend(DataParameter::LMDB);
  param.mutable_data_param()->set_batch_size(1);
  param.mutable_views_param()->set_preset(ViewsParameter::FLIPS);
  LayerRun<TypeParam> flips(param, 1);
  flips.layer->Forward({}, flips.top);
  EXPECT_EQ(Item(*flips.top[0], 1), (vector<TypeParam>{'c', 'b', 'a', 'f', 'e', 'd'}));
  param.mutable_views_param()->set_preset(ViewsParameter::ROTATIONS);
  try {
    LayerRun<TypeParam> rotations(param, 1);
    FAIL() << "a 2x3 image was turned by 90 degrees";
  } catch (const DataError& e) {
    EXPECT_NE(string(e.what()).find("not square"), string::npos) << e.what();
  }
}

// The docs' recipe for test-time augmentation: Reshape the N V items to
// N x 1 x V x K and average over the views with Pooling.
TEST(ViewsToolTest, CaffeTestAveragesTheViewsOfEachRecord) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("images"),
          {{"0", SerializedDatum(1, 2, 2, string("\x01\x02\x03\x04", 4), 0)},
           {"1", SerializedDatum(1, 2, 2, string("\x0a\x14\x1e\x28", 4), 1)}});
  std::ofstream(dir.Join("net.prototxt")) << R"(
layer { name: "data" type: "Data" top: "data"
        data_param { source: "images" backend: LMDB batch_size: 2 }
        views_param { view: IDENTITY view: ROTATE_90 } }
layer { name: "group" type: "Reshape" bottom: "data" top: "grouped"
        reshape_param { shape { dim: 2 dim: 1 dim: 2 dim: 4 } } }
layer { name: "mean" type: "Pooling" bottom: "grouped" top: "mean"
        pooling_param { pool: AVE kernel_h: 2 kernel_w: 1 stride: 1 } }
)";
  WriteProtoToBinaryFile(NetParameter(), dir.Join("empty.caffemodel"));
  const string command = "cd '" + dir.path() + "' && '" + CAFFE_TOOLS_DIR +
                         "/caffe' test -model net.prototxt -weights empty.caffemodel "
                         "-iterations 1 > out.txt 2>&1";
  const int status = std::system(command.c_str());
  const string out = ReadFileToString(dir.Join("out.txt"));
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  // Record 0 is [[1 2] [3 4]]; turned: [[2 4] [1 3]]; their mean per pixel.
  const float expected[8] = {1.5, 3, 2, 3.5, 15, 30, 20, 35};
  size_t position = 0;
  for (float value : expected) {
    std::ostringstream line;
    line << "Batch 0, mean = " << value << "\n";
    position = out.find(line.str(), position);
    ASSERT_NE(position, string::npos) << "no '" << line.str() << "' in order in\n" << out;
  }
}

}  // namespace
}  // namespace caffe
