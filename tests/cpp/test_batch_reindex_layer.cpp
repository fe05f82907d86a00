// BatchReindex layer: gather forward, scatter-add backward, bad indices and a
// gradient check.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

template <typename Dtype>
class BatchReindexLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(BatchReindexLayerTest, TestDtypes);

TYPED_TEST(BatchReindexLayerTest, GathersAndScatters) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{3, 2}), index(vector<int>{4}), top;
  SetData(&data, {0, 1, 10, 11, 20, 21});
  SetData(&index, {2, 0, 2, 1.7});
  vector<Blob<Dtype>*> bottoms{&data, &index}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'BatchReindex'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2}));
  ExpectValues(top.cpu_data(), {20, 21, 0, 1, 20, 21, 10, 11});
  SetDiff(&top, {1, 2, 3, 4, 5, 6, 7, 8});
  layer->Backward(tops, {true, false}, bottoms);
  ExpectValues(data.cpu_diff(), {3, 4, 7, 8, 6, 8});
  EXPECT_THROW(layer->Backward(tops, {true, true}, bottoms), ConfigError);

  SetData(&index, {0, 3, 1, 1});
  EXPECT_THROW(layer->Forward(bottoms, tops), DataError);
  SetData(&index, {0, -0.5, 1, 1});
  EXPECT_THROW(layer->Forward(bottoms, tops), DataError);
  Blob<Dtype> index_2d(vector<int>{2, 2});
  vector<Blob<Dtype>*> bad{&data, &index_2d};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'BatchReindex'")->SetUp(bad, tops), ShapeError);
}

TYPED_TEST(BatchReindexLayerTest, Gradient) {
  typedef TypeParam Dtype;
  auto data = RandomBlob<Dtype>({4, 2, 2}, 12);
  Blob<Dtype> index(vector<int>{5}), top;
  SetData(&index, {3, 0, 3, 2, 3});
  auto layer = MakeLayer<Dtype>("type: 'BatchReindex'");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {data.get(), &index}, {&top}, 0);
}

}  // namespace caffe
