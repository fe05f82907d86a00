// MVN layer: per-plane and across-channel normalisation, eps, gradient checks,
// in-place use and the upstream fixture.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class MVNLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(MVNLayerTest, TestDtypes);

TYPED_TEST(MVNLayerTest, NormalisesEachPlane) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 4, 5}, 71, Dtype(-3), Dtype(5));
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  for (bool across : {false, true}) {
    for (bool variance : {true, false}) {
      SCOPED_TRACE(testing::Message() << "across " << across << " variance " << variance);
      LayerParameter param;
      param.set_type("MVN");
      param.mutable_mvn_param()->set_across_channels(across);
      param.mutable_mvn_param()->set_normalize_variance(variance);
      auto layer = LayerRegistry<Dtype>::CreateLayer(param);
      layer->SetUp(bottoms, tops);
      layer->Forward(bottoms, tops);
      const int groups = across ? 2 : 6, dim = across ? 60 : 20;
      for (int g = 0; g < groups; ++g) {
        double sum = 0, sum_sq = 0, input_sq = 0, input_sum = 0;
        for (int i = 0; i < dim; ++i) {
          sum += top.cpu_data()[g * dim + i];
          sum_sq += top.cpu_data()[g * dim + i] * top.cpu_data()[g * dim + i];
          input_sum += bottom->cpu_data()[g * dim + i];
          input_sq += bottom->cpu_data()[g * dim + i] * bottom->cpu_data()[g * dim + i];
        }
        EXPECT_NEAR(sum / dim, 0, 1e-5);
        const double input_var = input_sq / dim - (input_sum / dim) * (input_sum / dim);
        EXPECT_NEAR(sum_sq / dim, variance ? 1.0 : input_var, 1e-4);
      }
    }
  }
  Blob<Dtype> five_axes(vector<int>{1, 1, 1, 1, 2});
  vector<Blob<Dtype>*> too_many{&five_axes};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'MVN'")->SetUp(too_many, tops), ShapeError);
}

TYPED_TEST(MVNLayerTest, EpsIsAddedToTheStandardDeviation) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{1, 1, 2}), top;
  SetData(&bottom, {1, 3});  // mean 2, std 1
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'MVN' mvn_param { eps: 0.25 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {-0.8, 0.8});  // (x - 2) / (1 + 0.25)
}

TYPED_TEST(MVNLayerTest, Gradients) {
  typedef TypeParam Dtype;
  for (const char* param : {"", "normalize_variance: false", "across_channels: true"}) {
    SCOPED_TRACE(param);
    auto bottom = RandomBlob<Dtype>({2, 2, 3, 2}, 72);
    Blob<Dtype> top;
    auto layer = MakeLayer<Dtype>(std::string("type: 'MVN' mvn_param { ") + param + " }");
    GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get()}, {&top});
  }
}

TYPED_TEST(MVNLayerTest, InPlaceMatchesOutOfPlace) {
  typedef TypeParam Dtype;
  auto input = RandomBlob<Dtype>({2, 3, 2, 2}, 73);
  auto top_diff = RandomBlob<Dtype>({2, 3, 2, 2}, 74);
  for (const char* param : {"", "normalize_variance: false", "across_channels: true"}) {
    SCOPED_TRACE(param);
    const std::string text = std::string("type: 'MVN' mvn_param { ") + param + " }";
    const vector<Dtype> expected = RunMaybeInPlace<Dtype>(text, {input.get()}, *top_diff, -1);
    const vector<Dtype> actual = RunMaybeInPlace<Dtype>(text, {input.get()}, *top_diff, 0);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-5) << i;
  }
}

TYPED_TEST(MVNLayerTest, MatchesUpstream) { CheckReferenceLayerCase<TypeParam>("mvn"); }

}  // namespace caffe
