// Tile layer: by hand (values and summed gradients), errors, in-place identity,
// gradient check and the upstream fixture.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class TileLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(TileLayerTest, TestDtypes);

TYPED_TEST(TileLayerTest, ByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  SetData(&bottom, {1, 2, 3, 4});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 3 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 6}));
  ExpectValues(top.cpu_data(), {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
  for (int i = 0; i < 12; ++i) top.mutable_cpu_diff()[i] = i;
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {0 + 2 + 4, 1 + 3 + 5, 6 + 8 + 10, 7 + 9 + 11});

  auto outer = MakeLayer<Dtype>("type: 'Tile' tile_param { axis: 0 tiles: 2 }");
  outer->SetUp(bottoms, tops);
  outer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2}));
  ExpectValues(top.cpu_data(), {1, 2, 3, 4, 1, 2, 3, 4});
}

TYPED_TEST(TileLayerTest, BadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile'")->SetUp(bottoms, tops), ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 0 }")->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 2 axis: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> in_place{&bottom};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 2 }")->SetUp(bottoms, in_place),
               ConfigError);
  // One tile is the identity, which may run in place.
  SetData(&bottom, {1, 2, 3, 4});
  auto identity = MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 1 }");
  identity->SetUp(bottoms, in_place);
  identity->Forward(bottoms, in_place);
  ExpectValues(bottom.cpu_data(), {1, 2, 3, 4});
}

TYPED_TEST(TileLayerTest, Gradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 10);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Tile' tile_param { axis: -1 tiles: 3 }");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&top});
}

TYPED_TEST(TileLayerTest, MatchesUpstream) { CheckReferenceLayerCase<TypeParam>("tile"); }

}  // namespace caffe
