// EuclideanLoss, SigmoidCrossEntropyLoss, HingeLoss, ContrastiveLoss and
// MultinomialLogisticLoss: hand-computed values, gradients, normalization,
// ignore_label, bad inputs, and the upstream fixtures. The softmax-based
// losses are in test_softmax_layers.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "neuron_loss_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

using test::MakeLayer;
using test::Param;

template <typename Dtype>
class LossLayersTest : public ::testing::Test {
 protected:
  LossLayersTest() {
    Caffe::set_random_seed(1701);
    top_vec_ = {&loss_};
  }

  Dtype Forward(const LayerParameter& param, const vector<Blob<Dtype>*>& bottom) {
    auto layer = MakeLayer<Dtype>(param);
    layer->SetUp(bottom, top_vec_);
    layer->Forward(bottom, top_vec_);
    return loss_.cpu_data()[0];
  }

  void CheckGradient(const LayerParameter& param, const vector<Blob<Dtype>*>& bottom,
                     int check_bottom, Dtype step = 1e-2) {
    auto layer = MakeLayer<Dtype>(param);
    GradientChecker<Dtype> checker(step, 1e-3);
    checker.CheckGradient(layer.get(), bottom, top_vec_, check_bottom);
  }

  Blob<Dtype> loss_;
  vector<Blob<Dtype>*> top_vec_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(LossLayersTest, Dtypes);

// ---- shared LossLayer behaviour ---------------------------------------------

TYPED_TEST(LossLayersTest, DefaultLossWeightAndScalarTop) {
  Blob<TypeParam> a(vector<int>{2, 3}), b(vector<int>{2, 3});
  vector<Blob<TypeParam>*> bottom{&a, &b};
  auto layer = MakeLayer<TypeParam>(Param("EuclideanLoss"));
  EXPECT_TRUE(layer->AutoTopBlobs());
  layer->SetUp(bottom, this->top_vec_);
  EXPECT_EQ(layer->loss(0), TypeParam(1));
  EXPECT_EQ(this->loss_.num_axes(), 0);
  EXPECT_EQ(this->loss_.cpu_diff()[0], TypeParam(1));
  auto weighted = MakeLayer<TypeParam>(Param("EuclideanLoss", "loss_weight: 3"));
  weighted->SetUp(bottom, this->top_vec_);
  EXPECT_EQ(weighted->loss(0), TypeParam(3));
}

TYPED_TEST(LossLayersTest, FirstDimensionMismatchNamesLayerAndShapes) {
  Blob<TypeParam> a(vector<int>{2, 3}), b(vector<int>{3, 2});
  vector<Blob<TypeParam>*> bottom{&a, &b};
  try {
    MakeLayer<TypeParam>(Param("EuclideanLoss"))->SetUp(bottom, this->top_vec_);
    ADD_FAILURE() << "mismatched shapes were accepted";
  } catch (const ShapeError& error) {
    const string message = error.what();
    EXPECT_NE(message.find("'under_test' (EuclideanLoss)"), string::npos) << message;
    EXPECT_NE(message.find("2 3 (6)"), string::npos) << message;
    EXPECT_NE(message.find("3 2 (6)"), string::npos) << message;
  }
}

// ---- EuclideanLoss ----------------------------------------------------------

TYPED_TEST(LossLayersTest, EuclideanValueAndGradient) {
  Blob<TypeParam> a, b;
  test::SetBlob(&a, {2, 2}, {1, 2, 3, 4});
  test::SetBlob(&b, {2, 2}, {0, 2, 5, 1});
  vector<Blob<TypeParam>*> bottom{&a, &b};
  // (1 + 0 + 4 + 9) / 2 items / 2
  EXPECT_NEAR(this->Forward(Param("EuclideanLoss"), bottom), 3.5, 1e-6);
  Blob<TypeParam> x(vector<int>{3, 2, 2}), y(vector<int>{3, 4});
  caffe_rng_gaussian<TypeParam>(x.count(), 0, 1, x.mutable_cpu_data());
  caffe_rng_gaussian<TypeParam>(y.count(), 0, 1, y.mutable_cpu_data());
  // Both inputs are real-valued and take gradients.
  auto layer = MakeLayer<TypeParam>(Param("EuclideanLoss"));
  EXPECT_TRUE(layer->AllowForceBackward(1));
  this->CheckGradient(Param("EuclideanLoss"), {&x, &y}, -1);
}

TYPED_TEST(LossLayersTest, EuclideanShapeMismatch) {
  Blob<TypeParam> a(vector<int>{2, 3}), b(vector<int>{2, 4});
  vector<Blob<TypeParam>*> bottom{&a, &b};
  EXPECT_THROW(MakeLayer<TypeParam>(Param("EuclideanLoss"))->SetUp(bottom, this->top_vec_),
               ShapeError);
}

TYPED_TEST(LossLayersTest, EuclideanReference) {
  CheckReferenceLayerCase<TypeParam>("euclidean_loss");
}

// ---- SigmoidCrossEntropyLoss ------------------------------------------------

namespace {
// -[t log s + (1 - t) log(1 - s)], s = sigmoid(x), in a form exact for large |x|.
double DirectCrossEntropy(double x, double t) {
  const double log_s = -std::log1p(std::exp(-std::fabs(x))) + std::min(x, 0.0);
  const double log_1_minus_s = log_s - x;
  return -(t * log_s + (1 - t) * log_1_minus_s);
}
}  // namespace

TYPED_TEST(LossLayersTest, SigmoidCrossEntropyValuesAndDefaultNormalization) {
  Blob<TypeParam> x, t;
  test::SetBlob(&x, {2, 3}, {0.5, -1, 2, 60, -60, 0});
  test::SetBlob(&t, {2, 3}, {1, 0, 0.3, 0, 1, 1});
  vector<Blob<TypeParam>*> bottom{&x, &t};
  double sum = 0;
  for (int i = 0; i < 6; ++i) sum += DirectCrossEntropy(x.cpu_data()[i], t.cpu_data()[i]);
  // No normalization given: BATCH_SIZE (2 items), not VALID.
  test::ExpectNearRelative(this->Forward(Param("SigmoidCrossEntropyLoss"), bottom), sum / 2,
                           1e-5);
  test::ExpectNearRelative(
      this->Forward(Param("SigmoidCrossEntropyLoss", "loss_param { normalization: FULL }"),
                    bottom),
      sum / 6, 1e-5);
  test::ExpectNearRelative(
      this->Forward(Param("SigmoidCrossEntropyLoss", "loss_param { normalize: true }"), bottom),
      sum / 6, 1e-5);
  test::ExpectNearRelative(
      this->Forward(Param("SigmoidCrossEntropyLoss", "loss_param { normalization: NONE }"),
                    bottom),
      sum, 1e-5);
}

TYPED_TEST(LossLayersTest, SigmoidCrossEntropyIgnoreLabel) {
  Blob<TypeParam> x, t;
  test::SetBlob(&x, {2, 2}, {0.5, -1, 2, 3});
  test::SetBlob(&t, {2, 2}, {1, -1, 0, -1});
  vector<Blob<TypeParam>*> bottom{&x, &t};
  const double kept = DirectCrossEntropy(0.5, 1) + DirectCrossEntropy(2, 0);
  test::ExpectNearRelative(
      this->Forward(Param("SigmoidCrossEntropyLoss",
                          "loss_param { ignore_label: -1 normalization: VALID }"),
                    bottom),
      kept / 2, 1e-5);
  auto layer = MakeLayer<TypeParam>(Param("SigmoidCrossEntropyLoss", "loss_param { ignore_label: -1 }"));
  layer->SetUp(bottom, this->top_vec_);
  layer->Forward(bottom, this->top_vec_);
  test::ExpectNearRelative(this->loss_.cpu_data()[0], kept / 2, 1e-5);
  layer->Backward(this->top_vec_, {true, false}, bottom);
  EXPECT_EQ(x.cpu_diff()[1], 0);
  EXPECT_EQ(x.cpu_diff()[3], 0);
  EXPECT_NEAR(x.cpu_diff()[0], (1 / (1 + std::exp(-0.5)) - 1) / 2, 1e-6);
}

TYPED_TEST(LossLayersTest, SigmoidCrossEntropyGradient) {
  Blob<TypeParam> x(vector<int>{3, 4}), t(vector<int>{3, 4});
  caffe_rng_gaussian<TypeParam>(x.count(), 0, 2, x.mutable_cpu_data());
  caffe_rng_uniform<TypeParam>(t.count(), 0, 1, t.mutable_cpu_data());
  this->CheckGradient(Param("SigmoidCrossEntropyLoss"), {&x, &t}, 0);
  this->CheckGradient(Param("SigmoidCrossEntropyLoss", "loss_param { normalization: FULL }"),
                      {&x, &t}, 0);
}

TYPED_TEST(LossLayersTest, SigmoidCrossEntropyCountMismatch) {
  Blob<TypeParam> x(vector<int>{2, 3}), t(vector<int>{2, 2});
  vector<Blob<TypeParam>*> bottom{&x, &t};
  EXPECT_THROW(MakeLayer<TypeParam>(Param("SigmoidCrossEntropyLoss"))->SetUp(bottom,
                                                                             this->top_vec_),
               ShapeError);
}

// ---- HingeLoss --------------------------------------------------------------

TYPED_TEST(LossLayersTest, HingeValues) {
  Blob<TypeParam> x, label;
  test::SetBlob(&x, {2, 3}, {0.5, -2, 0.3, 1.5, 0.2, -0.4});
  test::SetBlob(&label, {2}, {0, 2});
  vector<Blob<TypeParam>*> bottom{&x, &label};
  // Item 0 (label 0): margins 0.5, 0, 1.3. Item 1 (label 2): 2.5, 1.2, 1.4.
  EXPECT_NEAR(this->Forward(Param("HingeLoss"), bottom), (1.8 + 5.1) / 2, 1e-5);
  EXPECT_NEAR(this->Forward(Param("HingeLoss", "hinge_loss_param { norm: L2 }"), bottom),
              (0.25 + 1.69 + 6.25 + 1.44 + 1.96) / 2, 1e-5);
}

TYPED_TEST(LossLayersTest, HingeGradient) {
  Blob<TypeParam> x(vector<int>{4, 5}), label(vector<int>{4});
  caffe_rng_gaussian<TypeParam>(x.count(), 0, 2, x.mutable_cpu_data());
  // Keep the scores away from the hinge points +-1.
  for (int i = 0; i < x.count(); ++i) {
    TypeParam& v = x.mutable_cpu_data()[i];
    if (std::fabs(std::fabs(v) - 1) < 0.05) v += 0.2;
  }
  test::FillLabels(&label, 5);
  this->CheckGradient(Param("HingeLoss"), {&x, &label}, 0);
  this->CheckGradient(Param("HingeLoss", "hinge_loss_param { norm: L2 }"), {&x, &label}, 0);
}

TYPED_TEST(LossLayersTest, HingeBadLabels) {
  Blob<TypeParam> x(vector<int>{2, 3}), label;
  test::SetBlob(&label, {2}, {0, 3});
  vector<Blob<TypeParam>*> bottom{&x, &label};
  EXPECT_THROW(this->Forward(Param("HingeLoss"), bottom), DataError);
  Blob<TypeParam> two_per_item(vector<int>{2, 2});
  vector<Blob<TypeParam>*> bad{&x, &two_per_item};
  EXPECT_THROW(this->Forward(Param("HingeLoss"), bad), ShapeError);
}

TYPED_TEST(LossLayersTest, HingeReference) { CheckReferenceLayerCase<TypeParam>("hinge_l1"); }

// ---- ContrastiveLoss --------------------------------------------------------

TYPED_TEST(LossLayersTest, ContrastiveValues) {
  Blob<TypeParam> a, b, similar;
  test::SetBlob(&a, {2, 2, 1, 1}, {1, 0, 0, 0});
  test::SetBlob(&b, {2, 2, 1, 1}, {0, 0, 0, 0.5});
  test::SetBlob(&similar, {2, 1, 1, 1}, {1, 0});
  vector<Blob<TypeParam>*> bottom{&a, &b, &similar};
  // Similar pair: d^2 = 1. Dissimilar pair: d = 0.5, (1 - 0.5)^2 = 0.25.
  EXPECT_NEAR(this->Forward(Param("ContrastiveLoss"), bottom), (1 + 0.25) / 4, 1e-6);
  // Legacy: max(margin - d^2, 0) = 0.75.
  EXPECT_NEAR(this->Forward(Param("ContrastiveLoss",
                                  "contrastive_loss_param { legacy_version: true }"),
                            bottom),
              (1 + 0.75) / 4, 1e-6);
  // Beyond the margin a dissimilar pair costs nothing.
  EXPECT_NEAR(this->Forward(Param("ContrastiveLoss", "contrastive_loss_param { margin: 0.4 }"),
                            bottom),
              1.0 / 4, 1e-6);
}

TYPED_TEST(LossLayersTest, ContrastiveGradient) {
  Blob<TypeParam> a(vector<int>{6, 3, 1, 1}), b(vector<int>{6, 3, 1, 1});
  Blob<TypeParam> similar(vector<int>{6, 1, 1, 1});
  caffe_rng_gaussian<TypeParam>(a.count(), 0, 0.6, a.mutable_cpu_data());
  caffe_rng_gaussian<TypeParam>(b.count(), 0, 0.6, b.mutable_cpu_data());
  test::FillLabels(&similar, 2);
  const vector<Blob<TypeParam>*> bottom{&a, &b, &similar};
  for (const char* text : {"contrastive_loss_param { margin: 1.5 }",
                           "contrastive_loss_param { margin: 1.5 legacy_version: true }"}) {
    SCOPED_TRACE(text);
    this->CheckGradient(Param("ContrastiveLoss", text), bottom, 0);
    this->CheckGradient(Param("ContrastiveLoss", text), bottom, 1);
  }
}

TYPED_TEST(LossLayersTest, ContrastiveShapesAndLabelGradient) {
  Blob<TypeParam> a(vector<int>{2, 3, 1, 1}), b(vector<int>{2, 4, 1, 1});
  Blob<TypeParam> similar(vector<int>{2, 1, 1, 1});
  vector<Blob<TypeParam>*> bad{&a, &b, &similar};
  EXPECT_THROW(MakeLayer<TypeParam>(Param("ContrastiveLoss"))->SetUp(bad, this->top_vec_),
               ShapeError);
  Blob<TypeParam> c(vector<int>{2, 3, 1, 1});
  vector<Blob<TypeParam>*> bottom{&a, &c, &similar};
  auto layer = MakeLayer<TypeParam>(Param("ContrastiveLoss"));
  EXPECT_TRUE(layer->AllowForceBackward(1));
  EXPECT_FALSE(layer->AllowForceBackward(2));
  layer->SetUp(bottom, this->top_vec_);
  layer->Forward(bottom, this->top_vec_);
  EXPECT_THROW(layer->Backward(this->top_vec_, {true, true, true}, bottom), ConfigError);
}

TYPED_TEST(LossLayersTest, ContrastiveReference) {
  CheckReferenceLayerCase<TypeParam>("contrastive");
}

// ---- MultinomialLogisticLoss ------------------------------------------------

TYPED_TEST(LossLayersTest, MultinomialLogisticValues) {
  Blob<TypeParam> prob, label;
  test::SetBlob(&prob, {2, 3}, {0.2, 0.5, 0.3, 0.6, 0.1, 0.3});
  test::SetBlob(&label, {2, 1, 1, 1}, {1, 0});
  vector<Blob<TypeParam>*> bottom{&prob, &label};
  EXPECT_NEAR(this->Forward(Param("MultinomialLogisticLoss"), bottom),
              -(std::log(0.5) + std::log(0.6)) / 2, 1e-6);
  // A zero probability is floored at 1e-20 instead of giving infinity.
  prob.mutable_cpu_data()[1] = 0;
  EXPECT_NEAR(this->Forward(Param("MultinomialLogisticLoss"), bottom),
              -(std::log(1e-20) + std::log(0.6)) / 2, 1e-4);
}

TYPED_TEST(LossLayersTest, MultinomialLogisticGradient) {
  Blob<TypeParam> prob(vector<int>{3, 4}), label(vector<int>{3, 1, 1, 1});
  caffe_rng_uniform<TypeParam>(prob.count(), 0.3, 1, prob.mutable_cpu_data());
  test::FillLabels(&label, 4);
  this->CheckGradient(Param("MultinomialLogisticLoss"), {&prob, &label}, 0, 2e-3);
}

TYPED_TEST(LossLayersTest, MultinomialLogisticBadLabels) {
  Blob<TypeParam> prob(vector<int>{2, 3}), label;
  caffe_set(prob.count(), TypeParam(0.5), prob.mutable_cpu_data());
  test::SetBlob(&label, {2, 1, 1, 1}, {1, -1});
  vector<Blob<TypeParam>*> bottom{&prob, &label};
  EXPECT_THROW(this->Forward(Param("MultinomialLogisticLoss"), bottom), DataError);
  Blob<TypeParam> wide(vector<int>{2, 2});
  vector<Blob<TypeParam>*> bad{&prob, &wide};
  EXPECT_THROW(this->Forward(Param("MultinomialLogisticLoss"), bad), ShapeError);
}

}  // namespace caffe
