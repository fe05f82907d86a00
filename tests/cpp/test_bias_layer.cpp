// Bias layer: learned and second-bottom biases, in-place use, gradient checks
// and errors.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

template <typename Dtype>
class BiasLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(BiasLayerTest, TestDtypes);

TYPED_TEST(BiasLayerTest, ByHand) {
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

TYPED_TEST(BiasLayerTest, BadParametersAndGradient) {
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

}  // namespace caffe
