// ArgMax layer: flattened items and an axis, top_k, out_max_val, ties, and bad
// parameters.
#include <gtest/gtest.h>

#include <vector>

#include "neuron_loss_helpers.hpp"

namespace caffe {

using test::Param;

template <typename Dtype>
class ArgMaxLayerTest : public test::ForwardLayerTest<Dtype> {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(ArgMaxLayerTest, Dtypes);

TYPED_TEST(ArgMaxLayerTest, FlattenedItems) {
  Blob<TypeParam> x;
  test::SetBlob(&x, {2, 2, 2}, {0.1, 0.9, 0.3, 0.2,    // item 0: best index 1, then 2
                                0.5, 0.4, 0.7, 0.8});  // item 1: best 3, then 2
  vector<Blob<TypeParam>*> bottom{&x};
  auto y = this->Run(Param("ArgMax"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 1, 1}));
  EXPECT_EQ(y, (vector<double>{1, 3}));
  y = this->Run(Param("ArgMax", "argmax_param { top_k: 2 }"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 1, 2}));
  EXPECT_EQ(y, (vector<double>{1, 2, 3, 2}));
  // out_max_val without axis: indices, then values, per item.
  y = this->Run(Param("ArgMax", "argmax_param { top_k: 2 out_max_val: true }"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 2, 2}));
  const vector<double> expected{1, 2, 0.9, 0.3, 3, 2, 0.8, 0.7};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-6) << i;
}

TYPED_TEST(ArgMaxLayerTest, KeepsFourAxes) {
  Blob<TypeParam> x(vector<int>{2, 3, 1, 2});
  caffe_rng_gaussian<TypeParam>(x.count(), 0, 1, x.mutable_cpu_data());
  vector<Blob<TypeParam>*> bottom{&x};
  this->Run(Param("ArgMax"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 1, 1, 1}));
}

TYPED_TEST(ArgMaxLayerTest, AlongAxis) {
  Blob<TypeParam> x;
  test::SetBlob(&x, {2, 3}, {0.1, 0.9, 0.3,
                             0.5, 0.4, 0.7});
  vector<Blob<TypeParam>*> bottom{&x};
  auto y = this->Run(Param("ArgMax", "argmax_param { axis: 0 }"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{1, 3}));
  EXPECT_EQ(y, (vector<double>{1, 0, 1}));
  y = this->Run(Param("ArgMax", "argmax_param { axis: 1 top_k: 2 }"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 2}));
  EXPECT_EQ(y, (vector<double>{1, 2, 2, 0}));
  // With an axis, out_max_val gives the values only.
  y = this->Run(Param("ArgMax", "argmax_param { axis: -1 out_max_val: true }"), bottom);
  EXPECT_EQ(this->top_.shape(), (vector<int>{2, 1}));
  EXPECT_NEAR(y[0], 0.9, 1e-6);
  EXPECT_NEAR(y[1], 0.7, 1e-6);
}

TYPED_TEST(ArgMaxLayerTest, TiesPreferHigherIndex) {
  Blob<TypeParam> x;
  test::SetBlob(&x, {1, 4}, {0.5, 0.2, 0.5, 0.5});
  vector<Blob<TypeParam>*> bottom{&x};
  EXPECT_EQ(this->Run(Param("ArgMax", "argmax_param { top_k: 3 }"), bottom),
            (vector<double>{3, 2, 0}));
}

TYPED_TEST(ArgMaxLayerTest, BadParameters) {
  Blob<TypeParam> x(vector<int>{2, 3});
  vector<Blob<TypeParam>*> bottom{&x};
  EXPECT_THROW(this->Run(Param("ArgMax", "argmax_param { top_k: 4 }"), bottom), ConfigError);
  EXPECT_THROW(this->Run(Param("ArgMax", "argmax_param { top_k: 3 axis: 0 }"), bottom),
               ConfigError);
  EXPECT_THROW(this->Run(Param("ArgMax", "argmax_param { top_k: 0 }"), bottom), ConfigError);
  EXPECT_THROW(this->Run(Param("ArgMax", "argmax_param { axis: 2 }"), bottom), ConfigError);
}

}  // namespace caffe
