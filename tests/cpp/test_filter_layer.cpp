// Filter layer: selected items and their gradients, empty selections, bad shapes
// and a gradient check.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

template <typename Dtype>
class FilterLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(FilterLayerTest, TestDtypes);

TYPED_TEST(FilterLayerTest, KeepsSelectedItems) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{4, 2}), labels(vector<int>{4}), selector(vector<int>{4, 1});
  Blob<Dtype> top_data, top_labels;
  SetData(&data, {0, 1, 10, 11, 20, 21, 30, 31});
  SetData(&labels, {5, 6, 7, 8});
  SetData(&selector, {0, 1, 0, 1});
  vector<Blob<Dtype>*> bottoms{&data, &labels, &selector}, tops{&top_data, &top_labels};
  auto layer = MakeLayer<Dtype>("type: 'Filter'");
  layer->SetUp(bottoms, tops);
  // Before the first Forward the selector is not trusted: all items.
  EXPECT_EQ(top_data.shape(), (vector<int>{4, 2}));
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top_data.shape(), (vector<int>{2, 2}));
  EXPECT_EQ(top_labels.shape(), (vector<int>{2}));
  ExpectValues(top_data.cpu_data(), {10, 11, 30, 31});
  ExpectValues(top_labels.cpu_data(), {6, 8});
  SetDiff(&top_data, {1, 2, 3, 4});
  caffe_set(data.count(), Dtype(9), data.mutable_cpu_diff());
  layer->Backward(tops, {true, false, false}, bottoms);
  ExpectValues(data.cpu_diff(), {0, 0, 1, 2, 0, 0, 3, 4});
  EXPECT_THROW(layer->Backward(tops, {true, false, true}, bottoms), ConfigError);
  EXPECT_FALSE(layer->AllowForceBackward(2));
  EXPECT_TRUE(layer->AllowForceBackward(0));
  auto named = MakeLayer<Dtype>("type: 'Filter' bottom: 'x' bottom: 'keep' top: 'y'");
  EXPECT_FALSE(named->AllowForceBackward(1));
  EXPECT_TRUE(named->AllowForceBackward(0));

  // Nothing selected: empty tops, zero gradients.
  SetData(&selector, {0, 0, 0, 0});
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top_data.shape(), (vector<int>{0, 2}));
  layer->Backward(tops, {true, false, false}, bottoms);
  EXPECT_EQ(data.asum_diff(), Dtype(0));
}

TYPED_TEST(FilterLayerTest, BadShapes) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{4, 2}), selector(vector<int>{3}), wide(vector<int>{4, 2});
  Blob<Dtype> top, extra;
  vector<Blob<Dtype>*> mismatched{&data, &selector}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(mismatched, tops), ShapeError);
  vector<Blob<Dtype>*> wide_selector{&data, &wide};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(wide_selector, tops), ShapeError);
  vector<Blob<Dtype>*> too_many_tops{&top, &extra};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(wide_selector, too_many_tops),
               ConfigError);
}

TYPED_TEST(FilterLayerTest, Gradient) {
  typedef TypeParam Dtype;
  auto data = RandomBlob<Dtype>({5, 3}, 11);
  Blob<Dtype> selector(vector<int>{5}), top;
  SetData(&selector, {1, 0, 1, 1, 0});
  auto layer = MakeLayer<Dtype>("type: 'Filter'");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {data.get(), &selector}, {&top}, 0);
}

}  // namespace caffe
