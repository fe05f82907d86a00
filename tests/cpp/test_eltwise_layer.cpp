// Eltwise layer (SUM with coefficients, PROD, MAX): hand-computed values, tie and
// zero-input gradients, in-place use, gradient checks, errors, upstream fixtures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class EltwiseLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(EltwiseLayerTest, TestDtypes);

TYPED_TEST(EltwiseLayerTest, ForwardByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{4}), b(vector<int>{4}), c(vector<int>{4}), top;
  SetData(&a, {1, -2, 3, 0.5});
  SetData(&b, {2, 4, 3, -1});
  SetData(&c, {-1, 5, 1, 0.25});
  vector<Blob<Dtype>*> bottoms{&a, &b, &c}, tops{&top};
  auto run = [&](const std::string& param) {
    auto layer = MakeLayer<Dtype>("type: 'Eltwise' eltwise_param { " + param + " }");
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    return layer;
  };
  run("operation: PROD");
  ExpectValues(top.cpu_data(), {-2, -40, 9, -0.125});
  run("");  // SUM by default
  ExpectValues(top.cpu_data(), {2, 7, 7, -0.25});
  run("operation: SUM coeff: 1 coeff: -0.5 coeff: 2");
  ExpectValues(top.cpu_data(), {-2, 6, 3.5, 1.5});
  auto max_layer = run("operation: MAX");
  ExpectValues(top.cpu_data(), {2, 5, 3, 0.5});
  SetDiff(&top, {1, 2, 3, 4});
  max_layer->Backward(tops, {true, true, true}, bottoms);
  // Ties between bottoms 0 and 1 go to bottom 1 (element 2).
  ExpectValues(a.cpu_diff(), {0, 0, 0, 4});
  ExpectValues(b.cpu_diff(), {1, 0, 3, 0});
  ExpectValues(c.cpu_diff(), {0, 2, 0, 0});
}

TYPED_TEST(EltwiseLayerTest, ProdBackwardWithZeros) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2}), b(vector<int>{2}), top;
  SetData(&a, {0, 2});
  SetData(&b, {3, 5});
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Eltwise' eltwise_param { operation: PROD }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  SetDiff(&top, {1, 1});
  layer->Backward(tops, {true, true}, bottoms);
  // The stable gradient (product of the others) is right even at a zero input.
  ExpectValues(a.cpu_diff(), {3, 5});
  ExpectValues(b.cpu_diff(), {0, 2});
}

TYPED_TEST(EltwiseLayerTest, BadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2, 3}), b(vector<int>{2, 3}), c(vector<int>{3, 2}), top;
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Eltwise' eltwise_param { coeff: 1 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Eltwise' eltwise_param { operation: PROD coeff: 1 "
                                "coeff: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> mismatched{&a, &c};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Eltwise'")->SetUp(mismatched, tops), ShapeError);
  vector<Blob<Dtype>*> one{&a};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Eltwise'")->SetUp(one, tops), ConfigError);
}

TYPED_TEST(EltwiseLayerTest, InPlaceMatchesOutOfPlace) {
  typedef TypeParam Dtype;
  auto a = RandomBlob<Dtype>({2, 3}, 25);
  auto b = RandomBlob<Dtype>({2, 3}, 26);
  auto c = RandomBlob<Dtype>({2, 3}, 27);
  auto top_diff = RandomBlob<Dtype>({2, 3}, 28);
  for (const char* param : {"operation: PROD", "operation: PROD stable_prod_grad: false",
                            "operation: SUM coeff: 2 coeff: -1 coeff: 0.5", "operation: MAX"}) {
    const std::string text = std::string("type: 'Eltwise' eltwise_param { ") + param + " }";
    const vector<Dtype> expected =
        RunMaybeInPlace<Dtype>(text, {a.get(), b.get(), c.get()}, *top_diff, -1);
    for (int in_place : {0, 1, 2}) {
      SCOPED_TRACE(testing::Message() << param << " in place on bottom " << in_place);
      const vector<Dtype> actual =
          RunMaybeInPlace<Dtype>(text, {a.get(), b.get(), c.get()}, *top_diff, in_place);
      // The in-place bottom's diff is the top's diff: compare all but that one.
      for (int i = 0; i < 6; ++i) EXPECT_NEAR(actual[i], expected[i], 1e-6) << i;
      for (int bottom = 0; bottom < 3; ++bottom) {
        for (int i = 0; i < 6; ++i) {
          const int at = 6 + bottom * 6 + i;
          EXPECT_NEAR(actual[at], expected[at], 1e-6) << "bottom " << bottom << " diff " << i;
        }
      }
    }
  }
}

TYPED_TEST(EltwiseLayerTest, Gradients) {
  typedef TypeParam Dtype;
  for (const char* param : {"operation: PROD", "operation: PROD stable_prod_grad: false",
                            "operation: SUM coeff: 0.5 coeff: -2 coeff: 3"}) {
    auto a = RandomBlob<Dtype>({2, 3}, 21, Dtype(0.5), Dtype(1.5));
    auto b = RandomBlob<Dtype>({2, 3}, 22, Dtype(-1.5), Dtype(-0.5));
    auto c = RandomBlob<Dtype>({2, 3}, 23, Dtype(0.5), Dtype(1.5));
    Blob<Dtype> top;
    auto layer = MakeLayer<Dtype>(std::string("type: 'Eltwise' eltwise_param { ") + param + " }");
    SCOPED_TRACE(param);
    GradientChecker<Dtype>().CheckGradient(layer.get(), {a.get(), b.get(), c.get()}, {&top});
  }
}

TYPED_TEST(EltwiseLayerTest, MaxGradient) {
  typedef TypeParam Dtype;
  // Bottoms at least 0.1 apart everywhere, so the step never changes the winner.
  auto a = RandomBlob<Dtype>({2, 3}, 24);
  Blob<Dtype> b(vector<int>{2, 3}), c(vector<int>{2, 3}), top;
  const double offsets_b[] = {0.3, -0.4, 0.5, -0.2, 0.25, -0.6};
  const double offsets_c[] = {-0.2, 0.2, 0.1, 0.4, -0.5, -0.3};
  for (int i = 0; i < 6; ++i) {
    b.mutable_cpu_data()[i] = a->cpu_data()[i] + offsets_b[i];
    c.mutable_cpu_data()[i] = a->cpu_data()[i] + offsets_c[i];
  }
  auto layer = MakeLayer<Dtype>("type: 'Eltwise' eltwise_param { operation: MAX }");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {a.get(), &b, &c}, {&top});
}

TYPED_TEST(EltwiseLayerTest, MatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("eltwise_max");
  CheckReferenceLayerCase<TypeParam>("eltwise_sum_coeff");
}

}  // namespace caffe
