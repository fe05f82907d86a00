// Embed layer: lookups with and without bias, the gradient (none to the
// indices) and bad indices or parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "caffe/layers/embed_layer.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {
namespace {

LayerParameter EmbedParam(int input_dim, int num_output, bool bias) {
  LayerParameter param;
  param.set_name("embed");
  param.set_type("Embed");
  EmbedParameter* embed = param.mutable_embed_param();
  embed->set_input_dim(input_dim);
  embed->set_num_output(num_output);
  embed->set_bias_term(bias);
  embed->mutable_weight_filler()->set_type("gaussian");
  embed->mutable_bias_filler()->set_type("gaussian");
  return param;
}

template <typename Dtype>
class EmbedLayerTest : public SeededLayerTest<Dtype> {};
TYPED_TEST_SUITE(EmbedLayerTest, TestDtypes);

TYPED_TEST(EmbedLayerTest, LooksUpRowsAndAddsBias) {
  Blob<TypeParam> bottom(vector<int>{2, 3});
  const TypeParam indices[] = {0, 4, 2, 2, 1, 4};
  std::copy(indices, indices + 6, bottom.mutable_cpu_data());
  Blob<TypeParam> top;
  for (bool bias : {false, true}) {
    EmbedLayer<TypeParam> layer(EmbedParam(5, 3, bias));
    layer.SetUp({&bottom}, {&top});
    ASSERT_EQ(top.shape(), (vector<int>{2, 3, 3}));
    EXPECT_EQ(layer.blobs()[0]->shape(), (vector<int>{5, 3}));
    layer.Forward({&bottom}, {&top});
    const TypeParam* weights = layer.blobs()[0]->cpu_data();
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 3; ++j) {
        const TypeParam b = bias ? layer.blobs()[1]->cpu_data()[j] : TypeParam(0);
        EXPECT_NEAR(top.cpu_data()[i * 3 + j], weights[int(indices[i]) * 3 + j] + b, 1e-6);
      }
    }
  }
}

TYPED_TEST(EmbedLayerTest, Gradient) {
  Blob<TypeParam> bottom(vector<int>{4, 2});
  const TypeParam indices[] = {3, 1, 0, 3, 5, 1, 3, 2};
  std::copy(indices, indices + 8, bottom.mutable_cpu_data());
  Blob<TypeParam> top;
  EmbedLayer<TypeParam> layer(EmbedParam(6, 4, true));
  GradientChecker<TypeParam> checker;
  checker.CheckGradient(&layer, {&bottom}, {&top}, -2);
  EXPECT_FALSE(layer.AllowForceBackward(0));
  EXPECT_THROW(layer.Backward({&top}, {true}, {&bottom}), ConfigError);
}

TYPED_TEST(EmbedLayerTest, RejectsBadIndices) {
  Blob<TypeParam> top;
  for (TypeParam bad : {TypeParam(5), TypeParam(-1), TypeParam(1.5)}) {
    Blob<TypeParam> bottom(vector<int>{3});
    bottom.mutable_cpu_data()[0] = 1;
    bottom.mutable_cpu_data()[1] = bad;
    bottom.mutable_cpu_data()[2] = 0;
    EmbedLayer<TypeParam> layer(EmbedParam(5, 2, true));
    layer.SetUp({&bottom}, {&top});
    try {
      layer.Forward({&bottom}, {&top});
      ADD_FAILURE() << "expected a DataError for index " << bad;
    } catch (const DataError& e) {
      EXPECT_NE(string(e.what()).find("'embed'"), string::npos) << e.what();
      EXPECT_NE(string(e.what()).find("element 1"), string::npos) << e.what();
    }
  }
  Blob<TypeParam> bottom(vector<int>{3});
  EmbedLayer<TypeParam> no_dim(EmbedParam(0, 2, true));
  EXPECT_THROW(no_dim.SetUp({&bottom}, {&top}), ConfigError);
  EmbedLayer<TypeParam> no_outputs(EmbedParam(4, 0, true));
  EXPECT_THROW(no_outputs.SetUp({&bottom}, {&top}), ConfigError);
}

}  // namespace
}  // namespace caffe
