// A DeepAugment-style policy (five sub-policies of two ops each, with
// magnitudes and a sub-policy portion) written in prototxt trains with the
// `caffe train` binary on Data and TripletData layers, and `caffe
// augment_preview` draws a TripletData net one row per slot.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>

#include "augment_test_util.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;

const int kSide = 16, kRecords = 12;

// Five sub-policies of two ops; ops by type and by DeepAugment-style name.
const char kPolicy[] = R"(
  augmentation_param {
    random_seed: 3
    policy {
      sub_policy { portion: 0.7
                   op { name: "gaussian-blur" magnitude: 0.4 }
                   op { type: ROTATE prob: 0.8 magnitude: 0.3 } }
      sub_policy { portion: 0.5
                   op { name: "coarse-dropout" magnitude: 0.6 }
                   op { type: HFLIP prob: 0.5 } }
      sub_policy { portion: 0.9
                   op { type: FOG magnitude: 0.5 }
                   op { type: CROP magnitude: 0.4 } }
      sub_policy { portion: 0.6
                   op { type: EMBOSS magnitude: 0.7 }
                   op { name: "additive-gaussian-noise" magnitude: 0.2 } }
      sub_policy { portion: 0.8
                   op { type: GAMMA magnitude: 0.5 }
                   op { type: SCALE prob: 0.9 magnitude: 0.3 } }
    }
  })";

std::string ImageBytes(int record, int slot) {
  const std::vector<uint8_t> img = augment::test::TexturedImage(kSide, kSide, 1, 7 * record + slot);
  return std::string(img.begin(), img.end());
}

class AugmentTrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::pair<string, string>> data, triplets;
    for (int r = 0; r < kRecords; ++r) {
      const string key = "0000000" + std::to_string(r % 10) + "_" + std::to_string(r);
      data.emplace_back(key, testing_data::SerializedDatum(1, kSide, kSide,
                                                           ImageBytes(r, 0), r % 2));
      TripletDatum triplet;
      triplet.set_channels(1);
      triplet.set_height(kSide);
      triplet.set_width(kSide);
      triplet.set_data_anchor(ImageBytes(r, 0));
      triplet.set_data_pos(ImageBytes(r, 1));
      triplet.set_data_neg(ImageBytes(r, 2));
      triplet.add_label(r % 2);
      triplets.emplace_back(key, triplet.SerializeAsString());
    }
    testing_data::WriteDB("lmdb", dir_.Join("data_lmdb"), data);
    testing_data::WriteDB("lmdb", dir_.Join("triplet_lmdb"), triplets);
  }

  void Write(const string& name, const string& text) {
    std::ofstream(dir_.Join(name)) << text;
  }
  // Runs `caffe <args>` in the temporary directory; returns the exit code.
  int Caffe(const string& args, string* output) {
    const string command = "cd " + dir_.path() + " && " + CAFFE_TOOLS_DIR + "/caffe " + args +
                           " > tool.log 2>&1";
    const int status = std::system(command.c_str());
    *output = ReadFileToString(dir_.Join("tool.log"));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void ExpectTrains(const string& net) {
    Write("net.prototxt", net);
    Write("solver.prototxt",
          "net: \"net.prototxt\" base_lr: 0.01 momentum: 0.9 lr_policy: \"fixed\" "
          "display: 1 max_iter: 6 snapshot: 0 snapshot_after_train: false "
          "solver_mode: CPU random_seed: 5\n");
    string log;
    ASSERT_EQ(Caffe("train -solver solver.prototxt", &log), 0) << log;
    EXPECT_NE(log.find("Optimization Done"), string::npos) << log;
    EXPECT_NE(log.find("Iteration 5"), string::npos) << log;
    EXPECT_EQ(log.find("nan"), string::npos) << log;
  }

  TempDir dir_;
};

TEST_F(AugmentTrainingTest, DeepAugmentPolicyTrainsOnADataLayer) {
  ExpectTrains(string(R"(
layer { name: "data" type: "Data" top: "data" top: "label"
  transform_param { scale: 0.00390625 }
  data_param { source: "data_lmdb" backend: LMDB batch_size: 4 })") + kPolicy + R"( }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
)");
}

TEST_F(AugmentTrainingTest, DeepAugmentPolicyTrainsOnATripletDataLayer) {
  ExpectTrains(string(R"(
layer { name: "triplets" type: "TripletData" top: "data"
  transform_param { scale: 0.00390625 }
  triplet_data_param { source: "triplet_lmdb" backend: LMDB batch_size: 4 num_threads: 2 })") +
               kPolicy + R"( }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }
layer { name: "embedding" type: "Normalize" bottom: "ip" top: "embedding" }
layer { name: "loss" type: "TripletLoss" bottom: "embedding" top: "loss"
  triplet_loss_param { margin: 0.2 } }
)");
}

TEST_F(AugmentTrainingTest, PreviewOfATripletNetHasOneRowPerSlot) {
  Write("net.prototxt", string(R"(
layer { name: "triplets" type: "TripletData" top: "data"
  triplet_data_param { source: "triplet_lmdb" backend: LMDB batch_size: 4 })") +
                            kPolicy + " }\n");
  string log;
  ASSERT_EQ(Caffe("augment_preview -model net.prototxt -records 2 -samples 3 -zoom 2 "
                  "-output grid.png", &log), 0) << log;
  const cv::Mat grid = cv::imread(dir_.Join("grid.png"));
  ASSERT_FALSE(grid.empty()) << log;
  EXPECT_EQ(grid.rows, 6 * 2 * kSide + 7 * 4);  // 2 records x 3 slots, zoom 2
  EXPECT_EQ(grid.cols, 4 * 2 * kSide + 5 * 4);
  ASSERT_EQ(Caffe("augment_preview -model net.prototxt -records 2 -samples 3 -zoom 2 "
                  "-captions -output captioned.png", &log), 0) << log;
  EXPECT_GT(cv::imread(dir_.Join("captioned.png")).rows, grid.rows);
  // A bad magnitude names the layer, the field and the range, exit code 1.
  Write("bad.prototxt", R"(
layer { name: "triplets" type: "TripletData" top: "data"
  triplet_data_param { source: "triplet_lmdb" batch_size: 4 }
  augmentation_param { policy { sub_policy { op { type: FOG magnitude: 2 } } } } }
)");
  ASSERT_EQ(Caffe("augment_preview -model bad.prototxt", &log), 1) << log;
  EXPECT_NE(log.find("layer 'triplets' (TripletData): augmentation_param.policy."
                     "sub_policy[0].op[0].magnitude = 2 is outside the allowed range [0, 1]"),
            string::npos) << log;
}

}  // namespace
}  // namespace caffe
