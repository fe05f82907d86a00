// Scale layer: learned and second-bottom scales, bias term, scalar scale,
// in-place use, gradient checks, errors and the upstream fixture.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class ScaleLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(ScaleLayerTest, TestDtypes);

TYPED_TEST(ScaleLayerTest, LearnedPerChannelWithBias) {
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

TYPED_TEST(ScaleLayerTest, TwoBottomsAndScalar) {
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

TYPED_TEST(ScaleLayerTest, InPlaceMatchesOutOfPlace) {
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

TYPED_TEST(ScaleLayerTest, BadParameters) {
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

TYPED_TEST(ScaleLayerTest, Gradients) {
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

TYPED_TEST(ScaleLayerTest, MatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("scale_param");
}

}  // namespace caffe
