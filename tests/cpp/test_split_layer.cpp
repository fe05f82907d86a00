// Split layer: shared data, summed diffs, no in-place use, gradient check.
#include <gtest/gtest.h>

#include <vector>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

template <typename Dtype>
class SplitLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(SplitLayerTest, TestDtypes);

TYPED_TEST(SplitLayerTest, SharesDataAndSumsDiffs) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3}, 1);
  Blob<Dtype> t0, t1, t2;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&t0, &t1, &t2};
  auto layer = MakeLayer<Dtype>("type: 'Split'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  for (Blob<Dtype>* t : tops) {
    EXPECT_EQ(t->shape(), bottom->shape());
    EXPECT_EQ(t->cpu_data(), bottom->cpu_data());
  }
  for (int i = 0; i < 6; ++i) {
    t0.mutable_cpu_diff()[i] = i;
    t1.mutable_cpu_diff()[i] = 10 * i;
    t2.mutable_cpu_diff()[i] = 100 * i;
  }
  layer->Backward(tops, {true}, bottoms);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(bottom->cpu_diff()[i], Dtype(111 * i));
}

TYPED_TEST(SplitLayerTest, RejectsInPlace) {
  auto bottom = RandomBlob<TypeParam>({2, 3}, 1);
  Blob<TypeParam> other;
  vector<Blob<TypeParam>*> bottoms{bottom.get()}, tops{&other, bottom.get()};
  EXPECT_THROW(MakeLayer<TypeParam>("type: 'Split'")->SetUp(bottoms, tops), ConfigError);
}

TYPED_TEST(SplitLayerTest, Gradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 2);
  Blob<TypeParam> t0, t1;
  auto layer = MakeLayer<TypeParam>("type: 'Split'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&t0, &t1});
}

}  // namespace caffe
