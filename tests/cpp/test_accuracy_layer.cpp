// Accuracy layer: hand-checked values, top-k and tie rules, ignore_label, the
// per-class top, spatial axes, bad parameters and labels, the upstream fixture.
#include <gtest/gtest.h>

#include <vector>

#include "neuron_loss_helpers.hpp"
#include "util/reference_case.hpp"

namespace caffe {

using test::MakeLayer;
using test::Param;

template <typename Dtype>
class AccuracyLayerTest : public test::ForwardLayerTest<Dtype> {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(AccuracyLayerTest, Dtypes);

TYPED_TEST(AccuracyLayerTest, TopOneAndTopK) {
  Blob<TypeParam> scores, labels;
  test::SetBlob(&scores, {4, 3}, {0.1, 0.7, 0.2,    // best 1
                                  0.5, 0.3, 0.2,    // best 0, second 1
                                  0.2, 0.3, 0.5,    // best 2, second 1
                                  0.6, 0.1, 0.3});  // best 0, last 1
  test::SetBlob(&labels, {4}, {1, 1, 2, 1});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy"), bottom)[0], TypeParam(0.5));
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy", "accuracy_param { top_k: 2 }"), bottom)[0],
                   TypeParam(0.75));
  EXPECT_EQ(this->top_.num_axes(), 0);
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy", "accuracy_param { top_k: 3 }"), bottom)[0], 1);
}

TYPED_TEST(AccuracyLayerTest, TiesCountAgainstTheTrueClass) {
  Blob<TypeParam> scores, labels;
  test::SetBlob(&scores, {2, 3}, {0.4, 0.4, 0.2, 0.3, 0.3, 0.3});
  test::SetBlob(&labels, {2}, {0, 2});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  EXPECT_EQ(this->Run(Param("Accuracy"), bottom)[0], 0);
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy", "accuracy_param { top_k: 2 }"), bottom)[0],
                   TypeParam(0.5));
}

TYPED_TEST(AccuracyLayerTest, IgnoreLabelAndPerClassTop) {
  Blob<TypeParam> scores, labels, per_class;
  test::SetBlob(&scores, {5, 3}, {0.9, 0.1, 0.0,    // label 0, right
                                  0.2, 0.7, 0.1,    // label 0, wrong
                                  0.1, 0.8, 0.1,    // label 1, right
                                  0.3, 0.3, 0.4,    // label 2 ignored
                                  0.5, 0.4, 0.1});  // label 1, wrong
  test::SetBlob(&labels, {5}, {0, 0, 1, 2, 1});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  vector<Blob<TypeParam>*> tops{&this->top_, &per_class};
  const auto accuracy =
      this->Run(Param("Accuracy", "accuracy_param { ignore_label: 2 }"), bottom, tops);
  EXPECT_DOUBLE_EQ(accuracy[0], TypeParam(0.5));
  ASSERT_EQ(per_class.shape(), vector<int>{3});
  EXPECT_DOUBLE_EQ(per_class.cpu_data()[0], TypeParam(0.5));
  EXPECT_DOUBLE_EQ(per_class.cpu_data()[1], TypeParam(0.5));
  EXPECT_EQ(per_class.cpu_data()[2], 0);  // only ignored occurrences
}

TYPED_TEST(AccuracyLayerTest, NothingCountedGivesZero) {
  Blob<TypeParam> scores(vector<int>{2, 3}), labels;
  test::SetBlob(&labels, {2}, {1, 1});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  EXPECT_EQ(this->Run(Param("Accuracy", "accuracy_param { ignore_label: 1 }"), bottom)[0], 0);
}

TYPED_TEST(AccuracyLayerTest, SpatialAxis) {
  // N = 1, C = 2, H x W = 1 x 3: classes along axis 1, one label per pixel.
  Blob<TypeParam> scores, labels;
  test::SetBlob(&scores, {1, 2, 1, 3}, {0.9, 0.2, 0.6,    // class 0 per pixel
                                        0.1, 0.8, 0.4});  // class 1 per pixel
  test::SetBlob(&labels, {1, 1, 3}, {0, 1, 1});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy"), bottom)[0], TypeParam(2.0 / 3));
  // Classes along the last axis: 3 positions of 2 classes.
  Blob<TypeParam> last, last_labels;
  test::SetBlob(&last, {3, 2}, {0.9, 0.1, 0.2, 0.8, 0.6, 0.4});
  test::SetBlob(&last_labels, {3}, {0, 0, 0});
  vector<Blob<TypeParam>*> last_bottom{&last, &last_labels};
  EXPECT_DOUBLE_EQ(this->Run(Param("Accuracy", "accuracy_param { axis: -1 }"), last_bottom)[0],
                   TypeParam(2.0 / 3));
}

TYPED_TEST(AccuracyLayerTest, BadParametersAndLabels) {
  Blob<TypeParam> scores(vector<int>{2, 3}), labels;
  test::SetBlob(&labels, {2}, {0, 3});
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  EXPECT_THROW(this->Run(Param("Accuracy"), bottom), DataError);
  labels.mutable_cpu_data()[1] = 2;
  EXPECT_THROW(this->Run(Param("Accuracy", "accuracy_param { top_k: 4 }"), bottom), ConfigError);
  EXPECT_THROW(this->Run(Param("Accuracy", "accuracy_param { top_k: 0 }"), bottom), ConfigError);
  EXPECT_THROW(this->Run(Param("Accuracy", "accuracy_param { axis: 2 }"), bottom), ConfigError);
  Blob<TypeParam> too_many(vector<int>{3});
  vector<Blob<TypeParam>*> bad{&scores, &too_many};
  EXPECT_THROW(this->Run(Param("Accuracy"), bad), ShapeError);
  auto layer = MakeLayer<TypeParam>(Param("Accuracy"));
  layer->SetUp(bottom, this->top_vec_);
  EXPECT_THROW(layer->Backward(this->top_vec_, {true, false}, bottom), ConfigError);
}

TYPED_TEST(AccuracyLayerTest, Reference) {
  CheckReferenceLayerCase<TypeParam>("accuracy_top2");
}

}  // namespace caffe
