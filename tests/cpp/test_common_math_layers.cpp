// Arithmetic common layers: Eltwise, Scale, Bias, Reduction, MVN and our
// Normalize.
#include <gtest/gtest.h>

#include <cmath>

#include "common_layer_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class CommonMathLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(CommonMathLayerTest, TestDtypes);

// -------------------------------------------------------------- Eltwise ---

TYPED_TEST(CommonMathLayerTest, EltwiseForwardByHand) {
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

TYPED_TEST(CommonMathLayerTest, EltwiseProdBackwardWithZeros) {
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

TYPED_TEST(CommonMathLayerTest, EltwiseBadParameters) {
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

// Runs `text` on copies of `inputs` with the top separate, then as bottom
// `in_place` (if >= 0), and returns top data followed by every bottom diff.
template <typename Dtype>
vector<Dtype> RunMaybeInPlace(const std::string& text, const vector<Blob<Dtype>*>& inputs,
                              const Blob<Dtype>& top_diff, int in_place) {
  vector<std::unique_ptr<Blob<Dtype>>> copies;
  vector<Blob<Dtype>*> bottoms;
  for (Blob<Dtype>* input : inputs) {
    copies.push_back(std::make_unique<Blob<Dtype>>());
    copies.back()->CopyFrom(*input, false, true);
    bottoms.push_back(copies.back().get());
  }
  Blob<Dtype> separate_top;
  Blob<Dtype>* top = in_place >= 0 ? bottoms[in_place] : &separate_top;
  vector<Blob<Dtype>*> tops{top};
  auto layer = MakeLayer<Dtype>(text);
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  vector<Dtype> result(top->cpu_data(), top->cpu_data() + top->count());
  caffe_copy(top->count(), top_diff.cpu_data(), top->mutable_cpu_diff());
  layer->Backward(tops, vector<bool>(bottoms.size(), true), bottoms);
  for (Blob<Dtype>* b : bottoms) result.insert(result.end(), b->cpu_diff(), b->cpu_diff() + b->count());
  return result;
}

TYPED_TEST(CommonMathLayerTest, EltwiseInPlaceMatchesOutOfPlace) {
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

TYPED_TEST(CommonMathLayerTest, EltwiseGradients) {
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

TYPED_TEST(CommonMathLayerTest, EltwiseMaxGradient) {
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

TYPED_TEST(CommonMathLayerTest, EltwiseMatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("eltwise_max");
  CheckReferenceLayerCase<TypeParam>("eltwise_sum_coeff");
}

// ---------------------------------------------------------------- Scale ---

TYPED_TEST(CommonMathLayerTest, ScaleLearnedPerChannelWithBias) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2, 2}), top;
  SetData(&bottom, {1, 2, 3, 4, 5, 6, 7, 8});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>(
      "type: 'Scale' scale_param { bias_term: true bias_filler { type: 'constant' value: 0.5 } }");
  layer->SetUp(bottoms, tops);
  ASSERT_EQ(layer->blobs().size(), 2u);
  EXPECT_EQ(layer->blobs()[0]->shape(), (vector<int>{2}));
  // The default scale filler is constant 1.
  ExpectValues(layer->blobs()[0]->cpu_data(), {1, 1});
  ExpectValues(layer->blobs()[1]->cpu_data(), {0.5, 0.5});
  SetData(layer->blobs()[0].get(), {2, -1});
  SetData(layer->blobs()[1].get(), {1, 10});
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {3, 5, 7, 6, 11, 13, 3, 2});
  SetDiff(&top, {1, 0, 0, 1, 1, 1, 2, 0});
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {2, 0, 0, -1, 2, 2, -2, 0});
  // d scale[c] = sum of top_diff * input over channel c; d bias[c] = sum of top_diff.
  ExpectValues(layer->blobs()[0]->cpu_diff(), {1 + 5 + 6, 4 + 14});
  ExpectValues(layer->blobs()[1]->cpu_diff(), {3, 3});
}

TYPED_TEST(CommonMathLayerTest, ScaleTwoBottomsAndScalar) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3}), factors(vector<int>{2}), top;
  SetData(&bottom, {1, 2, 3, 4, 5, 6});
  SetData(&factors, {2, -1});
  vector<Blob<Dtype>*> bottoms{&bottom, &factors}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Scale' scale_param { axis: 0 }");
  layer->SetUp(bottoms, tops);
  EXPECT_TRUE(layer->blobs().empty());
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {2, 4, 6, -4, -5, -6});
  SetDiff(&top, {1, 1, 1, 1, 0, 1});
  caffe_set(2, Dtype(100), factors.mutable_cpu_diff());
  layer->Backward(tops, {true, true}, bottoms);
  ExpectValues(factors.cpu_diff(), {6, 10});  // overwritten, not accumulated
  ExpectValues(bottom.cpu_diff(), {2, 2, 2, -1, 0, -1});

  auto scalar = MakeLayer<Dtype>("type: 'Scale' scale_param { num_axes: 0 }");
  vector<Blob<Dtype>*> one{&bottom};
  scalar->SetUp(one, tops);
  EXPECT_EQ(scalar->blobs()[0]->num_axes(), 0);
  scalar->blobs()[0]->mutable_cpu_data()[0] = 3;
  scalar->Forward(one, tops);
  ExpectValues(top.cpu_data(), {3, 6, 9, 12, 15, 18});
}

TYPED_TEST(CommonMathLayerTest, ScaleInPlaceMatchesOutOfPlace) {
  typedef TypeParam Dtype;
  const std::string text =
      "type: 'Scale' scale_param { axis: 1 num_axes: 2 bias_term: true "
      "filler { type: 'uniform' min: -2 max: 2 } bias_filler { type: 'gaussian' } }";
  auto input = RandomBlob<Dtype>({2, 3, 2, 2}, 31);
  auto top_diff = RandomBlob<Dtype>({2, 3, 2, 2}, 32);
  vector<vector<Dtype>> results;
  for (bool in_place : {false, true}) {
    Blob<Dtype> bottom, separate_top;
    bottom.CopyFrom(*input, false, true);
    Blob<Dtype>* top = in_place ? &bottom : &separate_top;
    vector<Blob<Dtype>*> bottoms{&bottom}, tops{top};
    Caffe::set_random_seed(33);
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    vector<Dtype> result(top->cpu_data(), top->cpu_data() + top->count());
    caffe_copy(top->count(), top_diff->cpu_data(), top->mutable_cpu_diff());
    layer->Backward(tops, {true}, bottoms);
    result.insert(result.end(), bottom.cpu_diff(), bottom.cpu_diff() + bottom.count());
    for (auto& blob : layer->blobs()) {
      result.insert(result.end(), blob->cpu_diff(), blob->cpu_diff() + blob->count());
    }
    results.push_back(result);
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_NEAR(results[0][i], results[1][i], 1e-5) << i;
  }
}

TYPED_TEST(CommonMathLayerTest, ScaleBadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3, 4}), wrong(vector<int>{4}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Scale' scale_param { axis: 3 }")->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Scale' scale_param { axis: 2 num_axes: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Scale' scale_param { num_axes: -2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> two{&bottom, &wrong};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Scale'")->SetUp(two, tops), ShapeError);
}

TYPED_TEST(CommonMathLayerTest, ScaleGradients) {
  typedef TypeParam Dtype;
  for (const char* param :
       {"bias_term: true filler { type: 'uniform' } bias_filler { type: 'uniform' }",
        "axis: 0 num_axes: -1 filler { type: 'gaussian' }", "num_axes: 0 bias_term: true",
        "axis: -1 filler { type: 'uniform' min: -1 max: 1 }"}) {
    SCOPED_TRACE(param);
    auto bottom = RandomBlob<Dtype>({2, 3, 2}, 41);
    Blob<Dtype> top;
    Caffe::set_random_seed(42);
    auto layer = MakeLayer<Dtype>(std::string("type: 'Scale' scale_param { ") + param + " }");
    GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get()}, {&top});
  }
  auto bottom = RandomBlob<Dtype>({2, 3, 2}, 43);
  auto factors = RandomBlob<Dtype>({3, 2}, 44);
  Blob<Dtype> top;
  auto layer = MakeLayer<Dtype>("type: 'Scale' scale_param { bias_term: true }");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get(), factors.get()}, {&top});
}

TYPED_TEST(CommonMathLayerTest, ScaleMatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("scale_param");
}

// ----------------------------------------------------------------- Bias ---

TYPED_TEST(CommonMathLayerTest, BiasByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3}), top;
  SetData(&bottom, {1, 2, 3, 4, 5, 6});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Bias'");
  layer->SetUp(bottoms, tops);
  ASSERT_EQ(layer->blobs().size(), 1u);
  EXPECT_EQ(layer->blobs()[0]->shape(), (vector<int>{3}));
  EXPECT_EQ(layer->blobs()[0]->asum_data(), Dtype(0));  // filler default: constant 0
  SetData(layer->blobs()[0].get(), {10, 20, 30});
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {11, 22, 33, 14, 25, 36});
  SetDiff(&top, {1, 2, 3, 4, 5, 6});
  SetDiff(layer->blobs()[0].get(), {1, 1, 1});
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {1, 2, 3, 4, 5, 6});
  ExpectValues(layer->blobs()[0]->cpu_diff(), {6, 8, 10});  // accumulated onto 1

  // In place, with a second bottom as the bias (axis 0: one bias per row).
  Blob<Dtype> row_bias(vector<int>{2});
  SetData(&row_bias, {-1, 1});
  vector<Blob<Dtype>*> two{&bottom, &row_bias}, in_place{&bottom};
  auto second = MakeLayer<Dtype>("type: 'Bias' bias_param { axis: 0 }");
  second->SetUp(two, in_place);
  second->Forward(two, in_place);
  ExpectValues(bottom.cpu_data(), {0, 1, 2, 5, 6, 7});
  SetDiff(&bottom, {1, 2, 3, 4, 5, 6});
  second->Backward(in_place, {true, true}, two);
  ExpectValues(row_bias.cpu_diff(), {6, 15});
  ExpectValues(bottom.cpu_diff(), {1, 2, 3, 4, 5, 6});
}

TYPED_TEST(CommonMathLayerTest, BiasBadParametersAndGradient) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3}), wrong(vector<int>{2}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top}, two{&bottom, &wrong};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Bias'")->SetUp(two, tops), ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Bias' bias_param { axis: 1 num_axes: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  auto data = RandomBlob<Dtype>({2, 3, 2}, 51);
  Blob<Dtype> out;
  auto layer = MakeLayer<Dtype>(
      "type: 'Bias' bias_param { num_axes: -1 filler { type: 'uniform' } }");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {data.get()}, {&out});
  auto bias = RandomBlob<Dtype>({2, 3}, 52);
  auto two_bottoms = MakeLayer<Dtype>("type: 'Bias' bias_param { axis: 0 }");
  GradientChecker<Dtype>().CheckGradient(two_bottoms.get(), {data.get(), bias.get()}, {&out});
}

// ------------------------------------------------------------ Reduction ---

TYPED_TEST(CommonMathLayerTest, ReductionOperationsByHand) {
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

TYPED_TEST(CommonMathLayerTest, ReductionGradients) {
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

TYPED_TEST(CommonMathLayerTest, ReductionMatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("reduction_sum");
}

// ------------------------------------------------------------------ MVN ---

TYPED_TEST(CommonMathLayerTest, MVNNormalisesEachPlane) {
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

TYPED_TEST(CommonMathLayerTest, MVNEpsIsAddedToTheStandardDeviation) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{1, 1, 2}), top;
  SetData(&bottom, {1, 3});  // mean 2, std 1
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'MVN' mvn_param { eps: 0.25 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {-0.8, 0.8});  // (x - 2) / (1 + 0.25)
}

TYPED_TEST(CommonMathLayerTest, MVNGradients) {
  typedef TypeParam Dtype;
  for (const char* param : {"", "normalize_variance: false", "across_channels: true"}) {
    SCOPED_TRACE(param);
    auto bottom = RandomBlob<Dtype>({2, 2, 3, 2}, 72);
    Blob<Dtype> top;
    auto layer = MakeLayer<Dtype>(std::string("type: 'MVN' mvn_param { ") + param + " }");
    GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get()}, {&top});
  }
}

TYPED_TEST(CommonMathLayerTest, MVNInPlaceMatchesOutOfPlace) {
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

TYPED_TEST(CommonMathLayerTest, MVNMatchesUpstream) { CheckReferenceLayerCase<TypeParam>("mvn"); }

// ------------------------------------------------------------ Normalize ---

TYPED_TEST(CommonMathLayerTest, NormalizeRowsByHand) {
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

TYPED_TEST(CommonMathLayerTest, NormalizeSpatialVectorsAndZeroInput) {
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

TYPED_TEST(CommonMathLayerTest, NormalizeInPlaceMatchesOutOfPlace) {
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

TYPED_TEST(CommonMathLayerTest, NormalizeGradients) {
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
