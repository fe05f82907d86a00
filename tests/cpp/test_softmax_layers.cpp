// Softmax, SoftmaxWithLoss and InfogainLoss: values against a direct
// computation, every normalization mode, ignore_label, gradients, bad inputs,
// and the upstream fixtures.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "neuron_loss_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

using test::MakeLayer;
using test::Param;

namespace {

// Softmax of scores laid out as outer x channels x inner, in double.
vector<double> DirectSoftmax(const vector<double>& x, int outer, int channels, int inner) {
  vector<double> p(x.size());
  for (int i = 0; i < outer; ++i) {
    for (int k = 0; k < inner; ++k) {
      double sum = 0;
      for (int c = 0; c < channels; ++c) sum += std::exp(x[(i * channels + c) * inner + k]);
      for (int c = 0; c < channels; ++c) {
        p[(i * channels + c) * inner + k] = std::exp(x[(i * channels + c) * inner + k]) / sum;
      }
    }
  }
  return p;
}

template <typename Dtype>
vector<double> Values(const Blob<Dtype>& blob) {
  return vector<double>(blob.cpu_data(), blob.cpu_data() + blob.count());
}

}  // namespace

template <typename Dtype>
class SoftmaxLayersTest : public ::testing::Test {
 protected:
  SoftmaxLayersTest() : scores_(vector<int>{2, 4, 2, 3}), labels_(vector<int>{2, 1, 2, 3}) {
    Caffe::set_random_seed(1701);
    caffe_rng_gaussian<Dtype>(scores_.count(), 0, 1, scores_.mutable_cpu_data());
    test::FillLabels(&labels_, 4);
    bottom_vec_ = {&scores_, &labels_};
    top_vec_ = {&loss_};
  }

  // Sum over positions of -log p[label] with the direct softmax, skipping
  // `ignore` when `use_ignore`; also returns the number of counted positions.
  double DirectLossSum(bool use_ignore, int ignore, int* valid) {
    const int outer = 2, channels = 4, inner = 6;
    const auto p = DirectSoftmax(Values(scores_), outer, channels, inner);
    double sum = 0;
    *valid = 0;
    for (int i = 0; i < outer; ++i) {
      for (int k = 0; k < inner; ++k) {
        const int label = static_cast<int>(labels_.cpu_data()[i * inner + k]);
        if (use_ignore && label == ignore) continue;
        sum -= std::log(p[(i * channels + label) * inner + k]);
        ++*valid;
      }
    }
    return sum;
  }

  Dtype ForwardLoss(const LayerParameter& param) {
    auto layer = MakeLayer<Dtype>(param);
    layer->SetUp(bottom_vec_, top_vec_);
    layer->Forward(bottom_vec_, top_vec_);
    return loss_.cpu_data()[0];
  }

  Blob<Dtype> scores_, labels_, loss_;
  vector<Blob<Dtype>*> bottom_vec_, top_vec_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(SoftmaxLayersTest, Dtypes);

// ---- Softmax ----------------------------------------------------------------

TYPED_TEST(SoftmaxLayersTest, SoftmaxMatchesDirectComputation) {
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottom{&this->scores_}, tops{&top};
  auto layer = MakeLayer<TypeParam>(Param("Softmax"));
  layer->SetUp(bottom, tops);
  layer->Forward(bottom, tops);
  const auto expected = DirectSoftmax(Values(this->scores_), 2, 4, 6);
  for (int i = 0; i < top.count(); ++i) EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-6);
  // Along the last axis instead.
  layer = MakeLayer<TypeParam>(Param("Softmax", "softmax_param { axis: -1 }"));
  layer->SetUp(bottom, tops);
  layer->Forward(bottom, tops);
  const auto last_axis = DirectSoftmax(Values(this->scores_), 2 * 4 * 2, 3, 1);
  for (int i = 0; i < top.count(); ++i) EXPECT_NEAR(top.cpu_data()[i], last_axis[i], 1e-6);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLargeInputsStayFinite) {
  Blob<TypeParam> bottom, top;
  test::SetBlob(&bottom, {1, 3}, {1000, 1001, -1000});
  vector<Blob<TypeParam>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<TypeParam>(Param("Softmax"));
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_NEAR(top.cpu_data()[0], 1 / (1 + std::exp(1.0)), 1e-6);
  EXPECT_NEAR(top.cpu_data()[1], 1 / (1 + std::exp(-1.0)), 1e-6);
  EXPECT_EQ(top.cpu_data()[2], 0);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxGradient) {
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottom{&this->scores_}, tops{&top};
  GradientChecker<TypeParam> checker;
  auto layer = MakeLayer<TypeParam>(Param("Softmax"));
  checker.CheckGradient(layer.get(), bottom, tops);
  layer = MakeLayer<TypeParam>(Param("Softmax", "softmax_param { axis: 3 }"));
  checker.CheckGradient(layer.get(), bottom, tops);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxInPlace) {
  Blob<TypeParam> copy, top;
  copy.CopyFrom(this->scores_, false, true);
  vector<Blob<TypeParam>*> bottom{&this->scores_}, tops{&top}, shared{&copy};
  auto separate = MakeLayer<TypeParam>(Param("Softmax"));
  auto in_place = MakeLayer<TypeParam>(Param("Softmax"));
  separate->SetUp(bottom, tops);
  in_place->SetUp(shared, shared);
  separate->Forward(bottom, tops);
  in_place->Forward(shared, shared);
  for (int i = 0; i < top.count(); ++i) {
    EXPECT_EQ(top.cpu_data()[i], copy.cpu_data()[i]);
    top.mutable_cpu_diff()[i] = copy.mutable_cpu_diff()[i] = TypeParam(0.01) * (i % 11);
  }
  separate->Backward(tops, {true}, bottom);
  in_place->Backward(shared, {true}, shared);
  for (int i = 0; i < top.count(); ++i) {
    EXPECT_NEAR(this->scores_.cpu_diff()[i], copy.cpu_diff()[i], 1e-7);
  }
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxBadAxis) {
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottom{&this->scores_}, tops{&top};
  auto layer = MakeLayer<TypeParam>(Param("Softmax", "softmax_param { axis: 4 }"));
  EXPECT_THROW(layer->SetUp(bottom, tops), ConfigError);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxReference) { CheckReferenceLayerCase<TypeParam>("softmax"); }

// ---- SoftmaxWithLoss --------------------------------------------------------

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossHandValue) {
  // Item 0: scores (1, 2, 3), label 2; item 1: equal scores, label 0.
  test::SetBlob(&this->scores_, {2, 3}, {1, 2, 3, 1, 1, 1});
  test::SetBlob(&this->labels_, {2}, {2, 0});
  const double item0 = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  const double item1 = std::log(3.0);
  test::ExpectNearRelative(this->ForwardLoss(Param("SoftmaxWithLoss")), (item0 + item1) / 2,
                           1e-6);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossNormalizationModes) {
  int valid = 0;
  const double all = this->DirectLossSum(false, 0, &valid);
  ASSERT_EQ(valid, 12);
  const double tolerance = 1e-5;
  // VALID is the default, and without ignore_label every position counts.
  test::ExpectNearRelative(this->ForwardLoss(Param("SoftmaxWithLoss")), all / 12, tolerance);

  const double kept = this->DirectLossSum(true, 1, &valid);
  ASSERT_GT(valid, 0);
  ASSERT_LT(valid, 12);
  const struct {
    const char* text;
    double divisor;
  } cases[] = {
      {"loss_param { ignore_label: 1 }", double(valid)},
      {"loss_param { ignore_label: 1 normalization: VALID }", double(valid)},
      {"loss_param { ignore_label: 1 normalization: FULL }", 12},
      {"loss_param { ignore_label: 1 normalization: BATCH_SIZE }", 2},
      {"loss_param { ignore_label: 1 normalization: NONE }", 1},
      // The legacy field: true = VALID, false = BATCH_SIZE ...
      {"loss_param { ignore_label: 1 normalize: true }", double(valid)},
      {"loss_param { ignore_label: 1 normalize: false }", 2},
      // ... unless normalization is given explicitly.
      {"loss_param { ignore_label: 1 normalize: false normalization: FULL }", 12},
  };
  for (const auto& c : cases) {
    test::ExpectNearRelative(this->ForwardLoss(Param("SoftmaxWithLoss", c.text)),
                             kept / c.divisor, tolerance, c.text);
  }
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossAllIgnoredIsZero) {
  caffe_set(this->labels_.count(), TypeParam(3), this->labels_.mutable_cpu_data());
  EXPECT_EQ(this->ForwardLoss(Param("SoftmaxWithLoss", "loss_param { ignore_label: 3 }")), 0);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossGradient) {
  GradientChecker<TypeParam> checker(1e-2, 1e-3);
  for (const char* text : {"", "loss_param { ignore_label: 2 normalization: FULL }",
                           "loss_param { normalization: BATCH_SIZE }",
                           "loss_param { ignore_label: 0 normalization: NONE }",
                           "loss_param { ignore_label: 1 }"}) {
    SCOPED_TRACE(text);
    auto layer = MakeLayer<TypeParam>(Param("SoftmaxWithLoss", text));
    checker.CheckGradient(layer.get(), this->bottom_vec_, this->top_vec_, 0);
  }
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossSpatialAxisGradient) {
  // Classes along the last axis: scores 2 x 3 x 4, labels 2 x 3.
  Blob<TypeParam> scores(vector<int>{2, 3, 4}), labels(vector<int>{2, 3});
  caffe_rng_gaussian<TypeParam>(scores.count(), 0, 1, scores.mutable_cpu_data());
  test::FillLabels(&labels, 4);
  vector<Blob<TypeParam>*> bottom{&scores, &labels};
  auto param = Param("SoftmaxWithLoss", "softmax_param { axis: -1 }");
  auto layer = MakeLayer<TypeParam>(param);
  layer->SetUp(bottom, this->top_vec_);
  layer->Forward(bottom, this->top_vec_);
  const auto p = DirectSoftmax(Values(scores), 6, 4, 1);
  double expected = 0;
  for (int i = 0; i < 6; ++i) expected -= std::log(p[i * 4 + int(labels.cpu_data()[i])]);
  test::ExpectNearRelative(this->loss_.cpu_data()[0], expected / 6, 1e-5);
  GradientChecker<TypeParam> checker;
  checker.CheckGradient(MakeLayer<TypeParam>(param).get(), bottom, this->top_vec_, 0);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossLossWeightScalesGradient) {
  auto layer = MakeLayer<TypeParam>(Param("SoftmaxWithLoss"));
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  EXPECT_EQ(layer->loss(0), TypeParam(1));  // the default loss weight
  const TypeParam loss = layer->Forward(this->bottom_vec_, this->top_vec_);
  layer->Backward(this->top_vec_, {true, false}, this->bottom_vec_);
  vector<double> unit_diff(this->scores_.cpu_diff(),
                           this->scores_.cpu_diff() + this->scores_.count());

  auto weighted = MakeLayer<TypeParam>(Param("SoftmaxWithLoss", "loss_weight: 2.5"));
  weighted->SetUp(this->bottom_vec_, this->top_vec_);
  test::ExpectNearRelative(weighted->Forward(this->bottom_vec_, this->top_vec_), 2.5 * loss,
                           1e-6);
  weighted->Backward(this->top_vec_, {true, false}, this->bottom_vec_);
  for (int i = 0; i < this->scores_.count(); ++i) {
    EXPECT_NEAR(this->scores_.cpu_diff()[i], 2.5 * unit_diff[i], 1e-6);
  }
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossProbabilityTop) {
  Blob<TypeParam> prob;
  vector<Blob<TypeParam>*> tops{&this->loss_, &prob};
  // Two tops need a loss weight each, as upstream.
  EXPECT_THROW(MakeLayer<TypeParam>(Param("SoftmaxWithLoss"))->SetUp(this->bottom_vec_, tops),
               ConfigError);
  auto layer = MakeLayer<TypeParam>(Param("SoftmaxWithLoss", "loss_weight: 1 loss_weight: 0"));
  layer->SetUp(this->bottom_vec_, tops);
  layer->Forward(this->bottom_vec_, tops);
  EXPECT_EQ(prob.shape(), this->scores_.shape());
  const auto expected = DirectSoftmax(Values(this->scores_), 2, 4, 6);
  for (int i = 0; i < prob.count(); ++i) EXPECT_NEAR(prob.cpu_data()[i], expected[i], 1e-6);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossBadInputs) {
  auto layer = MakeLayer<TypeParam>(Param("SoftmaxWithLoss"));
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  this->labels_.mutable_cpu_data()[3] = 4;
  try {
    layer->Forward(this->bottom_vec_, this->top_vec_);
    ADD_FAILURE() << "a label equal to the class count was accepted";
  } catch (const DataError& error) {
    EXPECT_NE(string(error.what()).find("under_test"), string::npos) << error.what();
    EXPECT_NE(string(error.what()).find("label 4"), string::npos) << error.what();
  }
  this->labels_.mutable_cpu_data()[3] = -1;
  EXPECT_THROW(layer->Forward(this->bottom_vec_, this->top_vec_), DataError);

  Blob<TypeParam> short_labels(vector<int>{2, 5});
  vector<Blob<TypeParam>*> bad_count{&this->scores_, &short_labels};
  try {
    MakeLayer<TypeParam>(Param("SoftmaxWithLoss"))->SetUp(bad_count, this->top_vec_);
    ADD_FAILURE() << "a label count mismatch was accepted";
  } catch (const ShapeError& error) {
    EXPECT_NE(string(error.what()).find("2 4 2 3"), string::npos) << error.what();
    EXPECT_NE(string(error.what()).find("2 5"), string::npos) << error.what();
  }
  Blob<TypeParam> other_batch(vector<int>{3, 6});
  vector<Blob<TypeParam>*> bad_batch{&this->scores_, &other_batch};
  EXPECT_THROW(MakeLayer<TypeParam>(Param("SoftmaxWithLoss"))->SetUp(bad_batch, this->top_vec_),
               ShapeError);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossRefusesLabelGradient) {
  auto layer = MakeLayer<TypeParam>(Param("SoftmaxWithLoss"));
  EXPECT_TRUE(layer->AllowForceBackward(0));
  EXPECT_FALSE(layer->AllowForceBackward(1));
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  EXPECT_THROW(layer->Backward(this->top_vec_, {true, true}, this->bottom_vec_), ConfigError);
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossReference) {
  CheckReferenceLayerCase<TypeParam>("softmax_loss");
}

TYPED_TEST(SoftmaxLayersTest, SoftmaxLossBatchSizeReference) {
  CheckReferenceLayerCase<TypeParam>("softmax_loss_batchsize");
}

// ---- InfogainLoss -----------------------------------------------------------

template <typename Dtype>
class InfogainLossTest : public SoftmaxLayersTest<Dtype> {
 protected:
  InfogainLossTest() : infogain_(vector<int>{4, 4}) {
    caffe_rng_uniform<Dtype>(infogain_.count(), 0, 1, infogain_.mutable_cpu_data());
    with_matrix_ = {&this->scores_, &this->labels_, &infogain_};
  }

  void SetIdentity() {
    caffe_set(16, Dtype(0), infogain_.mutable_cpu_data());
    for (int i = 0; i < 4; ++i) infogain_.mutable_cpu_data()[i * 5] = 1;
  }

  // -sum_k H[l, k] log p_k over counted positions, and their number.
  double DirectInfogainSum(bool use_ignore, int ignore, int* valid) {
    const auto p = DirectSoftmax(Values(this->scores_), 2, 4, 6);
    const Dtype* H = infogain_.cpu_data();
    double sum = 0;
    *valid = 0;
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 6; ++j) {
        const int label = static_cast<int>(this->labels_.cpu_data()[i * 6 + j]);
        if (use_ignore && label == ignore) continue;
        for (int k = 0; k < 4; ++k) sum -= H[label * 4 + k] * std::log(p[(i * 4 + k) * 6 + j]);
        ++*valid;
      }
    }
    return sum;
  }

  Blob<Dtype> infogain_;
  vector<Blob<Dtype>*> with_matrix_;
};

TYPED_TEST_SUITE(InfogainLossTest, Dtypes);

TYPED_TEST(InfogainLossTest, IdentityMatrixEqualsSoftmaxLoss) {
  this->SetIdentity();
  auto infogain = MakeLayer<TypeParam>(Param("InfogainLoss"));
  infogain->SetUp(this->with_matrix_, this->top_vec_);
  infogain->Forward(this->with_matrix_, this->top_vec_);
  const TypeParam infogain_loss = this->loss_.cpu_data()[0];
  infogain->Backward(this->top_vec_, {true, false, false}, this->with_matrix_);
  vector<double> infogain_diff(this->scores_.cpu_diff(),
                               this->scores_.cpu_diff() + this->scores_.count());
  auto softmax = MakeLayer<TypeParam>(Param("SoftmaxWithLoss"));
  softmax->SetUp(this->bottom_vec_, this->top_vec_);
  softmax->Forward(this->bottom_vec_, this->top_vec_);
  softmax->Backward(this->top_vec_, {true, false}, this->bottom_vec_);
  EXPECT_NEAR(infogain_loss, this->loss_.cpu_data()[0], 1e-6);
  for (int i = 0; i < this->scores_.count(); ++i) {
    EXPECT_NEAR(infogain_diff[i], this->scores_.cpu_diff()[i], 1e-6);
  }
}

TYPED_TEST(InfogainLossTest, ValuesForEachNormalization) {
  int valid = 0;
  const double all = this->DirectInfogainSum(false, 0, &valid);
  auto layer = MakeLayer<TypeParam>(Param("InfogainLoss"));
  layer->SetUp(this->with_matrix_, this->top_vec_);
  layer->Forward(this->with_matrix_, this->top_vec_);
  test::ExpectNearRelative(this->loss_.cpu_data()[0], all / 12, 1e-5);

  const double kept = this->DirectInfogainSum(true, 2, &valid);
  const struct {
    const char* text;
    double divisor;
  } cases[] = {{"loss_param { ignore_label: 2 }", double(valid)},
               {"loss_param { ignore_label: 2 normalization: FULL }", 12},
               {"loss_param { ignore_label: 2 normalization: BATCH_SIZE }", 2},
               {"loss_param { ignore_label: 2 normalization: NONE }", 1}};
  for (const auto& c : cases) {
    layer = MakeLayer<TypeParam>(Param("InfogainLoss", c.text));
    layer->SetUp(this->with_matrix_, this->top_vec_);
    layer->Forward(this->with_matrix_, this->top_vec_);
    test::ExpectNearRelative(this->loss_.cpu_data()[0], kept / c.divisor, 1e-5, c.text);
  }
}

TYPED_TEST(InfogainLossTest, Gradient) {
  GradientChecker<TypeParam> checker;
  for (const char* text : {"", "loss_param { ignore_label: 1 normalization: FULL }"}) {
    SCOPED_TRACE(text);
    auto layer = MakeLayer<TypeParam>(Param("InfogainLoss", text));
    checker.CheckGradient(layer.get(), this->with_matrix_, this->top_vec_, 0);
  }
}

TYPED_TEST(InfogainLossTest, MatrixFromSourceFile) {
  const string path = ::testing::TempDir() + "infogain_" +
                      std::to_string(sizeof(TypeParam)) + ".binaryproto";
  BlobProto proto;
  this->infogain_.ToProto(&proto);
  WriteProtoToBinaryFile(proto, path);
  auto from_bottom = MakeLayer<TypeParam>(Param("InfogainLoss"));
  from_bottom->SetUp(this->with_matrix_, this->top_vec_);
  from_bottom->Forward(this->with_matrix_, this->top_vec_);
  const TypeParam expected = this->loss_.cpu_data()[0];
  auto from_file =
      MakeLayer<TypeParam>(Param("InfogainLoss", "infogain_loss_param { source: '" + path + "' }"));
  from_file->SetUp(this->bottom_vec_, this->top_vec_);
  from_file->Forward(this->bottom_vec_, this->top_vec_);
  EXPECT_EQ(this->loss_.cpu_data()[0], expected);
  std::remove(path.c_str());
}

TYPED_TEST(InfogainLossTest, ProbabilityTopAndAxis) {
  Blob<TypeParam> scores(vector<int>{2, 3, 4}), labels(vector<int>{2, 3}), prob;
  caffe_rng_gaussian<TypeParam>(scores.count(), 0, 1, scores.mutable_cpu_data());
  test::FillLabels(&labels, 4);
  vector<Blob<TypeParam>*> bottom{&scores, &labels, &this->infogain_};
  vector<Blob<TypeParam>*> tops{&this->loss_, &prob};
  auto layer = MakeLayer<TypeParam>(
      Param("InfogainLoss", "infogain_loss_param { axis: 2 } loss_weight: 1 loss_weight: 0"));
  layer->SetUp(bottom, tops);
  layer->Forward(bottom, tops);
  const auto p = DirectSoftmax(Values(scores), 6, 4, 1);
  double expected = 0;
  for (int i = 0; i < 6; ++i) {
    const int label = static_cast<int>(labels.cpu_data()[i]);
    for (int k = 0; k < 4; ++k) {
      expected -= this->infogain_.cpu_data()[label * 4 + k] * std::log(p[i * 4 + k]);
    }
  }
  test::ExpectNearRelative(this->loss_.cpu_data()[0], expected / 6, 1e-5);
  for (int i = 0; i < prob.count(); ++i) EXPECT_NEAR(prob.cpu_data()[i], p[i], 1e-6);
}

TYPED_TEST(InfogainLossTest, BadParametersAndInputs) {
  // No matrix at all; the deprecated normalize field; a missing file.
  EXPECT_THROW(MakeLayer<TypeParam>(Param("InfogainLoss"))->SetUp(this->bottom_vec_,
                                                                   this->top_vec_),
               ConfigError);
  EXPECT_THROW(MakeLayer<TypeParam>(Param("InfogainLoss", "loss_param { normalize: true }"))
                   ->SetUp(this->with_matrix_, this->top_vec_),
               ConfigError);
  EXPECT_THROW(MakeLayer<TypeParam>(
                   Param("InfogainLoss", "infogain_loss_param { source: '/nonexistent/H' }"))
                   ->SetUp(this->bottom_vec_, this->top_vec_),
               IOError);
  // A matrix of the wrong size.
  Blob<TypeParam> small(vector<int>{3, 3});
  vector<Blob<TypeParam>*> bad_matrix{&this->scores_, &this->labels_, &small};
  EXPECT_THROW(MakeLayer<TypeParam>(Param("InfogainLoss"))->SetUp(bad_matrix, this->top_vec_),
               ShapeError);
  // A label out of range.
  auto layer = MakeLayer<TypeParam>(Param("InfogainLoss"));
  layer->SetUp(this->with_matrix_, this->top_vec_);
  this->labels_.mutable_cpu_data()[0] = 7;
  EXPECT_THROW(layer->Forward(this->with_matrix_, this->top_vec_), DataError);
  // Neither the labels nor the matrix take a gradient.
  EXPECT_FALSE(layer->AllowForceBackward(1));
  EXPECT_FALSE(layer->AllowForceBackward(2));
  this->labels_.mutable_cpu_data()[0] = 1;
  layer->Forward(this->with_matrix_, this->top_vec_);
  EXPECT_THROW(layer->Backward(this->top_vec_, {true, false, true}, this->with_matrix_),
               ConfigError);
}

}  // namespace caffe
