// TripletAccuracy: hand-checked values for both bottom layouts, both
// distances and normalisation; agreement with TripletLoss at margin 0 (a
// triplet is ordered correctly exactly when its hinge is negative) on random
// embeddings; ties; the missing gradient; bad bottoms; and a training net in
// which the layer scores a TripletLoss tower without disturbing backward.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "caffe/net.hpp"
#include "layer_test_helpers.hpp"
#include "neuron_loss_helpers.hpp"

namespace caffe {
namespace {

template <typename Dtype>
class TripletAccuracyLayerTest : public ::testing::Test {
 protected:
  double Run(const vector<Blob<Dtype>*>& bottom, const std::string& text = "") {
    auto layer = test::MakeLayer<Dtype>(test::Param("TripletAccuracy", text));
    Blob<Dtype> top;
    vector<Blob<Dtype>*> tops{&top};
    layer->SetUp(bottom, tops);
    EXPECT_EQ(top.num_axes(), 0);
    layer->Forward(bottom, tops);
    return top.cpu_data()[0];
  }
};

TYPED_TEST_SUITE(TripletAccuracyLayerTest, TestDtypes);

// Three triplets in 2-D: the first is ordered correctly, the second is not,
// the third is correct by squared L2 but wrong by cosine (its negative
// points the anchor's way, only further out).
TYPED_TEST(TripletAccuracyLayerTest, HandCheckedStackedAndSeparate) {
  Blob<TypeParam> stacked, anchors, positives, negatives;
  test::SetBlob(&stacked, {9, 2},
                {1, 0, 0, 1, 1, 1,        // anchors
                 1.1, 0, 1, 0, 0.5, 1.5,  // positives
                 0, 2, 0, 1.2, 3, 3});    // negatives
  test::SetBlob(&anchors, {3, 2}, {1, 0, 0, 1, 1, 1});
  test::SetBlob(&positives, {3, 2}, {1.1, 0, 1, 0, 0.5, 1.5});
  test::SetBlob(&negatives, {3, 2}, {0, 2, 0, 1.2, 3, 3});
  const vector<Blob<TypeParam>*> one{&stacked}, three{&anchors, &positives, &negatives};
  EXPECT_DOUBLE_EQ(this->Run(one), TypeParam(2) / 3);
  EXPECT_DOUBLE_EQ(this->Run(three), TypeParam(2) / 3);
  const std::string cosine = "triplet_loss_param { distance: COSINE }";
  EXPECT_DOUBLE_EQ(this->Run(one, cosine), TypeParam(1) / 3);
  EXPECT_DOUBLE_EQ(this->Run(three, cosine), TypeParam(1) / 3);
  // Normalised first, the third negative coincides with its anchor.
  EXPECT_DOUBLE_EQ(this->Run(one, "triplet_loss_param { normalize: true }"), TypeParam(1) / 3);
}

TYPED_TEST(TripletAccuracyLayerTest, TiesCountAsWrong) {
  Blob<TypeParam> stacked;
  test::SetBlob(&stacked, {6, 1}, {0, 0, 1, -1, 2, 1});  // 1 < 4, then a tie: 1 == 1
  EXPECT_DOUBLE_EQ(this->Run({&stacked}), TypeParam(0.5));
}

// TripletLoss at margin 0 calls a triplet active when d(a,p) - d(a,n) > 0;
// random embeddings have no ties, so accuracy = 1 - active fraction.
TYPED_TEST(TripletAccuracyLayerTest, AgreesWithTripletLossAtMarginZero) {
  for (const char* distance : {"SQUARED_L2", "COSINE"}) {
    for (bool normalize : {false, true}) {
      const std::string param = std::string("triplet_loss_param { margin: 0 distance: ") +
                                distance + (normalize ? " normalize: true" : "") + " }";
      auto stacked = RandomBlob<TypeParam>({3 * 40, 5}, 17);
      const vector<Blob<TypeParam>*> bottom{stacked.get()};
      auto loss_layer = test::MakeLayer<TypeParam>(test::Param("TripletLoss", param));
      Blob<TypeParam> loss, active;
      vector<Blob<TypeParam>*> loss_tops{&loss, &active};
      loss_layer->SetUp(bottom, loss_tops);
      loss_layer->Forward(bottom, loss_tops);
      const double accuracy = this->Run(bottom, param);
      EXPECT_GT(accuracy, 0.2) << param;
      EXPECT_LT(accuracy, 0.8) << param;
      EXPECT_NEAR(accuracy, 1 - active.cpu_data()[0], 1e-12) << param;
    }
  }
}

TYPED_TEST(TripletAccuracyLayerTest, HasNoGradient) {
  Blob<TypeParam> stacked;
  test::SetBlob(&stacked, {3, 1}, {0, 1, 2});
  auto layer = test::MakeLayer<TypeParam>(test::Param("TripletAccuracy"));
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottom{&stacked}, tops{&top};
  layer->SetUp(bottom, tops);
  layer->Forward(bottom, tops);
  EXPECT_THROW(layer->Backward(tops, {true}, bottom), ConfigError);
  EXPECT_NO_THROW(layer->Backward(tops, {false}, bottom));
}

TYPED_TEST(TripletAccuracyLayerTest, BadBottomsAndParameters) {
  Blob<TypeParam> four({4, 2}), three_rows({3, 2}), other({3, 3}), empty({0, 2});
  auto setup = [](const vector<Blob<TypeParam>*>& bottom, const std::string& text = "") {
    auto layer = test::MakeLayer<TypeParam>(test::Param("TripletAccuracy", text));
    Blob<TypeParam> top;
    vector<Blob<TypeParam>*> tops{&top};
    layer->SetUp(bottom, tops);
  };
  EXPECT_THROW(setup({&four}), ShapeError);  // 4 rows are not 3N
  EXPECT_THROW(setup({&three_rows, &three_rows}), ConfigError);
  EXPECT_THROW(setup({&three_rows, &other, &three_rows}), ShapeError);
  EXPECT_THROW(setup({&empty}), ShapeError);
  EXPECT_THROW(setup({&three_rows}, "triplet_loss_param { eps: -1 }"), ConfigError);
  EXPECT_NO_THROW(setup({&three_rows}));
}

// In a TRAIN net beside TripletLoss the layer only reports: the net needs no
// backward through it, and training still lowers the loss.
TYPED_TEST(TripletAccuracyLayerTest, ScoresATrainingNet) {
  Caffe::set_random_seed(3);
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 30 dim: 4 } } }
layer { name: "embed" type: "InnerProduct" bottom: "x" top: "e"
  inner_product_param { num_output: 3 weight_filler { type: "gaussian" std: 0.3 } } }
layer { name: "loss" type: "TripletLoss" bottom: "e" top: "loss" }
layer { name: "score" type: "TripletAccuracy" bottom: "e" top: "accuracy" }
)", &param));
  param.mutable_state()->set_phase(TRAIN);
  Net<TypeParam> net(param);
  const auto& names = net.layer_names();
  const int score_layer = std::find(names.begin(), names.end(), "score") - names.begin();
  ASSERT_LT(score_layer, static_cast<int>(names.size()));
  EXPECT_FALSE(net.layer_need_backward()[score_layer]);
  // Positives near their anchors, negatives elsewhere.
  Blob<TypeParam>& x = *net.input_blobs()[0];
  caffe_rng_uniform<TypeParam>(x.count(), -1, 1, x.mutable_cpu_data());
  TypeParam* data = x.mutable_cpu_data();
  for (int i = 0; i < 10 * 4; ++i) data[40 + i] = data[i] + TypeParam(0.05) * ((i % 3) - 1);
  const TypeParam first_loss = net.ForwardBackward();
  const TypeParam first_accuracy = net.blob_by_name("accuracy")->cpu_data()[0];
  for (int step = 0; step < 200; ++step) {
    net.ClearParamDiffs();
    net.ForwardBackward();
    for (const auto& blob : net.learnable_params()) {
      caffe_axpy(blob->count(), TypeParam(-0.05), blob->cpu_diff(), blob->mutable_cpu_data());
    }
  }
  EXPECT_LT(net.ForwardBackward(), first_loss);
  EXPECT_GE(net.blob_by_name("accuracy")->cpu_data()[0], first_accuracy);
  EXPECT_DOUBLE_EQ(net.blob_by_name("accuracy")->cpu_data()[0], 1);
}

}  // namespace
}  // namespace caffe
