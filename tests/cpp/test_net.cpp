// Net construction and use: include/exclude rules, inserted splits, upgrades of
// old prototxt formats, parse errors, shared weights, loss weights, backward paths.
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

#include "caffe/layer_factory.hpp"
#include "caffe/net.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/upgrade_proto.hpp"

namespace caffe {

namespace {

NetParameter ParseNet(const string& text) {
  NetParameter param;
  ReadProtoFromTextString(text, "test net", &param);
  return param;
}

vector<string> LayerNames(const NetParameter& param) {
  vector<string> names;
  for (const auto& layer : param.layer()) names.push_back(layer.name());
  return names;
}

// Two inputs, a shared-weight pair of InnerProducts, a Euclidean loss.
const char* kSiameseNet = R"(
  name: "siamese"
  layer { name: "in" type: "Input" top: "a" top: "b"
          input_param { shape { dim: 2 dim: 3 } } }
  layer { name: "ip_a" type: "InnerProduct" bottom: "a" top: "fa"
          param { name: "w" lr_mult: 1 } param { name: "bias" lr_mult: 2 }
          inner_product_param { num_output: 4 weight_filler { type: "gaussian" } } }
  layer { name: "ip_b" type: "InnerProduct" bottom: "b" top: "fb"
          param { name: "w" } param { name: "bias" }
          inner_product_param { num_output: 4 weight_filler { type: "gaussian" } } }
  layer { name: "loss" type: "EuclideanLoss" bottom: "fa" bottom: "fb" top: "loss" }
)";

}  // namespace

TEST(NetFilterTest, PhaseLevelAndStageRules) {
  NetParameter param = ParseNet(R"(
    state { phase: TRAIN level: 2 stage: "deploy" }
    layer { name: "always" type: "ReLU" }
    layer { name: "train_only" type: "ReLU" include { phase: TRAIN } }
    layer { name: "test_only" type: "ReLU" include { phase: TEST } }
    layer { name: "level_ok" type: "ReLU" include { min_level: 1 max_level: 2 } }
    layer { name: "level_low" type: "ReLU" include { max_level: 1 } }
    layer { name: "stage_ok" type: "ReLU" include { stage: "deploy" } }
    layer { name: "stage_missing" type: "ReLU" include { stage: "deploy" stage: "x" } }
    layer { name: "not_stage" type: "ReLU" include { not_stage: "deploy" } }
    layer { name: "excluded" type: "ReLU" exclude { phase: TRAIN } }
    layer { name: "either_rule" type: "ReLU" include { phase: TEST } include { stage: "deploy" } }
  )");
  NetParameter filtered;
  Net<float>::FilterNet(param, &filtered);
  EXPECT_EQ(LayerNames(filtered),
            (vector<string>{"always", "train_only", "level_ok", "stage_ok", "either_rule"}));
}

TEST(NetFilterTest, IncludeAndExcludeTogetherIsAnError) {
  NetParameter param = ParseNet(R"(
    layer { name: "both" type: "ReLU" include { phase: TRAIN } exclude { phase: TEST } })");
  NetParameter filtered;
  EXPECT_THROW(Net<float>::FilterNet(param, &filtered), ConfigError);
}

TEST(InsertSplitsTest, SplitsBlobsWithSeveralConsumers) {
  NetParameter param = ParseNet(R"(
    layer { name: "data" type: "Input" top: "x" }
    layer { name: "a" type: "ReLU" bottom: "x" top: "ya" }
    layer { name: "b" type: "ReLU" bottom: "x" top: "yb" }
    layer { name: "inplace" type: "ReLU" bottom: "ya" top: "ya" }
  )");
  NetParameter split;
  InsertSplits(param, &split);
  EXPECT_EQ(LayerNames(split), (vector<string>{"data", "x_data_0_split", "a", "b", "inplace"}));
  const LayerParameter& splitter = split.layer(1);
  EXPECT_EQ(splitter.type(), "Split");
  EXPECT_EQ(splitter.top(0), "x_data_0_split_0");
  EXPECT_EQ(splitter.top(1), "x_data_0_split_1");
  EXPECT_EQ(split.layer(2).bottom(0), "x_data_0_split_0");
  EXPECT_EQ(split.layer(3).bottom(0), "x_data_0_split_1");
  EXPECT_EQ(split.layer(4).bottom(0), "ya");  // single consumer: untouched
}

TEST(InsertSplitsTest, LossTopConsumedElsewhereGetsSplitWithLossOnFirstOutput) {
  NetParameter param = ParseNet(R"(
    layer { name: "data" type: "Input" top: "x" }
    layer { name: "l" type: "ReLU" bottom: "x" top: "y" loss_weight: 2 }
    layer { name: "c" type: "ReLU" bottom: "y" top: "z" }
  )");
  NetParameter split;
  InsertSplits(param, &split);
  ASSERT_EQ(split.layer_size(), 4);
  EXPECT_EQ(split.layer(1).loss_weight_size(), 0);
  const LayerParameter& splitter = split.layer(2);
  ASSERT_EQ(splitter.loss_weight_size(), 2);
  EXPECT_EQ(splitter.loss_weight(0), 2);
  EXPECT_EQ(splitter.loss_weight(1), 0);
  EXPECT_EQ(split.layer(3).bottom(0), "y_l_0_split_1");
}

TEST(UpgradeTest, V1LayersBecomeCurrentLayers) {
  NetParameter param = ParseNet(R"(
    name: "old"
    layers { name: "data" type: DATA top: "data" top: "label"
             data_param { source: "db" batch_size: 4 scale: 0.5 mirror: true } }
    layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv"
             blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0
             convolution_param { num_output: 3 kernel_size: 2 } }
    layers { name: "loss" type: SOFTMAX_LOSS bottom: "conv" bottom: "label" }
  )");
  ASSERT_TRUE(NetNeedsUpgrade(param));
  UpgradeNetAsNeeded("old.prototxt", &param);
  ASSERT_EQ(param.layers_size(), 0);
  ASSERT_EQ(param.layer_size(), 3);
  EXPECT_EQ(param.layer(0).type(), "Data");
  EXPECT_FLOAT_EQ(param.layer(0).transform_param().scale(), 0.5);
  EXPECT_TRUE(param.layer(0).transform_param().mirror());
  EXPECT_FALSE(param.layer(0).data_param().has_scale());
  EXPECT_EQ(param.layer(1).type(), "Convolution");
  ASSERT_EQ(param.layer(1).param_size(), 2);
  EXPECT_EQ(param.layer(1).param(1).lr_mult(), 2);
  EXPECT_EQ(param.layer(1).param(1).decay_mult(), 0);
  EXPECT_EQ(param.layer(2).type(), "SoftmaxWithLoss");
}

TEST(UpgradeTest, NetInputsBecomeAnInputLayer) {
  NetParameter param = ParseNet(R"(
    input: "data" input_dim: 1 input_dim: 3 input_dim: 4 input_dim: 5
    layer { name: "relu" type: "ReLU" bottom: "data" top: "out" })");
  UpgradeNetAsNeeded("deploy.prototxt", &param);
  EXPECT_EQ(param.input_size(), 0);
  ASSERT_EQ(param.layer_size(), 2);
  EXPECT_EQ(param.layer(0).type(), "Input");
  EXPECT_EQ(param.layer(0).top(0), "data");
  EXPECT_EQ(param.layer(0).input_param().shape(0).dim(3), 5);
}

TEST(UpgradeTest, SolverTypeEnumBecomesString) {
  SolverParameter param;
  param.set_solver_type(SolverParameter_SolverType_NESTEROV);
  UpgradeSolverAsNeeded("solver", &param);
  EXPECT_EQ(param.type(), "Nesterov");
  EXPECT_FALSE(param.has_solver_type());
  param.set_solver_type(SolverParameter_SolverType_ADAM);
  EXPECT_THROW(UpgradeSolverAsNeeded("solver", &param), ConfigError);
}

// An unknown enum value lists the values its field allows, found by following
// the text's nesting (several messages have an enum field named "type" or "pool").
TEST(ProtoIOTest, UnknownEnumValueListsTheAllowedValues) {
  const auto message = [](const string& text) {
    NetParameter param;
    try {
      ReadProtoFromTextString(text, "net.prototxt", &param);
    } catch (const ParseError& error) {
      return string(error.what());
    }
    return string("no error");
  };
  const string pool = message("layer {\n name: 'p' type: 'Pooling'\n pooling_param { pool: MAXX }\n}\n");
  EXPECT_NE(pool.find("net.prototxt:3:"), string::npos) << pool;
  EXPECT_NE(pool.find("allowed for PoolingParameter.pool: MAX, AVE, STOCHASTIC"), string::npos)
      << pool;
  const string op = message(
      "layer { name: 'd' type: 'Data'\n augmentation_param { policy { sub_policy {\n"
      "  op { type: FOO } } } } }\n");
  EXPECT_NE(op.find("net.prototxt:3:"), string::npos) << op;
  EXPECT_NE(op.find("allowed for "), string::npos) << op;
  EXPECT_NE(op.find("ROTATE"), string::npos) << op;
  EXPECT_EQ(op.find("CONVOLUTION"), string::npos) << "V1 layer types listed: " << op;
}

// Found by fuzz_net_prototxt: looking up the allowed values re-tokenizes the
// text; that tokenizer read '#' lines as code, and "3N" in a comment made it
// report a lexical error to a null collector.
TEST(ProtoIOTest, UnknownEnumValueAfterACommentIsAParseErrorWithTheAllowedValues) {
  NetParameter param;
  const string text =
      "# a 3N x 1 blob { with a brace\nlayer {\n include { phase: weight_filler }\n}\n";
  try {
    ReadProtoFromTextString(text, "net.prototxt", &param);
    FAIL() << "expected a ParseError";
  } catch (const ParseError& error) {
    EXPECT_NE(string(error.what()).find("allowed for NetStateRule.phase: TRAIN, TEST"),
              string::npos)
        << error.what();
  }
}

TEST(ProtoIOTest, BrokenPrototxtNamesFileLineAndField) {
  try {
    NetParameter param;
    ReadProtoFromTextString("name: \"x\"\nlayer {\n  nmae: \"typo\"\n}\n", "broken.prototxt",
                            &param);
    FAIL() << "expected a ParseError";
  } catch (const ParseError& error) {
    const string message = error.what();
    EXPECT_NE(message.find("broken.prototxt:3:"), string::npos) << message;
    EXPECT_NE(message.find("nmae"), string::npos) << message;
  }
  NetParameter param;
  EXPECT_THROW(ReadProtoFromTextFile("/nonexistent/net.prototxt", &param), IOError);
}

TEST(NetErrorsTest, UnknownBottomUnknownTypeAndDuplicateTop) {
  try {
    Net<float> net(ParseNet(R"(layer { name: "r" type: "ReLU" bottom: "nope" top: "y" })"));
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(string(error.what()).find("unknown bottom blob 'nope'"), string::npos);
  }
  try {
    Net<float> net(ParseNet(R"(layer { name: "q" type: "NoSuchLayer" top: "y" })"));
    FAIL();
  } catch (const ConfigError& error) {
    const string message = error.what();
    EXPECT_NE(message.find("NoSuchLayer"), string::npos);
    EXPECT_NE(message.find("known types:"), string::npos);
    EXPECT_NE(message.find("Convolution"), string::npos);
  }
  EXPECT_THROW(Net<float> net(ParseNet(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 } } }
      layer { name: "in2" type: "Input" top: "x" input_param { shape { dim: 1 } } })")),
               ConfigError);
}

template <typename Dtype>
class NetTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(NetTest, Dtypes);

TYPED_TEST(NetTest, SharedWeightsHaveOneLearnableBlobAndSumGradients) {
  Caffe::set_random_seed(3);
  Net<TypeParam> net(ParseNet(kSiameseNet));
  EXPECT_EQ(net.params().size(), 4u);
  EXPECT_EQ(net.learnable_params().size(), 2u);
  EXPECT_EQ(net.param_owners(), (vector<int>{-1, -1, 0, 1}));
  EXPECT_EQ(net.params_lr(), (vector<float>{1, 2}));
  auto w_a = net.layer_by_name("ip_a")->blobs()[0];
  auto w_b = net.layer_by_name("ip_b")->blobs()[0];
  EXPECT_EQ(w_a->cpu_data(), w_b->cpu_data());
  EXPECT_EQ(w_a->cpu_diff(), w_b->cpu_diff());

  // The gradient of the shared weight is the sum over both towers.
  Blob<TypeParam>* a = net.input_blobs()[0];
  Blob<TypeParam>* b = net.input_blobs()[1];
  for (int i = 0; i < a->count(); ++i) {
    a->mutable_cpu_data()[i] = 0.1 * i;
    b->mutable_cpu_data()[i] = -0.2 * i + 0.3;
  }
  net.ClearParamDiffs();
  net.ForwardBackward();
  const Blob<TypeParam>& fa = *net.blob_by_name("fa");
  const Blob<TypeParam>& fb = *net.blob_by_name("fb");
  // loss = sum((fa - fb)^2) / (2N): dW = ((fa-fb)^T a - (fa-fb)^T b) / N
  for (int o = 0; o < 4; ++o) {
    for (int i = 0; i < 3; ++i) {
      TypeParam expected = 0;
      for (int n = 0; n < 2; ++n) {
        const TypeParam d = fa.cpu_data()[n * 4 + o] - fb.cpu_data()[n * 4 + o];
        expected += d * (a->cpu_data()[n * 3 + i] - b->cpu_data()[n * 3 + i]) / 2;
      }
      EXPECT_NEAR(w_a->cpu_diff()[o * 3 + i], expected, 1e-5);
    }
  }
}

TYPED_TEST(NetTest, SharingWithMismatchedShapesNamesBothLayers) {
  string text = kSiameseNet;
  text.replace(text.rfind("num_output: 4"), 13, "num_output: 5");
  try {
    Net<TypeParam> net(ParseNet(text));
    FAIL();
  } catch (const ShapeError& error) {
    const string message = error.what();
    EXPECT_NE(message.find("ip_a"), string::npos) << message;
    EXPECT_NE(message.find("ip_b"), string::npos) << message;
  }
}

TYPED_TEST(NetTest, LossWeightScalesGradientAndBackwardIsSkippedWhereUnneeded) {
  NetParameter param = ParseNet(R"(
    layer { name: "in" type: "Input" top: "x" top: "t"
            input_param { shape { dim: 2 dim: 3 } } }
    layer { name: "frozen" type: "InnerProduct" bottom: "x" top: "h"
            param { lr_mult: 0 } param { lr_mult: 0 }
            inner_product_param { num_output: 3 weight_filler { type: "gaussian" } } }
    layer { name: "ip" type: "InnerProduct" bottom: "h" top: "y"
            inner_product_param { num_output: 3 weight_filler { type: "gaussian" } } }
    layer { name: "loss" type: "EuclideanLoss" bottom: "y" bottom: "t" top: "loss"
            loss_weight: 3 }
    layer { name: "unused" type: "ReLU" bottom: "x" top: "side" }
  )");
  Net<TypeParam> net(param);
  const auto& names = net.layer_names();
  auto need = [&](const string& name) {
    return net.layer_need_backward()[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  EXPECT_FALSE(need("frozen"));
  EXPECT_TRUE(need("ip"));
  EXPECT_TRUE(need("loss"));
  EXPECT_FALSE(need("unused"));
  for (int i = 0; i < 6; ++i) {
    net.input_blobs()[0]->mutable_cpu_data()[i] = i * 0.1;
    net.input_blobs()[1]->mutable_cpu_data()[i] = 1 - i * 0.1;
  }
  TypeParam loss;
  net.Forward(&loss);
  const Blob<TypeParam>& loss_blob = *net.blob_by_name("loss");
  EXPECT_NEAR(loss, 3 * loss_blob.cpu_data()[0], 1e-6);
  EXPECT_EQ(net.blob_loss_weights()[net.output_blob_indices()[0]], 3);
}

TYPED_TEST(NetTest, ForceBackwardReachesInputsButNotLabels) {
  NetParameter param = ParseNet(R"(
    force_backward: true
    layer { name: "in" type: "Input" top: "x" top: "label"
            input_param { shape { dim: 2 dim: 3 } shape { dim: 2 } } }
    layer { name: "loss" type: "SoftmaxWithLoss" bottom: "x" bottom: "label" top: "loss" }
  )");
  Net<TypeParam> net(param);
  const auto& need = net.bottom_need_backward().back();
  EXPECT_TRUE(need[0]);
  EXPECT_FALSE(need[1]);
}

TYPED_TEST(NetTest, CopyTrainedLayersRoundTripAndShapeMismatch) {
  Caffe::set_random_seed(11);
  Net<TypeParam> source(ParseNet(kSiameseNet));
  NetParameter trained;
  source.ToProto(&trained);
  Caffe::set_random_seed(12);
  Net<TypeParam> target(ParseNet(kSiameseNet));
  target.CopyTrainedLayersFrom(trained);
  auto w_source = source.layer_by_name("ip_a")->blobs()[0];
  auto w_target = target.layer_by_name("ip_a")->blobs()[0];
  for (int i = 0; i < w_source->count(); ++i) {
    EXPECT_EQ(w_source->cpu_data()[i], w_target->cpu_data()[i]);
  }
  string text = kSiameseNet;
  text.replace(text.find("num_output: 4"), 13, "num_output: 6");
  text.replace(text.find("num_output: 4"), 13, "num_output: 6");
  Net<TypeParam> other(ParseNet(text));
  try {
    other.CopyTrainedLayersFrom(trained);
    FAIL();
  } catch (const ShapeError& error) {
    const string message = error.what();
    EXPECT_NE(message.find("ip_a"), string::npos) << message;
    EXPECT_NE(message.find("4 3"), string::npos) << message;
    EXPECT_NE(message.find("6 3"), string::npos) << message;
  }
}

TYPED_TEST(NetTest, OutOfRangeForwardAndBackwardThrow) {
  Net<TypeParam> net(ParseNet(R"(
    layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 4 } } }
    layer { name: "relu" type: "ReLU" bottom: "x" top: "y" })"));
  EXPECT_THROW(net.ForwardFromTo(0, 2), ConfigError);
  EXPECT_THROW(net.ForwardFromTo(-1, 1), ConfigError);
  EXPECT_THROW(net.BackwardFromTo(2, 0), ConfigError);
  EXPECT_NO_THROW(net.ForwardFromTo(0, 1));
}

TYPED_TEST(NetTest, InPlaceLayersShareTheirBlob) {
  Net<TypeParam> net(ParseNet(R"(
    layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 4 } } }
    layer { name: "relu" type: "ReLU" bottom: "x" top: "x" })"));
  EXPECT_EQ(net.blobs().size(), 1u);
  Blob<TypeParam>* x = net.input_blobs()[0];
  x->mutable_cpu_data()[0] = -1;
  x->mutable_cpu_data()[1] = 2;
  net.Forward();
  EXPECT_EQ(x->cpu_data()[0], 0);
  EXPECT_EQ(x->cpu_data()[1], 2);
}

}  // namespace caffe
