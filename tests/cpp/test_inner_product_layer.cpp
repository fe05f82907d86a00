// InnerProduct layer: upstream fixture, hand-computed values, the axis and
// transpose options, gradient checks and errors.
#include <gtest/gtest.h>

#include <vector>

#include "caffe/layers/inner_product_layer.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

LayerParameter IpParam(int num_output, bool bias = true, bool transpose = false, int axis = 1) {
  LayerParameter param;
  param.set_name("ip");
  param.set_type("InnerProduct");
  InnerProductParameter* ip = param.mutable_inner_product_param();
  ip->set_num_output(num_output);
  ip->set_bias_term(bias);
  ip->set_transpose(transpose);
  ip->set_axis(axis);
  ip->mutable_weight_filler()->set_type("gaussian");
  ip->mutable_bias_filler()->set_type("gaussian");
  return param;
}

template <typename Dtype>
class InnerProductLayerTest : public SeededLayerTest<Dtype> {};
TYPED_TEST_SUITE(InnerProductLayerTest, TestDtypes);

TYPED_TEST(InnerProductLayerTest, UpstreamFixture) { CheckReferenceLayerCase<TypeParam>("ip"); }

TYPED_TEST(InnerProductLayerTest, HandValues) {
  // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1].
  Blob<TypeParam> bottom(vector<int>{2, 3, 1, 1});
  for (int i = 0; i < 6; ++i) bottom.mutable_cpu_data()[i] = i + 1;
  Blob<TypeParam> top;
  for (bool transpose : {false, true}) {
    InnerProductLayer<TypeParam> layer(IpParam(2, true, transpose));
    layer.SetUp({&bottom}, {&top});
    ASSERT_EQ(top.shape(), (vector<int>{2, 2}));
    const TypeParam w[2][3] = {{1, 0, -1}, {2, 1, 0}};
    Blob<TypeParam>& weights = *layer.blobs()[0];
    EXPECT_EQ(weights.shape(), transpose ? (vector<int>{3, 2}) : (vector<int>{2, 3}));
    for (int o = 0; o < 2; ++o) {
      for (int i = 0; i < 3; ++i) {
        weights.mutable_cpu_data()[transpose ? i * 2 + o : o * 3 + i] = w[o][i];
      }
    }
    layer.blobs()[1]->mutable_cpu_data()[0] = 0.5;
    layer.blobs()[1]->mutable_cpu_data()[1] = -1;
    layer.Forward({&bottom}, {&top});
    const TypeParam expected[] = {-2 + 0.5, 4 - 1, -2 + 0.5, 13 - 1};
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-6) << i;
  }
}

TYPED_TEST(InnerProductLayerTest, AxisAndGradients) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4});
  FillGaussian(&bottom);
  Blob<TypeParam> top;
  InnerProductLayer<TypeParam> axis_layer(IpParam(5, true, false, 2));
  axis_layer.SetUp({&bottom}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{2, 3, 5}));
  axis_layer.Forward({&bottom}, {&top});
  // Row (1, 2) of the top is W x[1, 2, :] + b.
  for (int o = 0; o < 5; ++o) {
    double expected = axis_layer.blobs()[1]->cpu_data()[o];
    for (int i = 0; i < 4; ++i) {
      expected += axis_layer.blobs()[0]->cpu_data()[o * 4 + i] * bottom.cpu_data()[20 + i];
    }
    EXPECT_NEAR(top.cpu_data()[(1 * 3 + 2) * 5 + o], expected, 1e-5);
  }

  GradientChecker<TypeParam> checker;
  for (bool transpose : {false, true}) {
    for (bool bias : {false, true}) {
      InnerProductLayer<TypeParam> layer(IpParam(3, bias, transpose));
      checker.CheckGradient(&layer, {&bottom}, {&top});
    }
  }
  InnerProductLayer<TypeParam> layer(IpParam(3, true, false, -1));
  checker.CheckGradient(&layer, {&bottom}, {&top});
}

TYPED_TEST(InnerProductLayerTest, Errors) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4});
  Blob<TypeParam> top;
  InnerProductLayer<TypeParam> no_outputs(IpParam(0));
  EXPECT_THROW(no_outputs.SetUp({&bottom}, {&top}), ConfigError);

  InnerProductLayer<TypeParam> layer(IpParam(2));
  layer.SetUp({&bottom}, {&top});
  Blob<TypeParam> wider(vector<int>{2, 3, 5});
  try {
    layer.Forward({&wider}, {&top});
    ADD_FAILURE() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(string(e.what()).find("'ip'"), string::npos) << e.what();
  }

  LayerParameter preloaded = IpParam(2);
  Blob<TypeParam>(vector<int>{2, 11}).ToProto(preloaded.add_blobs());
  Blob<TypeParam>(vector<int>{2}).ToProto(preloaded.add_blobs());
  InnerProductLayer<TypeParam> wrong(preloaded);
  EXPECT_THROW(wrong.SetUp({&bottom}, {&top}), ShapeError);
}

}  // namespace
}  // namespace caffe
