// Normalize layer (ours, L2 along an axis): hand-computed values and gradient,
// zero vectors, in-place use, gradient checks and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

template <typename Dtype>
class NormalizeLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(NormalizeLayerTest, TestDtypes);

TYPED_TEST(NormalizeLayerTest, RowsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  SetData(&bottom, {3, 4, 0, -2});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Normalize' normalize_param { eps: 0 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {0.6, 0.8, 0, -1});
  SetDiff(&top, {1, 0, 1, 1});
  layer->Backward(tops, {true}, bottoms);
  // (dy - y (y . dy)) / |x|: row 0: ([1,0] - 0.6 [0.6,0.8]) / 5; row 1: ([1,1] - [0,-1]*(-1)) / 2.
  ExpectValues(bottom.cpu_diff(), {0.128, -0.096, 0.5, 0});
}

TYPED_TEST(NormalizeLayerTest, SpatialVectorsAndZeroInput) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 2, 2}, 81);
  for (int c = 0; c < 3; ++c) bottom->mutable_cpu_data()[bottom->offset(1, c, 1, 1)] = 0;
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Normalize'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  for (int n = 0; n < 2; ++n) {
    for (int h = 0; h < 2; ++h) {
      for (int w = 0; w < 2; ++w) {
        double norm_sq = 0;
        for (int c = 0; c < 3; ++c) norm_sq += std::pow(top.data_at(n, c, h, w), 2);
        // The all-zero vector stays zero thanks to eps; the others get unit norm.
        EXPECT_NEAR(norm_sq, (n == 1 && h == 1 && w == 1) ? 0.0 : 1.0, 1e-5);
      }
    }
  }
  for (int i = 0; i < top.count(); ++i) EXPECT_TRUE(std::isfinite(top.cpu_data()[i]));
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Normalize' normalize_param { axis: 4 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Normalize' normalize_param { eps: -1 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
}

TYPED_TEST(NormalizeLayerTest, InPlaceMatchesOutOfPlace) {
  typedef TypeParam Dtype;
  auto input = RandomBlob<Dtype>({3, 4}, 82);
  auto top_diff = RandomBlob<Dtype>({3, 4}, 83);
  Blob<Dtype> bottom, top;
  bottom.CopyFrom(*input, false, true);
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Normalize'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  caffe_copy(12, top_diff->cpu_data(), top.mutable_cpu_diff());
  layer->Backward(tops, {true}, bottoms);

  Blob<Dtype> shared;
  shared.CopyFrom(*input, false, true);
  vector<Blob<Dtype>*> in_place{&shared};
  auto second = MakeLayer<Dtype>("type: 'Normalize'");
  second->SetUp(in_place, in_place);
  second->Forward(in_place, in_place);
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(shared.cpu_data()[i], top.cpu_data()[i], 1e-6);
  caffe_copy(12, top_diff->cpu_data(), shared.mutable_cpu_diff());
  second->Backward(in_place, {true}, in_place);
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(shared.cpu_diff()[i], bottom.cpu_diff()[i], 1e-6);
}

TYPED_TEST(NormalizeLayerTest, Gradients) {
  typedef TypeParam Dtype;
  for (const char* param : {"", "axis: 2", "axis: -1 eps: 0.5"}) {
    SCOPED_TRACE(param);
    auto bottom = RandomBlob<Dtype>({2, 3, 4}, 84);
    Blob<Dtype> top;
    auto layer =
        MakeLayer<Dtype>(std::string("type: 'Normalize' normalize_param { ") + param + " }");
    GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get()}, {&top});
  }
}

}  // namespace caffe
