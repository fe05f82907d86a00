// Element-wise (neuron) layers: hand-computed forward values, finite-difference
// gradients, in-place use, bad parameters, and the upstream fixtures.
#include <gtest/gtest.h>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <initializer_list>

#include "neuron_loss_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

using test::Param;

namespace {

template <typename Dtype>
void SetValues(Blob<Dtype>* blob, std::initializer_list<double> values) {
  test::SetBlob(blob, vector<int>{static_cast<int>(values.size())}, values);
}

// Deterministic, non-trivial top gradient.
template <typename Dtype>
void FillTopDiff(Blob<Dtype>* top) {
  for (int i = 0; i < top->count(); ++i) top->mutable_cpu_diff()[i] = Dtype(0.1) * (i % 7) - 0.25;
}

}  // namespace

template <typename Dtype>
class NeuronLayerTest : public ::testing::Test {
 protected:
  NeuronLayerTest() : bottom_(vector<int>{2, 3, 2, 2}) {
    Caffe::set_random_seed(1701);
    caffe_rng_gaussian<Dtype>(bottom_.count(), 0, 1, bottom_.mutable_cpu_data());
    bottom_vec_ = {&bottom_};
    top_vec_ = {&top_};
  }

  shared_ptr<Layer<Dtype>> Make(const LayerParameter& param) {
    return LayerRegistry<Dtype>::CreateLayer(param);
  }

  // Forward on `values`, returning the top data.
  vector<Dtype> ForwardValues(const LayerParameter& param, std::initializer_list<double> values) {
    SetValues(&bottom_, values);
    auto layer = Make(param);
    layer->SetUp(bottom_vec_, top_vec_);
    layer->Forward(bottom_vec_, top_vec_);
    return vector<Dtype>(top_.cpu_data(), top_.cpu_data() + top_.count());
  }

  void CheckGradient(const LayerParameter& param, Dtype kink = 0, Dtype kink_range = -1) {
    auto layer = Make(param);
    GradientChecker<Dtype> checker(1e-2, 1e-3, 1701, kink, kink_range);
    checker.CheckGradient(layer.get(), bottom_vec_, top_vec_);
  }

  // Runs the layer out of place and in place on the current bottom, with the
  // same top gradient and seed, and expects identical tops, bottom gradients
  // and parameter gradients.
  void CheckInPlace(const LayerParameter& param) {
    Blob<Dtype> bottom, top, shared;
    bottom.CopyFrom(bottom_, false, true);
    shared.CopyFrom(bottom_, false, true);
    vector<Blob<Dtype>*> bottom_vec{&bottom}, top_vec{&top}, shared_vec{&shared};
    auto separate = Make(param);
    auto in_place = Make(param);
    separate->SetUp(bottom_vec, top_vec);
    in_place->SetUp(shared_vec, shared_vec);
    for (size_t p = 0; p < separate->blobs().size(); ++p) {
      Blob<Dtype>& a = *separate->blobs()[p];
      Blob<Dtype>& b = *in_place->blobs()[p];
      caffe_rng_uniform<Dtype>(a.count(), -0.5, 0.5, a.mutable_cpu_data());
      b.CopyFrom(a);
      caffe_set(a.count(), Dtype(0), a.mutable_cpu_diff());
      caffe_set(b.count(), Dtype(0), b.mutable_cpu_diff());
    }
    Caffe::set_random_seed(99);
    separate->Forward(bottom_vec, top_vec);
    Caffe::set_random_seed(99);
    in_place->Forward(shared_vec, shared_vec);
    for (int i = 0; i < top.count(); ++i) EXPECT_EQ(top.cpu_data()[i], shared.cpu_data()[i]) << i;
    FillTopDiff(&top);
    FillTopDiff(&shared);
    separate->Backward(top_vec, {true}, bottom_vec);
    in_place->Backward(shared_vec, {true}, shared_vec);
    for (int i = 0; i < bottom.count(); ++i) {
      EXPECT_NEAR(bottom.cpu_diff()[i], shared.cpu_diff()[i], 1e-6) << "bottom diff " << i;
    }
    for (size_t p = 0; p < separate->blobs().size(); ++p) {
      for (int i = 0; i < separate->blobs()[p]->count(); ++i) {
        EXPECT_NEAR(separate->blobs()[p]->cpu_diff()[i], in_place->blobs()[p]->cpu_diff()[i],
                    1e-5)
            << "param " << p << " diff " << i;
      }
    }
  }

  // Moves every bottom value at least `gap` away from `point`.
  void AvoidPoint(Dtype point, Dtype gap) {
    Dtype* x = bottom_.mutable_cpu_data();
    for (int i = 0; i < bottom_.count(); ++i) {
      if (std::fabs(x[i] - point) < gap) x[i] = point + (x[i] >= point ? gap : -gap);
    }
  }

  Blob<Dtype> bottom_;
  Blob<Dtype> top_;
  vector<Blob<Dtype>*> bottom_vec_;
  vector<Blob<Dtype>*> top_vec_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(NeuronLayerTest, Dtypes);

#define EXPECT_VALUES(actual, ...)                                                 \
  do {                                                                             \
    const vector<double> expected{__VA_ARGS__};                                    \
    ASSERT_EQ(actual.size(), expected.size());                                     \
    for (size_t i = 0; i < expected.size(); ++i) {                                 \
      EXPECT_NEAR(actual[i], expected[i], 1e-5 * std::max(1.0, std::fabs(expected[i]))) \
          << "element " << i;                                                      \
    }                                                                              \
  } while (0)

// ---- ReLU -------------------------------------------------------------------

TYPED_TEST(NeuronLayerTest, ReLUForward) {
  auto y = this->ForwardValues(Param("ReLU"), {-2, -0.5, 0, 0.5, 3});
  EXPECT_VALUES(y, 0, 0, 0, 0.5, 3);
  y = this->ForwardValues(Param("ReLU", "relu_param { negative_slope: 0.1 }"), {-2, 0, 3});
  EXPECT_VALUES(y, -0.2, 0, 3);
}

TYPED_TEST(NeuronLayerTest, ReLUGradient) {
  this->CheckGradient(Param("ReLU"), 0, 0.01);
  this->CheckGradient(Param("ReLU", "relu_param { negative_slope: 0.01 }"), 0, 0.01);
}

TYPED_TEST(NeuronLayerTest, ReLUInPlace) {
  this->CheckInPlace(Param("ReLU"));
  this->CheckInPlace(Param("ReLU", "relu_param { negative_slope: 0.2 }"));
  // A negative slope flips the sign of negative inputs; the layer must still
  // use the original input's sign when run in place.
  this->CheckInPlace(Param("ReLU", "relu_param { negative_slope: -0.5 }"));
}

TYPED_TEST(NeuronLayerTest, ReLUReference) { CheckReferenceLayerCase<TypeParam>("relu"); }

// ---- PReLU ------------------------------------------------------------------

TYPED_TEST(NeuronLayerTest, PReLUDefaultSlopeAndForward) {
  auto layer = this->Make(Param("PReLU"));
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  ASSERT_EQ(layer->blobs().size(), 1u);
  EXPECT_EQ(layer->blobs()[0]->shape(), vector<int>{3});
  for (int c = 0; c < 3; ++c) EXPECT_EQ(layer->blobs()[0]->cpu_data()[c], TypeParam(0.25));
  layer->blobs()[0]->mutable_cpu_data()[1] = -2;
  layer->Forward(this->bottom_vec_, this->top_vec_);
  const int dim = this->bottom_.count(2);
  for (int i = 0; i < this->bottom_.count(); ++i) {
    const TypeParam x = this->bottom_.cpu_data()[i];
    const TypeParam slope = ((i / dim) % 3 == 1) ? -2 : 0.25;
    EXPECT_NEAR(this->top_.cpu_data()[i], x > 0 ? x : slope * x, 1e-6);
  }
}

TYPED_TEST(NeuronLayerTest, PReLUChannelSharedAndFiller) {
  auto layer = this->Make(Param(
      "PReLU", "prelu_param { channel_shared: true filler { type: 'constant' value: 0.5 } }"));
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  EXPECT_EQ(layer->blobs()[0]->num_axes(), 0);
  EXPECT_EQ(layer->blobs()[0]->cpu_data()[0], TypeParam(0.5));
  layer->Forward(this->bottom_vec_, this->top_vec_);
  for (int i = 0; i < this->bottom_.count(); ++i) {
    const TypeParam x = this->bottom_.cpu_data()[i];
    EXPECT_NEAR(this->top_.cpu_data()[i], x > 0 ? x : 0.5 * x, 1e-6);
  }
}

TYPED_TEST(NeuronLayerTest, PReLUGradient) {
  auto param = Param("PReLU", "prelu_param { filler { type: 'uniform' min: -0.5 max: 0.5 } }");
  this->CheckGradient(param, 0, 0.01);
  param.mutable_prelu_param()->set_channel_shared(true);
  this->CheckGradient(param, 0, 0.01);
}

TYPED_TEST(NeuronLayerTest, PReLUInPlace) {
  this->CheckInPlace(Param("PReLU"));
  this->CheckInPlace(Param("PReLU", "prelu_param { channel_shared: true }"));
}

TYPED_TEST(NeuronLayerTest, PReLUBadShapes) {
  Blob<TypeParam> flat(vector<int>{5});
  vector<Blob<TypeParam>*> flat_vec{&flat};
  EXPECT_THROW(this->Make(Param("PReLU"))->SetUp(flat_vec, this->top_vec_), ShapeError);
  // A stored slope blob of the wrong size for the bottom's channels.
  auto param = Param("PReLU");
  Blob<TypeParam> slopes(vector<int>{4});
  slopes.ToProto(param.add_blobs());
  EXPECT_THROW(this->Make(param)->SetUp(this->bottom_vec_, this->top_vec_), ShapeError);
}

TYPED_TEST(NeuronLayerTest, PReLUReference) { CheckReferenceLayerCase<TypeParam>("prelu"); }

// ---- ELU --------------------------------------------------------------------

TYPED_TEST(NeuronLayerTest, ELUForward) {
  auto y = this->ForwardValues(Param("ELU", "elu_param { alpha: 0.5 }"), {-1, 0, 2});
  EXPECT_VALUES(y, 0.5 * (std::exp(-1.0) - 1), 0, 2);
  y = this->ForwardValues(Param("ELU"), {-3});
  EXPECT_VALUES(y, std::exp(-3.0) - 1);
}

TYPED_TEST(NeuronLayerTest, ELUGradientAndInPlace) {
  this->CheckGradient(Param("ELU", "elu_param { alpha: 0.5 }"), 0, 0.01);
  this->CheckGradient(Param("ELU"), 0, 0.01);
  this->CheckInPlace(Param("ELU", "elu_param { alpha: 0.5 }"));
  this->CheckInPlace(Param("ELU", "elu_param { alpha: -0.5 }"));
}

TYPED_TEST(NeuronLayerTest, ELUReference) { CheckReferenceLayerCase<TypeParam>("elu"); }

// ---- Sigmoid, TanH, BNLL, Swish ---------------------------------------------

TYPED_TEST(NeuronLayerTest, SigmoidForward) {
  auto y = this->ForwardValues(Param("Sigmoid"), {-1000, -2, 0, 1, 1000});
  EXPECT_VALUES(y, 0, 1 / (1 + std::exp(2.0)), 0.5, 1 / (1 + std::exp(-1.0)), 1);
}

TYPED_TEST(NeuronLayerTest, SigmoidGradientAndInPlace) {
  this->CheckGradient(Param("Sigmoid"));
  this->CheckInPlace(Param("Sigmoid"));
}

TYPED_TEST(NeuronLayerTest, SigmoidReference) { CheckReferenceLayerCase<TypeParam>("sigmoid"); }

TYPED_TEST(NeuronLayerTest, TanHForwardGradientInPlace) {
  auto y = this->ForwardValues(Param("TanH"), {-30, -0.5, 0, 2});
  EXPECT_VALUES(y, -1, std::tanh(-0.5), 0, std::tanh(2.0));
  Caffe::set_random_seed(3);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 1, this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("TanH"));
  this->CheckInPlace(Param("TanH"));
}

TYPED_TEST(NeuronLayerTest, BNLLForwardGradientInPlace) {
  auto y = this->ForwardValues(Param("BNLL"), {-100, -1, 0, 1, 100});
  EXPECT_VALUES(y, std::log1p(std::exp(-100.0)), std::log1p(std::exp(-1.0)), std::log(2.0),
                1 + std::log1p(std::exp(-1.0)), 100);
  Caffe::set_random_seed(4);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 2, this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("BNLL"));
  this->CheckInPlace(Param("BNLL"));
}

TYPED_TEST(NeuronLayerTest, SwishForwardGradientInPlace) {
  auto y = this->ForwardValues(Param("Swish", "swish_param { beta: 2 }"), {-1, 0, 1.5});
  EXPECT_VALUES(y, -1 / (1 + std::exp(2.0)), 0, 1.5 / (1 + std::exp(-3.0)));
  Caffe::set_random_seed(5);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 1, this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("Swish"));
  this->CheckGradient(Param("Swish", "swish_param { beta: 1.5 }"));
  this->CheckInPlace(Param("Swish", "swish_param { beta: 1.5 }"));
}

// ---- AbsVal, Threshold, Clip ------------------------------------------------

TYPED_TEST(NeuronLayerTest, AbsValForwardAndGradient) {
  auto y = this->ForwardValues(Param("AbsVal"), {-2, 0, 0.5});
  EXPECT_VALUES(y, 2, 0, 0.5);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 1, this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("AbsVal"), 0, 0.01);
}

TYPED_TEST(NeuronLayerTest, AbsValRefusesInPlace) {
  auto layer = this->Make(Param("AbsVal"));
  EXPECT_THROW(layer->SetUp(this->bottom_vec_, this->bottom_vec_), ConfigError);
}

TYPED_TEST(NeuronLayerTest, AbsValReference) { CheckReferenceLayerCase<TypeParam>("absval"); }

TYPED_TEST(NeuronLayerTest, ThresholdForwardAndGradient) {
  auto param = Param("Threshold", "threshold_param { threshold: 0.2 }");
  auto y = this->ForwardValues(param, {-1, 0.2, 0.21, 5});
  EXPECT_VALUES(y, 0, 0, 1, 1);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 1, this->bottom_.mutable_cpu_data());
  this->CheckGradient(param, 0.2, 0.02);
  this->CheckInPlace(param);
}

TYPED_TEST(NeuronLayerTest, ThresholdReference) { CheckReferenceLayerCase<TypeParam>("threshold"); }

TYPED_TEST(NeuronLayerTest, ClipForwardGradientInPlace) {
  auto param = Param("Clip", "clip_param { min: -0.5 max: 0.8 }");
  auto y = this->ForwardValues(param, {-3, -0.5, 0, 0.8, 2});
  EXPECT_VALUES(y, -0.5, -0.5, 0, 0.8, 0.8);
  this->bottom_.Reshape(vector<int>{2, 3, 2, 2});
  caffe_rng_gaussian<TypeParam>(this->bottom_.count(), 0, 1, this->bottom_.mutable_cpu_data());
  this->AvoidPoint(-0.5, 0.02);
  this->AvoidPoint(0.8, 0.02);
  this->CheckGradient(param);
  this->CheckInPlace(param);
}

TYPED_TEST(NeuronLayerTest, ClipBadParameters) {
  EXPECT_THROW(this->Make(Param("Clip", "clip_param { min: 0 }"))
                   ->SetUp(this->bottom_vec_, this->top_vec_),
               ConfigError);
  EXPECT_THROW(this->Make(Param("Clip", "clip_param { min: 1 max: 0 }"))
                   ->SetUp(this->bottom_vec_, this->top_vec_),
               ConfigError);
}

// ---- Power, Exp, Log --------------------------------------------------------

TYPED_TEST(NeuronLayerTest, PowerForward) {
  auto y = this->ForwardValues(Param("Power", "power_param { power: 2 scale: 0.5 shift: 1 }"),
                               {-4, 0, 2});
  EXPECT_VALUES(y, 1, 1, 4);
  y = this->ForwardValues(Param("Power", "power_param { power: 0.5 }"), {4, 0.25});
  EXPECT_VALUES(y, 2, 0.5);
  // scale 0: y = shift^power everywhere; power 0: y = 1.
  y = this->ForwardValues(Param("Power", "power_param { power: 3 scale: 0 shift: 2 }"), {7, -1});
  EXPECT_VALUES(y, 8, 8);
  y = this->ForwardValues(Param("Power", "power_param { power: 0 shift: 5 }"), {7, -1});
  EXPECT_VALUES(y, 1, 1);
}

TYPED_TEST(NeuronLayerTest, PowerGradient) {
  // Integer powers and power 1 accept any sign.
  this->CheckGradient(Param("Power", "power_param { power: 2 scale: 0.5 shift: 1 }"));
  this->CheckGradient(Param("Power", "power_param { power: 2 scale: 0.7 }"));
  this->CheckGradient(Param("Power", "power_param { power: 1 scale: 3 shift: -1 }"));
  this->CheckGradient(Param("Power", "power_param { power: 0 scale: 3 }"));
  this->CheckGradient(Param("Power", "power_param { power: 3 scale: 0 shift: 2 }"));
  // Fractional powers need a positive base.
  caffe_abs(this->bottom_.count(), this->bottom_.cpu_data(), this->bottom_.mutable_cpu_data());
  caffe_add_scalar(this->bottom_.count(), TypeParam(0.5), this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("Power", "power_param { power: 0.37 scale: 0.83 }"));
  this->CheckGradient(Param("Power", "power_param { power: -1.5 scale: 0.8 shift: 0.3 }"));
}

TYPED_TEST(NeuronLayerTest, PowerInPlace) {
  this->CheckInPlace(Param("Power", "power_param { power: 2 scale: 0.5 shift: 1 }"));
  caffe_abs(this->bottom_.count(), this->bottom_.cpu_data(), this->bottom_.mutable_cpu_data());
  caffe_add_scalar(this->bottom_.count(), TypeParam(0.5), this->bottom_.mutable_cpu_data());
  this->CheckInPlace(Param("Power", "power_param { power: 0.37 }"));
  this->CheckInPlace(Param("Power", "power_param { power: -1.5 scale: 0.8 shift: 0.3 }"));
}

TYPED_TEST(NeuronLayerTest, PowerReference) { CheckReferenceLayerCase<TypeParam>("power"); }

TYPED_TEST(NeuronLayerTest, ExpForward) {
  auto y = this->ForwardValues(Param("Exp"), {0, 1, -2});
  EXPECT_VALUES(y, 1, std::exp(1.0), std::exp(-2.0));
  y = this->ForwardValues(Param("Exp", "exp_param { base: 2 scale: 3 shift: 1 }"), {0, 1, -1});
  EXPECT_VALUES(y, 2, 16, 0.25);
}

TYPED_TEST(NeuronLayerTest, ExpGradientInPlaceAndBadBase) {
  this->CheckGradient(Param("Exp"));
  this->CheckGradient(Param("Exp", "exp_param { base: 2 scale: 0.5 shift: 0.3 }"));
  this->CheckInPlace(Param("Exp", "exp_param { base: 2 scale: 0.5 shift: 0.3 }"));
  EXPECT_THROW(this->Make(Param("Exp", "exp_param { base: -2 }"))
                   ->SetUp(this->bottom_vec_, this->top_vec_),
               ConfigError);
  EXPECT_THROW(this->Make(Param("Exp", "exp_param { base: 0 }"))
                   ->SetUp(this->bottom_vec_, this->top_vec_),
               ConfigError);
}

TYPED_TEST(NeuronLayerTest, LogForward) {
  auto y = this->ForwardValues(Param("Log"), {1, std::exp(2.0)});
  EXPECT_VALUES(y, 0, 2);
  y = this->ForwardValues(Param("Log", "log_param { base: 10 scale: 2 shift: 0.5 }"), {4.75});
  EXPECT_VALUES(y, 1);
}

TYPED_TEST(NeuronLayerTest, LogGradientAndInPlace) {
  caffe_abs(this->bottom_.count(), this->bottom_.cpu_data(), this->bottom_.mutable_cpu_data());
  caffe_add_scalar(this->bottom_.count(), TypeParam(0.5), this->bottom_.mutable_cpu_data());
  this->CheckGradient(Param("Log"));
  this->CheckGradient(Param("Log", "log_param { base: 2 scale: 0.7 shift: 0.2 }"));
  this->CheckInPlace(Param("Log", "log_param { base: 2 scale: 0.7 shift: 0.2 }"));
}

TYPED_TEST(NeuronLayerTest, LogBadBase) {
  for (const char* base : {"1", "-3", "0"}) {
    auto param = Param("Log", string("log_param { base: ") + base + " }");
    EXPECT_THROW(this->Make(param)->SetUp(this->bottom_vec_, this->top_vec_), ConfigError)
        << base;
  }
}

TYPED_TEST(NeuronLayerTest, LogReference) { CheckReferenceLayerCase<TypeParam>("log"); }

// ---- Dropout ----------------------------------------------------------------

TYPED_TEST(NeuronLayerTest, DropoutTrainScalesKeptValues) {
  auto param = Param("Dropout", "dropout_param { dropout_ratio: 0.3 }");
  param.set_phase(TRAIN);
  this->bottom_.Reshape(vector<int>{1000});
  caffe_set(1000, TypeParam(2), this->bottom_.mutable_cpu_data());
  auto layer = this->Make(param);
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  Caffe::set_random_seed(1234);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    const TypeParam y = this->top_.cpu_data()[i];
    if (y != 0) {
      EXPECT_NEAR(y, 2 / (1 - 0.3), 1e-5);
      ++kept;
    }
  }
  EXPECT_NEAR(kept / 1000.0, 0.7, 0.05);
  // The gradient goes exactly where the data went, with the same scale.
  caffe_set(1000, TypeParam(1), this->top_.mutable_cpu_diff());
  layer->Backward(this->top_vec_, {true}, this->bottom_vec_);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_NEAR(this->bottom_.cpu_diff()[i], this->top_.cpu_data()[i] / 2, 1e-5);
  }
}

// Upstream draws the mask as boost::bernoulli_distribution<double>(1 - p) on
// the thread's mt19937, one draw per element in order; a seeded run must drop
// the same elements.
TYPED_TEST(NeuronLayerTest, DropoutMaskFollowsUpstreamStream) {
  auto param = Param("Dropout", "dropout_param { dropout_ratio: 0.3 }");
  param.set_phase(TRAIN);
  this->bottom_.Reshape(vector<int>{500});
  caffe_set(500, TypeParam(1), this->bottom_.mutable_cpu_data());
  auto layer = this->Make(param);
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  Caffe::set_random_seed(1701);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  boost::mt19937 engine(1701);
  boost::bernoulli_distribution<double> keep(1. - static_cast<TypeParam>(0.3f));
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(this->top_.cpu_data()[i] != 0, keep(engine)) << i;
  }
}

TYPED_TEST(NeuronLayerTest, DropoutTestIsIdentity) {
  auto param = Param("Dropout", "dropout_param { dropout_ratio: 0.6 }");
  param.set_phase(TEST);
  auto layer = this->Make(param);
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  for (int i = 0; i < this->bottom_.count(); ++i) {
    EXPECT_EQ(this->top_.cpu_data()[i], this->bottom_.cpu_data()[i]);
  }
  this->CheckInPlace(param);
}

TYPED_TEST(NeuronLayerTest, DropoutWithoutTrainScaling) {
  auto param = Param("Dropout", "dropout_param { dropout_ratio: 0.25 scale_train: false }");
  param.set_phase(TRAIN);
  auto layer = this->Make(param);
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  int dropped = 0;
  for (int i = 0; i < this->bottom_.count(); ++i) {
    const TypeParam y = this->top_.cpu_data()[i];
    if (y == 0) {
      ++dropped;
    } else {
      EXPECT_EQ(y, this->bottom_.cpu_data()[i]);
    }
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, this->bottom_.count());
  param.set_phase(TEST);
  layer = this->Make(param);
  layer->SetUp(this->bottom_vec_, this->top_vec_);
  layer->Forward(this->bottom_vec_, this->top_vec_);
  for (int i = 0; i < this->bottom_.count(); ++i) {
    EXPECT_NEAR(this->top_.cpu_data()[i], 0.75 * this->bottom_.cpu_data()[i], 1e-6);
  }
}

TYPED_TEST(NeuronLayerTest, DropoutGradientAndInPlace) {
  auto param = Param("Dropout", "dropout_param { dropout_ratio: 0.4 }");
  param.set_phase(TRAIN);
  this->CheckGradient(param);
  this->CheckInPlace(param);
}

TYPED_TEST(NeuronLayerTest, DropoutBadRatio) {
  for (const char* ratio : {"1", "-0.1", "1.5"}) {
    auto param = Param("Dropout", string("dropout_param { dropout_ratio: ") + ratio + " }");
    EXPECT_THROW(this->Make(param)->SetUp(this->bottom_vec_, this->top_vec_), ConfigError)
        << ratio;
  }
}

TYPED_TEST(NeuronLayerTest, DropoutReference) {
  CheckReferenceLayerCase<TypeParam>("dropout_test");
}

// ---- common -----------------------------------------------------------------

TYPED_TEST(NeuronLayerTest, BlobCountsAreChecked) {
  Blob<TypeParam> second(vector<int>{2});
  vector<Blob<TypeParam>*> two{&this->bottom_, &second};
  EXPECT_THROW(this->Make(Param("ReLU"))->SetUp(two, this->top_vec_), ConfigError);
  EXPECT_THROW(this->Make(Param("Sigmoid"))->SetUp(this->bottom_vec_, two), ConfigError);
}

}  // namespace caffe
