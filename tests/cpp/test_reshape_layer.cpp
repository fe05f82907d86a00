// Reshape layer: copied and inferred dims, axis/num_axes ranges, following the
// bottom, and impossible shapes.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "layer_test_helpers.hpp"

namespace caffe {

template <typename Dtype>
class ReshapeLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(ReshapeLayerTest, TestDtypes);

TYPED_TEST(ReshapeLayerTest, CopyInferAndRanges) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 6, 5}, 9);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  const std::pair<const char*, vector<int>> cases[] = {
      {"shape { dim: 0 dim: -1 }", {2, 90}},
      {"shape { dim: 0 dim: 3 dim: 30 }", {2, 3, 30}},
      {"shape { dim: -1 dim: 5 }", {36, 5}},
      {"shape { dim: 0 dim: 0 dim: 0 dim: 0 }", {2, 3, 6, 5}},
      {"shape { dim: 6 dim: 1 dim: 0 dim: -1 }", {6, 1, 6, 5}},
      {"shape { dim: 2 dim: 3 } axis: 2 num_axes: 1", {2, 3, 2, 3, 5}},
      {"shape { dim: 1 } axis: 1 num_axes: 0", {2, 1, 3, 6, 5}},
      {"shape { dim: 1 } axis: -1 num_axes: 0", {2, 3, 6, 5, 1}},
      {"shape { dim: -1 } axis: 1", {2, 90}},
      {"shape { dim: -1 } axis: 0 num_axes: 2", {6, 6, 5}},
      {"shape { dim: 0 dim: -1 } axis: -3 num_axes: 2", {2, 3, 6, 5}},
  };
  for (const auto& [shape_text, shape] : cases) {
    auto layer = MakeLayer<Dtype>(std::string("type: 'Reshape' reshape_param { ") +
                                  shape_text + " }");
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), shape) << shape_text;
    EXPECT_EQ(top.cpu_data(), bottom->cpu_data());
    EXPECT_EQ(top.cpu_diff(), bottom->cpu_diff());
  }
}

TYPED_TEST(ReshapeLayerTest, FollowsBottomChanges) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 6}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Reshape' reshape_param { shape { dim: 0 dim: 2 dim: -1 } }");
  layer->SetUp(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 2, 3}));
  bottom.Reshape(vector<int>{4, 10});
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2, 5}));
}

TYPED_TEST(ReshapeLayerTest, Impossible) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3, 5}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto setup = [&](const std::string& param) {
    MakeLayer<Dtype>("type: 'Reshape' reshape_param { " + param + " }")->SetUp(bottoms, tops);
  };
  EXPECT_THROW(setup("shape { dim: -1 dim: -1 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: -2 dim: 15 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 4 dim: -1 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 7 dim: 5 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 0 dim: 0 dim: 0 dim: 0 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: 4"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: -5"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: 2 num_axes: 2"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } num_axes: -2"), ConfigError);
  vector<Blob<Dtype>*> in_place{&bottom};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Reshape' reshape_param { shape { dim: -1 } }")
                   ->SetUp(bottoms, in_place),
               ConfigError);
}

}  // namespace caffe
