// Concat layer: by hand along each axis and the legacy concat_dim, one-bottom
// aliasing, errors, gradient check and the upstream fixture.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class ConcatLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(ConcatLayerTest, TestDtypes);

TYPED_TEST(ConcatLayerTest, ChannelsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2, 1, 2}), b(vector<int>{2, 2, 2}), top;
  SetData(&a, {1, 2, 3, 4});
  SetData(&b, {10, 11, 12, 13, 14, 15, 16, 17});
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Concat'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 3, 2}));
  ExpectValues(top.cpu_data(), {1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17});
  for (int i = 0; i < 12; ++i) top.mutable_cpu_diff()[i] = i;
  layer->Backward(tops, {true, true}, bottoms);
  ExpectValues(a.cpu_diff(), {0, 1, 6, 7});
  ExpectValues(b.cpu_diff(), {2, 3, 4, 5, 8, 9, 10, 11});
}

TYPED_TEST(ConcatLayerTest, AxisZeroNegativeAndLegacy) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{1, 2}), b(vector<int>{2, 2}), top;
  SetData(&a, {1, 2});
  SetData(&b, {3, 4, 5, 6});
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  for (const char* text : {"type: 'Concat' concat_param { axis: 0 }",
                           "type: 'Concat' concat_param { axis: -2 }",
                           "type: 'Concat' concat_param { concat_dim: 0 }"}) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), (vector<int>{3, 2})) << text;
    ExpectValues(top.cpu_data(), {1, 2, 3, 4, 5, 6});
  }
}

TYPED_TEST(ConcatLayerTest, SingleBottomAliases) {
  auto a = RandomBlob<TypeParam>({2, 3}, 3);
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottoms{a.get()}, tops{&top};
  auto layer = MakeLayer<TypeParam>("type: 'Concat'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.cpu_data(), a->cpu_data());
  EXPECT_EQ(top.cpu_diff(), a->cpu_diff());
}

TYPED_TEST(ConcatLayerTest, BadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2, 3}), b(vector<int>{3, 3}), top;
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  // Shapes differ along axis 0, which is not the concat axis.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(bottoms, tops), ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { axis: 2 }")->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { concat_dim: 5 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { axis: 0 concat_dim: 0 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  Blob<Dtype> c(vector<int>{2, 3, 1});
  vector<Blob<Dtype>*> mixed_axes{&a, &c};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(mixed_axes, tops), ShapeError);
  Blob<Dtype> d(vector<int>{2, 3});
  vector<Blob<Dtype>*> same{&a, &d}, in_place{&d};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(same, in_place), ConfigError);
}

TYPED_TEST(ConcatLayerTest, Gradient) {
  auto a = RandomBlob<TypeParam>({2, 3, 2}, 4);
  auto b = RandomBlob<TypeParam>({2, 1, 2}, 5);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Concat'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {a.get(), b.get()}, {&top});
}

TYPED_TEST(ConcatLayerTest, MatchesUpstream) { CheckReferenceLayerCase<TypeParam>("concat_c"); }

}  // namespace caffe
