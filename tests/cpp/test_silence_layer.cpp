// Silence layer: consumes bottoms, zeroes the diffs asked for, has no tops.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"

namespace caffe {

template <typename Dtype>
class SilenceLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(SilenceLayerTest, TestDtypes);

TYPED_TEST(SilenceLayerTest, ZeroesDiffs) {
  typedef TypeParam Dtype;
  auto a = RandomBlob<Dtype>({2, 3}, 13);
  auto b = RandomBlob<Dtype>({4}, 14);
  caffe_set(a->count(), Dtype(5), a->mutable_cpu_diff());
  caffe_set(b->count(), Dtype(5), b->mutable_cpu_diff());
  vector<Blob<Dtype>*> bottoms{a.get(), b.get()}, tops;
  auto layer = MakeLayer<Dtype>("type: 'Silence'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  layer->Backward(tops, {true, false}, bottoms);
  EXPECT_EQ(a->asum_diff(), Dtype(0));
  EXPECT_EQ(b->asum_diff(), Dtype(20));
  Blob<Dtype> top;
  vector<Blob<Dtype>*> one_top{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Silence'")->SetUp(bottoms, one_top), ConfigError);
}

}  // namespace caffe
