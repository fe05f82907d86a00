// Flatten layer: output shapes for axis/end_axis, errors, gradient check and
// the upstream fixture.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class FlattenLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(FlattenLayerTest, TestDtypes);

TYPED_TEST(FlattenLayerTest, Shapes) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 4, 5}, 7);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  const std::pair<const char*, vector<int>> cases[] = {
      {"type: 'Flatten'", {2, 60}},
      {"type: 'Flatten' flatten_param { axis: 2 }", {2, 3, 20}},
      {"type: 'Flatten' flatten_param { axis: 1 end_axis: 2 }", {2, 12, 5}},
      {"type: 'Flatten' flatten_param { axis: 0 end_axis: -2 }", {24, 5}},
      {"type: 'Flatten' flatten_param { axis: 2 end_axis: 1 }", {2, 3, 1, 4, 5}},
  };
  for (const auto& [text, shape] : cases) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), shape) << text;
    EXPECT_EQ(top.cpu_data(), bottom->cpu_data());
  }
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten' flatten_param { axis: 3 end_axis: 1 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten' flatten_param { end_axis: 4 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> in_place{bottom.get()};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten'")->SetUp(bottoms, in_place), ConfigError);
}

TYPED_TEST(FlattenLayerTest, Gradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 8);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Flatten'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&top});
}

TYPED_TEST(FlattenLayerTest, MatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("flatten");
}

}  // namespace caffe
