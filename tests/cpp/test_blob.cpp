// Blob: shapes and counts, bad shapes, proto round trip (with the legacy
// 4-D fields), update and norms, shared data.
#include <gtest/gtest.h>

#include "caffe/blob.hpp"

namespace caffe {

template <typename Dtype>
class BlobTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(BlobTest, Dtypes);

TYPED_TEST(BlobTest, ReshapeAndCounts) {
  Blob<TypeParam> blob(2, 3, 4, 5);
  EXPECT_EQ(blob.count(), 120);
  EXPECT_EQ(blob.count(1), 60);
  EXPECT_EQ(blob.count(1, 3), 12);
  EXPECT_EQ(blob.shape(-1), 5);
  EXPECT_EQ(blob.offset(1, 2, 3, 4), 119);
  blob.Reshape(vector<int>{7});
  EXPECT_EQ(blob.num_axes(), 1);
  EXPECT_EQ(blob.num(), 7);
  EXPECT_EQ(blob.channels(), 1);
}

TYPED_TEST(BlobTest, BadShapesThrow) {
  Blob<TypeParam> blob;
  EXPECT_THROW(blob.Reshape(vector<int>{2, -1}), ShapeError);
  EXPECT_THROW(blob.Reshape(vector<int>(33, 1)), ShapeError);
  EXPECT_THROW(blob.Reshape(vector<int>{1 << 16, 1 << 16}), ShapeError);
  blob.Reshape(vector<int>{2, 3});
  EXPECT_THROW(blob.CanonicalAxisIndex(2), ConfigError);
  EXPECT_EQ(blob.CanonicalAxisIndex(-2), 0);
}

TYPED_TEST(BlobTest, ProtoRoundTripAndLegacyShape) {
  Blob<TypeParam> blob(vector<int>{2, 3});
  for (int i = 0; i < 6; ++i) blob.mutable_cpu_data()[i] = i * 0.5;
  BlobProto proto;
  blob.ToProto(&proto);
  Blob<TypeParam> copy;
  copy.FromProto(proto);
  EXPECT_EQ(copy.shape(), blob.shape());
  for (int i = 0; i < 6; ++i) EXPECT_EQ(copy.cpu_data()[i], blob.cpu_data()[i]);

  BlobProto legacy;
  legacy.set_num(1);
  legacy.set_channels(1);
  legacy.set_height(2);
  legacy.set_width(3);
  for (int i = 0; i < 6; ++i) legacy.add_data(i);
  copy.FromProto(legacy);
  EXPECT_EQ(copy.shape(), (vector<int>{1, 1, 2, 3}));
  Blob<TypeParam> two_d(vector<int>{2, 3});
  EXPECT_TRUE(two_d.ShapeEquals(legacy));  // legacy dims count from the end
  EXPECT_NO_THROW(two_d.FromProto(legacy, false));
  legacy.set_width(4);
  EXPECT_THROW(two_d.FromProto(legacy, false), ShapeError);
}

TYPED_TEST(BlobTest, UpdateAndNorms) {
  Blob<TypeParam> blob(vector<int>{4});
  for (int i = 0; i < 4; ++i) {
    blob.mutable_cpu_data()[i] = i - 1;  // -1 0 1 2
    blob.mutable_cpu_diff()[i] = 1;
  }
  EXPECT_NEAR(blob.asum_data(), 4, 1e-6);
  EXPECT_NEAR(blob.sumsq_data(), 6, 1e-6);
  blob.Update();
  EXPECT_EQ(blob.cpu_data()[0], -2);
  EXPECT_EQ(blob.cpu_data()[3], 1);
}

TYPED_TEST(BlobTest, ShareDataAliases) {
  Blob<TypeParam> a(vector<int>{3}), b(vector<int>{3});
  b.ShareData(a);
  a.mutable_cpu_data()[1] = 5;
  EXPECT_EQ(b.cpu_data()[1], 5);
}

}  // namespace caffe
