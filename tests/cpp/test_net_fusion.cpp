// Net-level fusion on the oneDNN engine (src/caffe/net_fusion.cpp): a
// BatchNorm + Scale (+ ReLU) group run as one primitive gives the same tops,
// bottom diffs, parameter diffs and BatchNorm running sums as the reference
// engine, unfused, within 1e-4 of each blob's largest value; in TRAIN and
// TEST, with and without the Scale's bias and the ReLU; the cases that must
// not fuse run unfused and still agree; solver steps and snapshots are the
// reference engine's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "caffe/engine.hpp"
#include "caffe/filler.hpp"
#include "caffe/net.hpp"
#include "caffe/solver.hpp"
#include "caffe/util/blas_threads.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

#ifdef CAFFE_HAVE_ONEDNN

namespace caffe {
namespace {

using testing_data::TempDir;

class NetFusionTest : public ::testing::Test {
 protected:
  void TearDown() override { SetDefaultEngine(Engine::kOnednn); }
};

void ExpectBlobsClose(const Blob<float>& reference, const Blob<float>& fused, bool diff,
                      const std::string& what) {
  ASSERT_EQ(reference.shape(), fused.shape()) << what;
  const float* a = diff ? reference.cpu_diff() : reference.cpu_data();
  const float* b = diff ? fused.cpu_diff() : fused.cpu_data();
  double largest = 0, worst = 0;
  for (int i = 0; i < reference.count(); ++i) {
    largest = std::max(largest, std::fabs(double(a[i])));
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  }
  EXPECT_LE(worst, 1e-4 * std::max(largest, 1e-6)) << what << (diff ? " diff" : " data")
                                                   << ": largest " << largest;
}

struct Options {
  Phase phase = TRAIN;
  bool bias = true;
  std::string relu = "relu";  // "relu", "leaky" (negative_slope 0.1) or "" (none)
  bool bn_in_place = true;
  std::string extra;  // more layers, appended
};

// conv -> BatchNorm -> Scale -> [ReLU] -> inner product -> loss; the block's
// blob is "bn" (the BatchNorm's top).
NetParameter MakeNet(const Options& options) {
  std::string text = R"(
    name: "fusion" force_backward: true
    layer { name: "in" type: "Input" top: "data" top: "label"
            input_param { shape { dim: 4 dim: 3 dim: 7 dim: 6 } shape { dim: 4 } } }
    layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
            convolution_param { num_output: 20 kernel_size: 3 pad: 1 bias_term: false
                                weight_filler { type: "gaussian" std: 0.3 } } }
  )";
  const std::string bn = options.bn_in_place ? "conv" : "bn";
  text += "layer { name: 'bn' type: 'BatchNorm' bottom: 'conv' top: '" + bn + "' }\n";
  text += "layer { name: 'scale' type: 'Scale' bottom: '" + bn + "' top: '" + bn +
          "' param { lr_mult: 2 } param { lr_mult: 1 decay_mult: 0 } scale_param { bias_term: " +
          (options.bias ? "true" : "false") +
          " filler { type: 'uniform' min: 0.5 max: 1.5 }"
          " bias_filler { type: 'uniform' min: -0.5 max: 0.5 } } }\n";
  if (!options.relu.empty()) {
    text += "layer { name: 'relu' type: 'ReLU' bottom: '" + bn + "' top: '" + bn + "'" +
            (options.relu == "leaky" ? " relu_param { negative_slope: 0.1 }" : "") + " }\n";
  }
  text += "layer { name: 'ip' type: 'InnerProduct' bottom: '" + bn + "' top: 'ip'"
          " inner_product_param { num_output: 5 weight_filler { type: 'gaussian' std: 0.1 } } }\n"
          "layer { name: 'loss' type: 'SoftmaxWithLoss' bottom: 'ip' bottom: 'label' top: 'loss' }\n";
  text += options.extra;
  if (!options.bias) {
    // One ParamSpec for the one blob.
    const std::string two = " param { lr_mult: 2 } param { lr_mult: 1 decay_mult: 0 }";
    text.replace(text.find(two), two.size(), " param { lr_mult: 2 }");
  }
  NetParameter param;
  ReadProtoFromTextString(text, "fusion test net", &param);
  param.mutable_state()->set_phase(options.phase);
  return param;
}

void FillInputs(Net<float>* net) {
  FillerParameter gaussian;
  gaussian.set_type("gaussian");
  gaussian.set_std(1.0);
  gaussian.set_mean(0.3);
  Caffe::set_random_seed(7);
  GetFiller<float>(gaussian)->Fill(net->input_blobs()[0]);
  for (int i = 0; i < 4; ++i) net->input_blobs()[1]->mutable_cpu_data()[i] = (i * 3) % 5;
}

// Nonzero running sums, so that global statistics normalise with something.
void FillStatistics(Net<float>* net) {
  Layer<float>& bn = *net->layer_by_name("bn");
  for (int c = 0; c < 20; ++c) {
    bn.blobs()[0]->mutable_cpu_data()[c] = 0.1f * (c % 7) - 0.2f;
    bn.blobs()[1]->mutable_cpu_data()[c] = 0.5f + 0.1f * (c % 5);
  }
  bn.blobs()[2]->mutable_cpu_data()[0] = 2;
}

struct Pair {
  std::unique_ptr<Net<float>> reference, fused;
};

// The reference engine's net and the default (oneDNN) engine's, with the
// same parameters and inputs.
Pair Build(const NetParameter& param) {
  Pair pair;
  SetDefaultEngine(Engine::kCaffe);
  Caffe::set_random_seed(1701);
  pair.reference = std::make_unique<Net<float>>(param);
  SetDefaultEngine(Engine::kOnednn);
  pair.fused = std::make_unique<Net<float>>(param);
  FillStatistics(pair.reference.get());
  for (size_t i = 0; i < pair.reference->params().size(); ++i) {
    pair.fused->params()[i]->CopyFrom(*pair.reference->params()[i]);
  }
  FillInputs(pair.reference.get());
  FillInputs(pair.fused.get());
  EXPECT_TRUE(pair.reference->fused_groups().empty());
  return pair;
}

void ExpectNetsClose(const Net<float>& reference, const Net<float>& fused) {
  for (size_t i = 0; i < reference.blobs().size(); ++i) {
    const std::string& name = reference.blob_names()[i];
    ExpectBlobsClose(*reference.blobs()[i], *fused.blobs()[i], false, name);
    ExpectBlobsClose(*reference.blobs()[i], *fused.blobs()[i], true, name);
  }
  for (size_t i = 0; i < reference.params().size(); ++i) {
    const std::string what = "param " + std::to_string(i);
    ExpectBlobsClose(*reference.params()[i], *fused.params()[i], false, what);
    ExpectBlobsClose(*reference.params()[i], *fused.params()[i], true, what);
  }
}

// Two forward and backward passes without clearing the parameter diffs (so
// the fused gradients must accumulate as the Scale layer's do, and the
// running sums move twice), then everything is compared.
void CompareTwoPasses(const Pair& pair) {
  for (Net<float>* net : {pair.reference.get(), pair.fused.get()}) {
    net->ClearParamDiffs();
    for (int pass = 0; pass < 2; ++pass) {
      net->Forward();
      net->Backward();
    }
  }
  ExpectNetsClose(*pair.reference, *pair.fused);
}

vector<int> Group(std::initializer_list<const char*> names, const Net<float>& net) {
  vector<int> ids;
  for (const char* name : names) {
    for (size_t i = 0; i < net.layer_names().size(); ++i) {
      if (net.layer_names()[i] == name) ids.push_back(static_cast<int>(i));
    }
  }
  return ids;
}

TEST_F(NetFusionTest, FusedGroupsMatchTheReferenceEngineInEveryMode) {
  for (Phase phase : {TRAIN, TEST}) {
    for (bool bias : {true, false}) {
      for (const char* relu : {"relu", ""}) {
        SCOPED_TRACE(std::string(phase == TRAIN ? "TRAIN" : "TEST") + (bias ? " bias " : " ") +
                     relu);
        Options options;
        options.phase = phase;
        options.bias = bias;
        options.relu = relu;
        const Pair pair = Build(MakeNet(options));
        const Net<float>& fused = *pair.fused;
        if (*relu) {
          EXPECT_EQ(fused.fused_groups(), vector<vector<int>>{Group({"bn", "scale", "relu"}, fused)});
          EXPECT_EQ(fused.layer_by_name("relu")->fused_into(), "bn");
        } else {
          EXPECT_EQ(fused.fused_groups(), vector<vector<int>>{Group({"bn", "scale"}, fused)});
        }
        EXPECT_EQ(fused.layer_by_name("scale")->fused_into(), "bn");
        CompareTwoPasses(pair);
      }
    }
  }
}

// Not in place, the BatchNorm's top would keep the Scale's bottom diff in an
// unfused net.
TEST_F(NetFusionTest, ABatchNormNotInPlaceIsNotFused) {
  Options options;
  options.bn_in_place = false;
  const Pair pair = Build(MakeNet(options));
  EXPECT_TRUE(pair.fused->fused_groups().empty());
  CompareTwoPasses(pair);
}

TEST_F(NetFusionTest, AnotherConsumerOfTheNormalisedBlobPreventsFusion) {
  // "peek" reads the BatchNorm's output before the Scale changes it.
  NetParameter peek;
  ReadProtoFromTextString(R"(
    layer { name: "peek" type: "Reduction" bottom: "conv" top: "peek"
            reduction_param { operation: SUMSQ } loss_weight: 0.01 }
  )", "peek", &peek);
  const NetParameter plain = MakeNet(Options());
  NetParameter full = plain;
  full.clear_layer();
  // The Scale cannot then run in place on "conv" (Caffe gives each consumer
  // its own split): it writes "scaled", which the ReLU and the classifier use.
  bool after_scale = false;
  for (const LayerParameter& layer : plain.layer()) {
    LayerParameter& copy = *full.add_layer() = layer;
    if (layer.name() == "bn") *full.add_layer() = peek.layer(0);
    if (layer.name() == "scale") {
      copy.set_top(0, "scaled");
      after_scale = true;
    } else if (after_scale && copy.bottom(0) == "conv") {
      copy.set_bottom(0, "scaled");
      if (copy.top(0) == "conv") copy.set_top(0, "scaled");
    }
  }
  const Pair pair = Build(full);
  EXPECT_TRUE(pair.fused->fused_groups().empty());
  EXPECT_EQ(pair.fused->layer_by_name("scale")->fused_into(), "");
  CompareTwoPasses(pair);
}

TEST_F(NetFusionTest, ALeakyReluStaysOutOfTheGroup) {
  Options options;
  options.relu = "leaky";
  const Pair pair = Build(MakeNet(options));
  EXPECT_EQ(pair.fused->fused_groups(), vector<vector<int>>{Group({"bn", "scale"}, *pair.fused)});
  EXPECT_EQ(pair.fused->layer_by_name("relu")->fused_into(), "");
  CompareTwoPasses(pair);
}

TEST_F(NetFusionTest, AScaleWithTwoBottomsIsNotFused) {
  NetParameter param;
  ReadProtoFromTextString(R"(
    name: "two_bottoms" force_backward: true
    layer { name: "in" type: "Input" top: "data" top: "factor"
            input_param { shape { dim: 4 dim: 20 dim: 5 dim: 3 } shape { dim: 20 } } }
    layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }
    layer { name: "scale" type: "Scale" bottom: "bn" bottom: "factor" top: "bn" }
    layer { name: "relu" type: "ReLU" bottom: "bn" top: "bn" }
    layer { name: "loss" type: "Reduction" bottom: "bn" top: "loss"
            reduction_param { operation: SUMSQ } loss_weight: 1 }
  )", "two bottoms", &param);
  param.mutable_state()->set_phase(TRAIN);
  SetDefaultEngine(Engine::kCaffe);
  Net<float> reference(param);
  SetDefaultEngine(Engine::kOnednn);
  Net<float> onednn(param);
  EXPECT_TRUE(onednn.fused_groups().empty());
  for (Net<float>* net : {&reference, &onednn}) {
    FillerParameter gaussian;
    gaussian.set_type("gaussian");
    Caffe::set_random_seed(3);
    GetFiller<float>(gaussian)->Fill(net->input_blobs()[0]);
    GetFiller<float>(gaussian)->Fill(net->input_blobs()[1]);
    net->Forward();
    net->Backward();
  }
  ExpectNetsClose(reference, onednn);
}

TEST_F(NetFusionTest, DebugInfoAndTheEnvironmentTurnFusionOff) {
  NetParameter param = MakeNet(Options());
  param.set_debug_info(true);
  {
    const Pair pair = Build(param);
    EXPECT_TRUE(pair.fused->fused_groups().empty());
    CompareTwoPasses(pair);
  }
  param.set_debug_info(false);
  setenv("CAFFE_FUSION", "0", 1);
  const Pair pair = Build(param);
  unsetenv("CAFFE_FUSION");
  EXPECT_TRUE(pair.fused->fused_groups().empty());
  EXPECT_EQ(pair.fused->layer_by_name("scale")->fused_into(), "");
  CompareTwoPasses(pair);
  // Turning debug info on later splits the groups of a fused net.
  const Pair later = Build(param);
  ASSERT_EQ(later.fused->fused_groups().size(), 1u);
  later.fused->Forward();
  later.reference->Forward();
  later.fused->set_debug_info(true);
  later.reference->set_debug_info(true);
  EXPECT_TRUE(later.fused->fused_groups().empty());
  EXPECT_EQ(later.fused->layer_by_name("relu")->fused_into(), "");
  CompareTwoPasses(later);
}

TEST_F(NetFusionTest, AForwardRangeThatCutsAGroupRunsItUnfused) {
  const Pair pair = Build(MakeNet(Options()));
  const int bn = Group({"bn"}, *pair.fused)[0];
  pair.reference->ForwardTo(bn);
  pair.fused->ForwardTo(bn);
  EXPECT_TRUE(pair.fused->fused_groups().empty());
  // The normalised values, before the Scale.
  ExpectBlobsClose(*pair.reference->blob_by_name("conv"), *pair.fused->blob_by_name("conv"),
                   false, "conv");
  CompareTwoPasses(pair);
}

TEST_F(NetFusionTest, ABackwardRangeThatCutsAGroupIsRefused) {
  const Pair pair = Build(MakeNet(Options()));
  pair.fused->Forward();
  const int scale = Group({"scale"}, *pair.fused)[0];
  EXPECT_THROW(pair.fused->BackwardFrom(scale), ConfigError);
  // Ranges around the whole group are fine.
  pair.fused->BackwardFrom(scale + 1);
  EXPECT_EQ(pair.fused->fused_groups().size(), 1u);
}

TEST_F(NetFusionTest, SolverStepsAndSnapshotsMatchTheReferenceEngine) {
  TempDir dir;
  SolverParameter solver_param;
  *solver_param.mutable_net_param() = MakeNet(Options());
  solver_param.mutable_net_param()->clear_state();
  solver_param.set_type("SGD");
  solver_param.set_base_lr(0.05);
  solver_param.set_momentum(0.9);
  solver_param.set_weight_decay(0.01);
  solver_param.set_lr_policy("fixed");
  solver_param.set_max_iter(3);
  solver_param.set_display(0);
  solver_param.set_random_seed(1701);
  solver_param.set_snapshot_after_train(false);
  std::unique_ptr<NetParameter> snapshots[2];
  std::shared_ptr<Solver<float>> solvers[2];
  for (int engine = 0; engine < 2; ++engine) {
    SetDefaultEngine(engine == 0 ? Engine::kCaffe : Engine::kOnednn);
    solver_param.set_snapshot_prefix(dir.Join(engine == 0 ? "reference" : "fused"));
    solvers[engine] = SolverRegistry<float>::CreateSolver(solver_param);
    Net<float>& net = *solvers[engine]->net();
    EXPECT_EQ(net.fused_groups().size(), size_t(engine));
    FillInputs(&net);
    solvers[engine]->Step(3);
    solvers[engine]->Snapshot();
    snapshots[engine] = std::make_unique<NetParameter>();
    ReadProtoFromBinaryFile(dir.Join(std::string(engine == 0 ? "reference" : "fused") +
                                     "_iter_3.caffemodel"),
                            snapshots[engine].get());
  }
  ExpectNetsClose(*solvers[0]->net(), *solvers[1]->net());
  // The same layers with the same blobs: the Scale keeps its parameters.
  ASSERT_EQ(snapshots[0]->layer_size(), snapshots[1]->layer_size());
  for (int i = 0; i < snapshots[0]->layer_size(); ++i) {
    const LayerParameter& a = snapshots[0]->layer(i);
    const LayerParameter& b = snapshots[1]->layer(i);
    EXPECT_EQ(a.name(), b.name());
    ASSERT_EQ(a.blobs_size(), b.blobs_size()) << a.name();
    for (int j = 0; j < a.blobs_size(); ++j) {
      Blob<float> x, y;
      x.FromProto(a.blobs(j));
      y.FromProto(b.blobs(j));
      ExpectBlobsClose(x, y, false, a.name() + " blob " + std::to_string(j));
    }
  }
  EXPECT_EQ(snapshots[1]->layer(Group({"scale"}, *solvers[1]->net())[0]).blobs_size(), 2);
}

// Channels split over two threads, and a BatchNorm over (num, channels)
// only, after an inner product.
TEST_F(NetFusionTest, TwoThreadsAndAFlatBlobMatchTheReferenceEngine) {
  const int threads = BlasThreads();
  SetBlasThreads(2);
  CompareTwoPasses(Build(MakeNet(Options())));
  NetParameter param;
  ReadProtoFromTextString(R"(
    name: "flat" force_backward: true
    layer { name: "in" type: "Input" top: "data" top: "label"
            input_param { shape { dim: 4 dim: 3 dim: 7 dim: 6 } shape { dim: 4 } } }
    layer { name: "conv" type: "InnerProduct" bottom: "data" top: "conv"
            inner_product_param { num_output: 20 bias_term: false
                                  weight_filler { type: "gaussian" std: 0.3 } } }
    layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
    layer { name: "scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true
            filler { type: "uniform" min: 0.5 max: 1.5 }
            bias_filler { type: "uniform" min: -0.5 max: 0.5 } } }
    layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
    layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip"
            inner_product_param { num_output: 5 weight_filler { type: "gaussian" std: 0.1 } } }
    layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
  )", "flat", &param);
  param.mutable_state()->set_phase(TRAIN);
  const Pair pair = Build(param);
  EXPECT_EQ(pair.fused->fused_groups().size(), 1u);
  CompareTwoPasses(pair);
  SetBlasThreads(threads);
}

TEST_F(NetFusionTest, AChannelCountThatNoLongerFitsTheScaleIsAShapeError) {
  NetParameter param;
  ReadProtoFromTextString(R"(
    name: "reshaped" force_backward: true
    layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
    layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }
    layer { name: "scale" type: "Scale" bottom: "data" top: "data" }
    layer { name: "loss" type: "Reduction" bottom: "data" top: "loss"
            reduction_param { operation: SUMSQ } loss_weight: 1 }
  )", "reshaped", &param);
  Net<float> net(param);
  ASSERT_EQ(net.fused_groups().size(), 1u);
  net.Forward();
  // The Scale's own Reshape, which would refuse this, does not run while fused.
  net.input_blobs()[0]->Reshape(vector<int>{2, 5, 4, 4});
  EXPECT_THROW(net.Forward(), ShapeError);
}

TEST_F(NetFusionTest, TheReferenceEngineNeverFuses) {
  SetDefaultEngine(Engine::kCaffe);
  Net<float> net(MakeNet(Options()));
  EXPECT_TRUE(net.fused_groups().empty());
  for (const auto& layer : net.layers()) EXPECT_EQ(layer->fused_into(), "");
}

}  // namespace
}  // namespace caffe

#else  // no oneDNN in this build

namespace caffe {
namespace {

TEST(NetFusionTest, NothingFusesWithoutOnednn) {
  NetParameter param;
  ReadProtoFromTextString(R"(
    layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 } } }
    layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }
    layer { name: "scale" type: "Scale" bottom: "data" top: "data" }
    layer { name: "relu" type: "ReLU" bottom: "data" top: "data" }
  )", "net", &param);
  Net<float> net(param);
  EXPECT_TRUE(net.fused_groups().empty());
  for (const auto& layer : net.layers()) EXPECT_EQ(layer->fused_into(), "");
}

}  // namespace
}  // namespace caffe

#endif  // CAFFE_HAVE_ONEDNN
