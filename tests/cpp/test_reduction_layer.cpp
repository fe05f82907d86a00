// Reduction layer: every operation by hand (values and gradients), gradient
// checks and the upstream fixture.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class ReductionLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(ReductionLayerTest, TestDtypes);

TYPED_TEST(ReductionLayerTest, OperationsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3}), top;
  SetData(&bottom, {1, -2, 3, 0, 4, -5});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  struct Case {
    const char* param;
    vector<int> shape;
    std::initializer_list<double> forward, backward;
  };
  const Case cases[] = {
      {"", {}, {1}, {2, 2, 2, 2, 2, 2}},
      {"operation: SUM axis: 1 coeff: 2", {2}, {4, -2}, {4, 4, 4, 12, 12, 12}},
      {"operation: ASUM axis: -1", {2}, {6, 9}, {2, -2, 2, 0, 6, -6}},
      {"operation: SUMSQ axis: 1", {2}, {14, 41}, {4, -8, 12, 0, 48, -60}},
      {"operation: MEAN axis: 1 coeff: 3", {2}, {2, -1}, {2, 2, 2, 6, 6, 6}},
      {"operation: MEAN axis: 0", {}, {1.0 / 6}, {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3,
                                                1.0 / 3}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.param);
    auto layer = MakeLayer<Dtype>(std::string("type: 'Reduction' reduction_param { ") + c.param +
                                  " }");
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), c.shape);
    ExpectValues(top.cpu_data(), c.forward);
    // Top diff: 2 for a scalar, {2, 6} per row otherwise.
    if (top.count() == 1) {
      SetDiff(&top, {2});
    } else {
      SetDiff(&top, {2, 6});
    }
    layer->Backward(tops, {true}, bottoms);
    ExpectValues(bottom.cpu_diff(), c.backward);
  }
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Reduction' reduction_param { axis: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
}

TYPED_TEST(ReductionLayerTest, Gradients) {
  typedef TypeParam Dtype;
  for (const char* param : {"operation: SUM axis: 1 coeff: -1.5", "operation: MEAN axis: 2",
                            "operation: SUMSQ coeff: 0.5", "operation: ASUM axis: 1"}) {
    SCOPED_TRACE(param);
    auto bottom = RandomBlob<Dtype>({2, 3, 2}, 61);
    Blob<Dtype> top;
    auto layer = MakeLayer<Dtype>(std::string("type: 'Reduction' reduction_param { ") + param +
                                  " }");
    // |x| has a kink at 0.
    GradientChecker<Dtype>(1e-2, 1e-3, 1701, 0, 0.05).CheckGradient(layer.get(), {bottom.get()},
                                                                     {&top});
  }
}

TYPED_TEST(ReductionLayerTest, MatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("reduction_sum");
}

}  // namespace caffe
