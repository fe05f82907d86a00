// Slice layer: slice points, equal parts and the legacy slice_dim, errors,
// gradient check and the upstream fixture.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class SliceLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(SliceLayerTest, TestDtypes);

TYPED_TEST(SliceLayerTest, AtPointsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 4}), t0, t1;
  SetData(&bottom, {0, 1, 2, 3, 4, 5, 6, 7});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 1 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 1}));
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  ExpectValues(t0.cpu_data(), {0, 4});
  ExpectValues(t1.cpu_data(), {1, 2, 3, 5, 6, 7});
  SetDiff(&t0, {-1, -2});
  SetDiff(&t1, {1, 2, 3, 4, 5, 6});
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {-1, 1, 2, 3, -2, 4, 5, 6});
}

TYPED_TEST(SliceLayerTest, EvenlyAndLegacyDim) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{4, 2}), t0, t1;
  SetData(&bottom, {0, 1, 2, 3, 4, 5, 6, 7});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&t0, &t1};
  for (const char* text : {"type: 'Slice' slice_param { axis: 0 }",
                           "type: 'Slice' slice_param { slice_dim: 0 }"}) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(t0.shape(), (vector<int>{2, 2})) << text;
    ExpectValues(t0.cpu_data(), {0, 1, 2, 3});
    ExpectValues(t1.cpu_data(), {4, 5, 6, 7});
  }
}

TYPED_TEST(SliceLayerTest, BadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 5}), t0, t1, t2;
  vector<Blob<Dtype>*> bottoms{&bottom}, two{&t0, &t1}, three{&t0, &t1, &t2};
  // 5 is not divisible by 2 tops.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice'")->SetUp(bottoms, two), ShapeError);
  // Two points need three tops.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 1 slice_point: 2 }")
                   ->SetUp(bottoms, two),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 3 slice_point: 2 }")
                   ->SetUp(bottoms, three),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 6 }")
                   ->SetUp(bottoms, two),
               ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { axis: 3 }")->SetUp(bottoms, two),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { axis: 1 slice_dim: 1 }")
                   ->SetUp(bottoms, two),
               ConfigError);
  Blob<Dtype> even(vector<int>{2, 4});
  vector<Blob<Dtype>*> even_bottoms{&even}, in_place{&t0, &even};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice'")->SetUp(even_bottoms, in_place), ConfigError);
}

TYPED_TEST(SliceLayerTest, Gradient) {
  auto bottom = RandomBlob<TypeParam>({2, 5, 2}, 6);
  Blob<TypeParam> t0, t1, t2;
  auto layer =
      MakeLayer<TypeParam>("type: 'Slice' slice_param { slice_point: 1 slice_point: 3 }");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&t0, &t1, &t2});
}

TYPED_TEST(SliceLayerTest, MatchesUpstream) { CheckReferenceLayerCase<TypeParam>("slice"); }

}  // namespace caffe
