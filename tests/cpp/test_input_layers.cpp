// Layers that make tops without bottoms: Input (shapes), Parameter (its blob as
// a top) and DummyData (fillers, refilling, legacy shapes, errors).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "layer_test_helpers.hpp"

namespace caffe {

template <typename Dtype>
class InputLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(InputLayerTest, TestDtypes);

TYPED_TEST(InputLayerTest, Shapes) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 2 dim: 3 } }")->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 4 } shape { dim: 1 dim: 5 } }")
      ->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{4}));
  EXPECT_EQ(t1.shape(), (vector<int>{1, 5}));
  Blob<Dtype> t2;
  vector<Blob<Dtype>*> three{&t0, &t1, &t2};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 4 } shape { dim: 5 } }")
                   ->SetUp(none, three),
               ConfigError);
}

template <typename Dtype>
class ParameterLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(ParameterLayerTest, TestDtypes);

TYPED_TEST(ParameterLayerTest, ExposesItsBlob) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  vector<Blob<Dtype>*> none, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Parameter' parameter_param { shape { dim: 2 dim: 3 } }");
  layer->SetUp(none, tops);
  ASSERT_EQ(layer->blobs().size(), 1u);
  EXPECT_EQ(layer->blobs()[0]->shape(), (vector<int>{2, 3}));
  EXPECT_EQ(layer->blobs()[0]->asum_data(), Dtype(0));
  layer->blobs()[0]->mutable_cpu_data()[4] = 7;
  layer->Forward(none, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(top.cpu_data()[4], Dtype(7));
  top.mutable_cpu_diff()[1] = 3;
  layer->Backward(tops, {}, none);
  EXPECT_EQ(layer->blobs()[0]->cpu_diff()[1], Dtype(3));
}

TYPED_TEST(ParameterLayerTest, RejectsLoadedBlobOfOtherShape) {
  typedef TypeParam Dtype;
  LayerParameter param;
  param.set_type("Parameter");
  param.mutable_parameter_param()->mutable_shape()->add_dim(3);
  BlobProto* stored = param.add_blobs();
  stored->mutable_shape()->add_dim(4);
  for (int i = 0; i < 4; ++i) stored->add_data(i);
  auto layer = LayerRegistry<Dtype>::CreateLayer(param);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> none, tops{&top};
  EXPECT_THROW(layer->SetUp(none, tops), ShapeError);
}

template <typename Dtype>
class DummyDataLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(DummyDataLayerTest, TestDtypes);

TYPED_TEST(DummyDataLayerTest, ConstantFilledOnceAtSetup) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>(
      "type: 'DummyData' dummy_data_param { shape { dim: 2 dim: 3 } "
      "data_filler { type: 'constant' value: 2.5 } }");
  layer->SetUp(none, tops);
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(t0.asum_data(), Dtype(15));
  EXPECT_EQ(t1.asum_data(), Dtype(15));
  // Constant tops are not refilled, as upstream.
  t0.mutable_cpu_data()[0] = -1;
  layer->Forward(none, tops);
  EXPECT_EQ(t0.cpu_data()[0], Dtype(-1));
}

TYPED_TEST(DummyDataLayerTest, RandomRefilledEveryForward) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>(
      "type: 'DummyData' dummy_data_param { num: 2 channels: 3 height: 1 width: 4 "
      "num: 1 channels: 1 height: 1 width: 1 "
      "data_filler { type: 'uniform' min: 1 max: 2 } data_filler { type: 'constant' value: 7 } }");
  layer->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 3, 1, 4}));
  EXPECT_EQ(t1.shape(), (vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(t1.cpu_data()[0], Dtype(7));
  // The uniform top is untouched (zero) until the first Forward.
  EXPECT_EQ(t0.asum_data(), Dtype(0));
  layer->Forward(none, tops);
  vector<Dtype> first(t0.cpu_data(), t0.cpu_data() + t0.count());
  for (Dtype v : first) {
    EXPECT_GE(v, Dtype(1));
    EXPECT_LE(v, Dtype(2));
  }
  layer->Forward(none, tops);
  EXPECT_NE(vector<Dtype>(t0.cpu_data(), t0.cpu_data() + t0.count()), first);
}

TYPED_TEST(DummyDataLayerTest, DefaultsToZeros) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  top.Reshape(vector<int>{3});
  caffe_set(3, Dtype(4), top.mutable_cpu_data());
  vector<Blob<Dtype>*> none, tops{&top};
  MakeLayer<Dtype>("type: 'DummyData' dummy_data_param { shape { dim: 3 } }")->SetUp(none, tops);
  EXPECT_EQ(top.asum_data(), Dtype(0));
}

TYPED_TEST(DummyDataLayerTest, BadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1, t2;
  vector<Blob<Dtype>*> none, tops{&t0, &t1, &t2};
  auto setup = [&](const std::string& param) {
    MakeLayer<Dtype>("type: 'DummyData' dummy_data_param { " + param + " }")->SetUp(none, tops);
  };
  EXPECT_THROW(setup(""), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } shape { dim: 2 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } num: 1 channels: 1 height: 1 width: 1"), ConfigError);
  EXPECT_THROW(setup("num: 1 num: 2 channels: 1 height: 1 width: 1"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } data_filler { } data_filler { }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } data_filler { type: 'nonsense' }"), ConfigError);
}

}  // namespace caffe
