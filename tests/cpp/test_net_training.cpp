// Whole-net behaviour: a small ResNet-style block and a siamese net trained
// with the `caffe` binary on tiny synthetic LMDBs (the loss must fall), the
// TEST-phase BatchNorm after training, `caffe test` and `caffe time` on the
// trained net, and net-level edge cases (in-place chains, automatic splits,
// weighted losses, propagate_down).
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "caffe/net.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;
using testing_data::WriteDB;

void WriteText(const string& path, const string& text) {
  std::ofstream out(path);
  out << text;
}

// Runs a `caffe` command in `dir`; returns its exit code, its log in *log.
int RunCaffe(const string& dir, const string& arguments, string* log) {
  const string command = "cd '" + dir + "' && '" + CAFFE_TOOLS_DIR + "/caffe' " + arguments +
                         " > run.log 2>&1";
  const int status = std::system(command.c_str());
  *log = ReadFileToString(dir + "/run.log");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The displayed training losses, by iteration.
std::map<int, double> TrainingLosses(const string& log) {
  std::map<int, double> losses;
  const std::regex pattern(R"(Iteration (\d+)(?: \([^)]*\))?, loss = ([-0-9.e+]+))");
  std::istringstream in(log);
  string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, pattern)) {
      losses[std::stoi(match[1])] = std::stod(match[2]);
    }
  }
  return losses;
}

// 64 grey 6x6 images of two classes: bright top half (label 0) or bright
// bottom half (label 1), with noise.
void WriteStripeImages(const string& path) {
  Caffe::set_random_seed(7);
  vector<pair<string, string>> records;
  for (int i = 0; i < 64; ++i) {
    const int label = i % 2;
    string pixels(36, '\0');
    for (int y = 0; y < 6; ++y) {
      for (int x = 0; x < 6; ++x) {
        const bool bright = (y < 3) == (label == 0);
        const int noise = static_cast<int>(caffe_rng_rand() % 81) - 40;
        pixels[y * 6 + x] = static_cast<char>((bright ? 190 : 60) + noise);
      }
    }
    char key[16];
    snprintf(key, sizeof(key), "%05d", i);
    records.emplace_back(key, testing_data::SerializedDatum(1, 6, 6, pixels, label));
  }
  WriteDB("lmdb", path, records);
}

// conv - BN - Scale - ReLU, then a residual block whose two convolutions are
// added back to its input (Eltwise SUM), pooling, a classifier.
const char* kResNet = R"(
name: "tiny_resnet"
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TRAIN }
  transform_param { scale: 0.00390625 }
  data_param { source: "stripes_lmdb" backend: LMDB batch_size: 16 } }
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TEST }
  transform_param { scale: 0.00390625 }
  data_param { source: "stripes_lmdb" backend: LMDB batch_size: 16 } }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 weight_filler { type: "msra" } } }
layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "bn1" include { phase: TRAIN }
  batch_norm_param { use_global_stats: false } }
layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "bn1" include { phase: TEST } }
layer { name: "scale1" type: "Scale" bottom: "bn1" top: "scale1" scale_param { bias_term: true } }
layer { name: "relu1" type: "ReLU" bottom: "scale1" top: "scale1" }
layer { name: "conv2" type: "Convolution" bottom: "scale1" top: "conv2"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 weight_filler { type: "msra" } } }
layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2" }
layer { name: "scale2" type: "Scale" bottom: "conv2" top: "conv2" scale_param { bias_term: true } }
layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
layer { name: "conv3" type: "Convolution" bottom: "conv2" top: "conv3"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 weight_filler { type: "msra" } } }
layer { name: "bn3" type: "BatchNorm" bottom: "conv3" top: "conv3" }
layer { name: "scale3" type: "Scale" bottom: "conv3" top: "conv3" scale_param { bias_term: true } }
layer { name: "sum" type: "Eltwise" bottom: "scale1" bottom: "conv3" top: "sum"
  eltwise_param { operation: SUM } }
layer { name: "relu_sum" type: "ReLU" bottom: "sum" top: "sum" }
layer { name: "pool" type: "Pooling" bottom: "sum" top: "pool"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "ip" type: "InnerProduct" bottom: "pool" top: "ip"
  inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
)";

const char* kResNetSolver = R"(
net: "resnet.prototxt"
test_iter: 2
test_interval: 1000
test_initialization: false
base_lr: 0.05
momentum: 0.9
weight_decay: 0.0005
lr_policy: "fixed"
display: 5
max_iter: 60
snapshot_prefix: "resnet"
random_seed: 1701
solver_mode: CPU
)";

// Trains the ResNet-style net once for the whole suite.
class ResNetTrainingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteStripeImages(dir_->Join("stripes_lmdb"));
    WriteText(dir_->Join("resnet.prototxt"), kResNet);
    WriteText(dir_->Join("solver.prototxt"), kResNetSolver);
    log_ = new string();
    exit_code_ = RunCaffe(dir_->path(), "train -solver solver.prototxt", log_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete log_;
  }

  static TempDir* dir_;
  static string* log_;
  static int exit_code_;
};
TempDir* ResNetTrainingTest::dir_ = nullptr;
string* ResNetTrainingTest::log_ = nullptr;
int ResNetTrainingTest::exit_code_ = -1;

TEST_F(ResNetTrainingTest, LossFallsClearly) {
  ASSERT_EQ(exit_code_, 0) << *log_;
  const auto losses = TrainingLosses(*log_);
  ASSERT_GE(losses.size(), 10u) << *log_;
  const double first = losses.begin()->second;
  const double last = losses.rbegin()->second;
  EXPECT_GT(first, 0.3);
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
  EXPECT_LT(last, 0.2);
}

// In TEST the BatchNorm normalises with the running statistics it stored
// while training: mean/s and var/s, s the scale factor blob.
TEST_F(ResNetTrainingTest, TestPhaseBatchNormUsesStoredStatistics) {
  ASSERT_EQ(exit_code_, 0) << *log_;
  const string cwd = std::filesystem::current_path().string();
  std::filesystem::current_path(dir_->path());
  Net<float> net("resnet.prototxt", TEST);
  net.CopyTrainedLayersFrom("resnet_iter_60.caffemodel");
  net.Forward();
  std::filesystem::current_path(cwd);

  const auto& bn = net.layer_by_name("bn1");
  ASSERT_EQ(bn->blobs().size(), 3u);
  const float factor = bn->blobs()[2]->cpu_data()[0];
  // 60 updates with moving_average_fraction 0.999: s = sum of 0.999^k.
  EXPECT_NEAR(factor, (1 - std::pow(0.999, 60)) / (1 - 0.999), 1e-2);
  const Blob<float>& input = *net.blob_by_name("conv1");
  const Blob<float>& output = *net.blob_by_name("bn1");
  const int channels = input.shape(1), spatial = input.count(2);
  double batch_mean_of_channel0 = 0;
  for (int n = 0; n < input.shape(0); ++n) {
    for (int c = 0; c < channels; ++c) {
      const float mean = bn->blobs()[0]->cpu_data()[c] / factor;
      const float var = bn->blobs()[1]->cpu_data()[c] / factor;
      for (int i = 0; i < spatial; ++i) {
        const int index = (n * channels + c) * spatial + i;
        const float expected = (input.cpu_data()[index] - mean) / std::sqrt(var + 1e-5f);
        EXPECT_NEAR(output.cpu_data()[index], expected, 1e-4 * std::max(1.f, std::fabs(expected)));
        if (c == 0) batch_mean_of_channel0 += output.cpu_data()[index];
      }
    }
  }
  // Not the batch's own statistics, which would centre each channel exactly.
  EXPECT_GT(std::fabs(batch_mean_of_channel0 / (input.shape(0) * spatial)), 1e-4);
}

TEST_F(ResNetTrainingTest, CaffeTestAndTimeRunOnTheTrainedNet) {
  ASSERT_EQ(exit_code_, 0) << *log_;
  string log;
  ASSERT_EQ(RunCaffe(dir_->path(),
                     "test -model resnet.prototxt -weights resnet_iter_60.caffemodel "
                     "-iterations 2",
                     &log),
            0)
      << log;
  const std::regex accuracy(R"(\] accuracy = ([0-9.e+-]+))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(log, match, accuracy)) << log;
  EXPECT_GE(std::stod(match[1]), 0.9);

  ASSERT_EQ(RunCaffe(dir_->path(), "time -model resnet.prototxt -iterations 2", &log), 0) << log;
  for (const string layer : {"conv1", "bn1", "scale1", "sum", "pool", "ip", "loss"}) {
    EXPECT_TRUE(std::regex_search(log, std::regex(layer + "\tforward: [0-9.e+-]+ ms\\.")))
        << layer << "\n" << log;
    EXPECT_TRUE(std::regex_search(log, std::regex(layer + "\tbackward: [0-9.e+-]+ ms\\.")))
        << layer << "\n" << log;
  }
  EXPECT_NE(log.find("Average Forward-Backward:"), string::npos) << log;
}

// ---------------------------------------------------------------- siamese

// 128 pairs of 4-d points, each from one of two clusters; label 1 when both
// points come from the same cluster. Stored as float Datums (2, 1, 4).
void WritePairs(const string& path) {
  Caffe::set_random_seed(9);
  vector<pair<string, string>> records;
  for (int i = 0; i < 128; ++i) {
    const int cluster_a = caffe_rng_rand() % 2;
    const int cluster_b = (i % 2 == 0) ? cluster_a : 1 - cluster_a;
    Datum datum;
    datum.set_channels(2);
    datum.set_height(1);
    datum.set_width(4);
    for (int cluster : {cluster_a, cluster_b}) {
      for (int d = 0; d < 4; ++d) {
        const float center = (cluster == 0) == (d % 2 == 0) ? 1.f : -1.f;
        datum.add_float_data(center + 0.3f * ((caffe_rng_rand() % 1001) / 500.f - 1.f));
      }
    }
    datum.set_label(cluster_a == cluster_b ? 1 : 0);
    char key[16];
    snprintf(key, sizeof(key), "%05d", i);
    records.emplace_back(key, datum.SerializeAsString());
  }
  WriteDB("lmdb", path, records);
}

const char* kSiamese = R"(
name: "siamese"
layer { name: "pairs" type: "Data" top: "pair_data" top: "sim"
  data_param { source: "pairs_lmdb" backend: LMDB batch_size: 32 } }
layer { name: "slice" type: "Slice" bottom: "pair_data" top: "data" top: "data_p"
  slice_param { axis: 1 slice_point: 1 } }
layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1"
  param { name: "ip1_w" } param { name: "ip1_b" }
  inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }
layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }
layer { name: "feat" type: "InnerProduct" bottom: "ip1" top: "feat"
  param { name: "feat_w" } param { name: "feat_b" }
  inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }
layer { name: "ip1_p" type: "InnerProduct" bottom: "data_p" top: "ip1_p"
  param { name: "ip1_w" } param { name: "ip1_b" }
  inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }
layer { name: "relu1_p" type: "ReLU" bottom: "ip1_p" top: "ip1_p" }
layer { name: "feat_p" type: "InnerProduct" bottom: "ip1_p" top: "feat_p"
  param { name: "feat_w" } param { name: "feat_b" }
  inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "ContrastiveLoss" bottom: "feat" bottom: "feat_p" bottom: "sim"
  top: "loss" contrastive_loss_param { margin: 1 } }
)";

const char* kSiameseSolver = R"(
net: "siamese.prototxt"
base_lr: 0.02
momentum: 0.9
lr_policy: "fixed"
display: 5
max_iter: 80
snapshot_prefix: "siamese"
random_seed: 1701
solver_mode: CPU
)";

TEST(SiameseTrainingTest, LossFallsAndTowersStayShared) {
  TempDir dir;
  WritePairs(dir.Join("pairs_lmdb"));
  WriteText(dir.Join("siamese.prototxt"), kSiamese);
  WriteText(dir.Join("solver.prototxt"), kSiameseSolver);
  string log;
  ASSERT_EQ(RunCaffe(dir.path(), "train -solver solver.prototxt", &log), 0) << log;
  const auto losses = TrainingLosses(log);
  ASSERT_GE(losses.size(), 10u) << log;
  const double first = losses.begin()->second;
  const double last = losses.rbegin()->second;
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;

  // Both towers were saved with the same (shared) trained weights.
  NetParameter trained;
  ReadProtoFromBinaryFile(dir.Join("siamese_iter_80.caffemodel"), &trained);
  std::map<string, const LayerParameter*> by_name;
  for (const auto& layer : trained.layer()) by_name[layer.name()] = &layer;
  for (const string tower : {"ip1", "feat"}) {
    const LayerParameter& a = *by_name.at(tower);
    const LayerParameter& b = *by_name.at(tower + "_p");
    ASSERT_EQ(a.blobs_size(), 2) << tower;
    ASSERT_EQ(b.blobs_size(), 2) << tower;
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(a.blobs(i).data_size(), b.blobs(i).data_size());
      for (int k = 0; k < a.blobs(i).data_size(); ++k) {
        EXPECT_EQ(a.blobs(i).data(k), b.blobs(i).data(k)) << tower << " blob " << i;
      }
    }
  }
}

// ------------------------------------------------------------ edge cases

template <typename Dtype>
shared_ptr<Net<Dtype>> MakeNet(const string& text, Phase phase = TRAIN) {
  NetParameter param;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &param)) << text;
  param.mutable_state()->set_phase(phase);
  return std::make_shared<Net<Dtype>>(param);
}

template <typename Dtype>
void FillInputs(Net<Dtype>* net, unsigned seed) {
  Caffe::set_random_seed(seed);
  for (Blob<Dtype>* blob : net->input_blobs()) {
    caffe_rng_uniform<Dtype>(blob->count(), -1, 1, blob->mutable_cpu_data());
  }
}

string ChainNet(const string& bn_top, const string& relu_top, const string& drop_top) {
  return R"(
layer { name: "in" type: "Input" top: "x" top: "y"
  input_param { shape { dim: 6 dim: 3 } shape { dim: 6 dim: 2 } } }
layer { name: "ip" type: "InnerProduct" bottom: "x" top: "h"
  inner_product_param { num_output: 5 weight_filler { type: "gaussian" std: 0.7 }
                        bias_filler { type: "constant" value: 0.1 } } }
layer { name: "bn" type: "BatchNorm" bottom: "h" top: ")" + bn_top + R"(" }
layer { name: "relu" type: "ReLU" bottom: ")" + bn_top + R"(" top: ")" + relu_top + R"(" }
layer { name: "drop" type: "Dropout" bottom: ")" + relu_top + R"(" top: ")" + drop_top + R"("
  dropout_param { dropout_ratio: 0.3 } }
layer { name: "out" type: "InnerProduct" bottom: ")" + drop_top + R"(" top: "out"
  inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.7 } } }
layer { name: "loss" type: "EuclideanLoss" bottom: "out" bottom: "y" top: "loss" }
)";
}

// BatchNorm, ReLU and Dropout computed in place give the same loss and
// parameter gradients as the same chain with separate blobs. (The order
// matters, as upstream: ReLU's backward reads its bottom, so a later in-place
// layer may only rescale it, as Dropout does, not change its sign.)
TEST(NetEdgeCaseTest, InPlaceChainMatchesSeparateBlobs) {
  Caffe::set_random_seed(3);
  auto in_place = MakeNet<double>(ChainNet("h", "h", "h"));
  Caffe::set_random_seed(3);
  auto separate = MakeNet<double>(ChainNet("b", "r", "d"));
  EXPECT_EQ(separate->blob_names().size(), in_place->blob_names().size() + 3);
  vector<double> losses;
  for (auto& net : {in_place, separate}) {
    FillInputs(net.get(), 5);
    net->ClearParamDiffs();
    Caffe::set_random_seed(11);  // the same dropout mask for both
    losses.push_back(net->ForwardBackward());
  }
  EXPECT_GT(losses[0], 0);
  EXPECT_NEAR(losses[0], losses[1], 1e-12);
  const auto& a = in_place->learnable_params();
  const auto& b = separate->learnable_params();
  ASSERT_EQ(a.size(), b.size());
  double total = 0;
  for (size_t p = 0; p < a.size(); ++p) {
    for (int i = 0; i < a[p]->count(); ++i) {
      EXPECT_NEAR(a[p]->cpu_diff()[i], b[p]->cpu_diff()[i], 1e-12) << "param " << p;
      total += std::fabs(a[p]->cpu_diff()[i]);
    }
  }
  EXPECT_GT(total, 1e-3);
}

const char* kTwoLosses = R"(
layer { name: "in" type: "Input" top: "x" top: "y1" top: "y2"
  input_param { shape { dim: 3 dim: 4 } shape { dim: 3 dim: 2 } shape { dim: 3 dim: 2 } } }
layer { name: "ip1" type: "InnerProduct" bottom: "x" top: "h"
  inner_product_param { num_output: 3 weight_filler { type: "gaussian" std: 0.5 } } }
layer { name: "ipa" type: "InnerProduct" bottom: "h" top: "a"
  inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.5 } } }
layer { name: "ipb" type: "InnerProduct" bottom: "h" top: "b"
  inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.5 } } }
layer { name: "loss_a" type: "EuclideanLoss" bottom: "a" bottom: "y1" top: "la" }
layer { name: "loss_b" type: "EuclideanLoss" bottom: "b" bottom: "y2" top: "lb" loss_weight: 0.5 }
)";

// A blob read by two layers gets an automatic Split whose backward sums both
// paths; the net's loss is the loss_weight-weighted sum of both losses.
TEST(NetEdgeCaseTest, SharedBottomSplitAndWeightedLosses) {
  Caffe::set_random_seed(4);
  auto net = MakeNet<double>(kTwoLosses);
  int splits = 0;
  for (const auto& layer : net->layers()) splits += string(layer->type()) == "Split";
  EXPECT_EQ(splits, 1);
  FillInputs(net.get(), 6);
  net->ClearParamDiffs();
  const double loss = net->ForwardBackward();
  const double la = net->blob_by_name("la")->cpu_data()[0];
  const double lb = net->blob_by_name("lb")->cpu_data()[0];
  EXPECT_GT(lb, 0);
  EXPECT_NEAR(loss, la + 0.5 * lb, 1e-12);

  Blob<double>& weights = *net->layer_by_name("ip1")->blobs()[0];
  const vector<double> analytic(weights.cpu_diff(), weights.cpu_diff() + weights.count());
  for (int i = 0; i < weights.count(); ++i) {
    const double original = weights.cpu_data()[i];
    double plus, minus;
    weights.mutable_cpu_data()[i] = original + 1e-5;
    net->Forward(&plus);
    weights.mutable_cpu_data()[i] = original - 1e-5;
    net->Forward(&minus);
    weights.mutable_cpu_data()[i] = original;
    EXPECT_NEAR(analytic[i], (plus - minus) / 2e-5, 1e-6) << "ip1 weight " << i;
  }
}

// propagate_down: false cuts the gradient at that bottom: nothing below it
// runs backward, while the layer's own parameters still learn.
TEST(NetEdgeCaseTest, PropagateDownFalseStopsTheGradient) {
  Caffe::set_random_seed(5);
  auto net = MakeNet<float>(R"(
layer { name: "in" type: "Input" top: "x" top: "y"
  input_param { shape { dim: 3 dim: 4 } shape { dim: 3 dim: 2 } } }
layer { name: "ip1" type: "InnerProduct" bottom: "x" top: "h"
  inner_product_param { num_output: 3 weight_filler { type: "gaussian" std: 0.5 } } }
layer { name: "ip2" type: "InnerProduct" bottom: "h" top: "out" propagate_down: false
  inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.5 } } }
layer { name: "loss" type: "EuclideanLoss" bottom: "out" bottom: "y" top: "loss" }
)");
  EXPECT_FALSE(net->layer_need_backward()[1]);
  EXPECT_TRUE(net->layer_need_backward()[2]);
  FillInputs(net.get(), 8);
  net->ClearParamDiffs();
  Blob<float>& h = *net->blob_by_name("h");
  net->Forward();
  caffe_set(h.count(), 7.f, h.mutable_cpu_diff());
  net->Backward();
  for (int i = 0; i < h.count(); ++i) EXPECT_EQ(h.cpu_diff()[i], 7.f);
  EXPECT_EQ(net->layer_by_name("ip1")->blobs()[0]->asum_diff(), 0.f);
  EXPECT_GT(net->layer_by_name("ip2")->blobs()[0]->asum_diff(), 0.f);
}

}  // namespace
}  // namespace caffe
