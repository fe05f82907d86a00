// BatchNorm: batch statistics, upstream's running-average accumulation and
// bias correction, global statistics, gradients, in-place use, and the
// upstream batchnorm_train fixture.
#include <gtest/gtest.h>

#include <cmath>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class BatchNormLayerTest : public ::testing::Test {
 protected:
  // Per-channel batch mean and biased variance of an N x C x ... blob, in double.
  static void Moments(const Blob<Dtype>& x, vector<double>* mean, vector<double>* var) {
    const int num = x.shape(0), channels = x.shape(1), spatial = x.count(2);
    mean->assign(channels, 0);
    var->assign(channels, 0);
    for (int c = 0; c < channels; ++c) {
      for (int n = 0; n < num; ++n) {
        for (int s = 0; s < spatial; ++s) (*mean)[c] += x.cpu_data()[(n * channels + c) * spatial + s];
      }
      (*mean)[c] /= num * spatial;
      for (int n = 0; n < num; ++n) {
        for (int s = 0; s < spatial; ++s) {
          const double d = x.cpu_data()[(n * channels + c) * spatial + s] - (*mean)[c];
          (*var)[c] += d * d;
        }
      }
      (*var)[c] /= num * spatial;
    }
  }
};
TYPED_TEST_SUITE(BatchNormLayerTest, TestDtypes);

TYPED_TEST(BatchNormLayerTest, TrainNormalisesWithBatchStatistics) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({3, 2, 2, 3}, 1, Dtype(-2), Dtype(6));
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'BatchNorm'", TRAIN);
  layer->SetUp(bottoms, tops);
  ASSERT_EQ(layer->blobs().size(), 3u);
  EXPECT_EQ(layer->blobs()[0]->shape(), (vector<int>{2}));
  EXPECT_EQ(layer->blobs()[1]->shape(), (vector<int>{2}));
  EXPECT_EQ(layer->blobs()[2]->shape(), (vector<int>{1}));
  layer->Forward(bottoms, tops);
  vector<double> mean, var;
  this->Moments(*bottom, &mean, &var);
  for (int n = 0; n < 3; ++n) {
    for (int c = 0; c < 2; ++c) {
      for (int s = 0; s < 6; ++s) {
        const int i = (n * 2 + c) * 6 + s;
        EXPECT_NEAR(top.cpu_data()[i], (bottom->cpu_data()[i] - mean[c]) / std::sqrt(var[c] + 1e-5),
                    1e-4);
      }
    }
  }
}

TYPED_TEST(BatchNormLayerTest, RunningAveragesAccumulateAsUpstream) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  auto first = RandomBlob<Dtype>({4, 3, 5}, 2, Dtype(-1), Dtype(3));
  auto second = RandomBlob<Dtype>({4, 3, 5}, 3, Dtype(0), Dtype(10));
  vector<Blob<Dtype>*> tops{&top};
  auto layer = MakeLayer<Dtype>(
      "type: 'BatchNorm' batch_norm_param { moving_average_fraction: 0.9 }", TRAIN);
  vector<Blob<Dtype>*> bottoms{first.get()};
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  bottoms = {second.get()};
  layer->Forward(bottoms, tops);

  vector<double> mean1, var1, mean2, var2;
  this->Moments(*first, &mean1, &var1);
  this->Moments(*second, &mean2, &var2);
  const double m = 4 * 5, correction = m / (m - 1);
  EXPECT_NEAR(layer->blobs()[2]->cpu_data()[0], 0.9 * 1 + 1, 1e-6);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(layer->blobs()[0]->cpu_data()[c], 0.9 * mean1[c] + mean2[c], 1e-4);
    EXPECT_NEAR(layer->blobs()[1]->cpu_data()[c], correction * (0.9 * var1[c] + var2[c]),
                1e-4 * std::max(1.0, var2[c]));
  }
}

TYPED_TEST(BatchNormLayerTest, GlobalStatisticsAndTheirGradient) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  SetData(&bottom, {1, 2, 3, 4});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  // TEST phase uses the stored statistics by default.
  auto layer = MakeLayer<Dtype>("type: 'BatchNorm' batch_norm_param { eps: 0 }", TEST);
  layer->SetUp(bottoms, tops);
  SetData(layer->blobs()[0].get(), {2, 4});   // sums of means
  SetData(layer->blobs()[1].get(), {8, 0.5});  // sums of variances
  SetData(layer->blobs()[2].get(), {2});       // -> mean {1, 2}, var {4, 0.25}
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {0, 0, 1, 4});
  // The statistics are not touched.
  ExpectValues(layer->blobs()[2]->cpu_data(), {2});
  SetDiff(&top, {1, 1, 2, 2});
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {0.5, 2, 1, 4});

  // A zero scale factor means "no statistics yet": mean 0, variance 0.
  auto fresh = MakeLayer<Dtype>("type: 'BatchNorm' batch_norm_param { eps: 0.25 }", TEST);
  fresh->SetUp(bottoms, tops);
  fresh->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {2, 4, 6, 8});
}

TYPED_TEST(BatchNormLayerTest, UseGlobalStatsOverridesPhase) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({4, 2}, 4);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  auto train_global =
      MakeLayer<Dtype>("type: 'BatchNorm' batch_norm_param { use_global_stats: true }", TRAIN);
  train_global->SetUp(bottoms, tops);
  train_global->Forward(bottoms, tops);
  EXPECT_EQ(train_global->blobs()[2]->cpu_data()[0], Dtype(0));

  auto test_batch =
      MakeLayer<Dtype>("type: 'BatchNorm' batch_norm_param { use_global_stats: false }", TEST);
  test_batch->SetUp(bottoms, tops);
  test_batch->Forward(bottoms, tops);
  EXPECT_EQ(test_batch->blobs()[2]->cpu_data()[0], Dtype(1));
  for (int c = 0; c < 2; ++c) {
    double sum = 0;
    for (int n = 0; n < 4; ++n) sum += top.cpu_data()[n * 2 + c];
    EXPECT_NEAR(sum, 0, 1e-5);
  }
}

TYPED_TEST(BatchNormLayerTest, SingleValuePerChannelSkipsBiasCorrection) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{1, 2}), top;
  SetData(&bottom, {3, -1});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'BatchNorm'", TRAIN);
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  ExpectValues(top.cpu_data(), {0, 0});
  ExpectValues(layer->blobs()[0]->cpu_data(), {3, -1});
  ExpectValues(layer->blobs()[1]->cpu_data(), {0, 0});
}

TYPED_TEST(BatchNormLayerTest, TrainGradient) {
  typedef TypeParam Dtype;
  for (const vector<int>& shape : {vector<int>{3, 2, 2, 2}, vector<int>{5, 3}}) {
    auto bottom = RandomBlob<Dtype>(shape, 5, Dtype(-1), Dtype(2));
    Blob<Dtype> top;
    auto layer = MakeLayer<Dtype>("type: 'BatchNorm'", TRAIN);
    GradientChecker<Dtype>().CheckGradient(layer.get(), {bottom.get()}, {&top});
  }
}

TYPED_TEST(BatchNormLayerTest, InPlaceMatchesOutOfPlace) {
  typedef TypeParam Dtype;
  auto input = RandomBlob<Dtype>({3, 2, 4}, 6);
  auto top_diff = RandomBlob<Dtype>({3, 2, 4}, 7);
  vector<vector<Dtype>> results;
  for (bool in_place : {false, true}) {
    Blob<Dtype> bottom, separate_top;
    bottom.CopyFrom(*input, false, true);
    Blob<Dtype>* top = in_place ? &bottom : &separate_top;
    vector<Blob<Dtype>*> bottoms{&bottom}, tops{top};
    auto layer = MakeLayer<Dtype>("type: 'BatchNorm'", TRAIN);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    vector<Dtype> result(top->cpu_data(), top->cpu_data() + top->count());
    caffe_copy(top->count(), top_diff->cpu_data(), top->mutable_cpu_diff());
    layer->Backward(tops, {true}, bottoms);
    result.insert(result.end(), bottom.cpu_diff(), bottom.cpu_diff() + bottom.count());
    results.push_back(result);
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_NEAR(results[0][i], results[1][i], 1e-5) << i;
  }
}

TYPED_TEST(BatchNormLayerTest, StatisticsAreNeverLearned) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3}, 8);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  auto plain = MakeLayer<Dtype>("type: 'BatchNorm'");
  plain->SetUp(bottoms, tops);
  ASSERT_EQ(plain->layer_param().param_size(), 3);
  for (const ParamSpec& spec : plain->layer_param().param()) EXPECT_EQ(spec.lr_mult(), 0);

  // Old nets list three specs with any lr_mult; upstream's loader zeroes them.
  auto legacy = MakeLayer<Dtype>(
      "type: 'BatchNorm' param { lr_mult: 1 } param { lr_mult: 1 } param { lr_mult: 1 }");
  legacy->SetUp(bottoms, tops);
  for (const ParamSpec& spec : legacy->layer_param().param()) EXPECT_EQ(spec.lr_mult(), 0);

  EXPECT_THROW(MakeLayer<Dtype>("type: 'BatchNorm' param { lr_mult: 1 }")->SetUp(bottoms, tops),
               ConfigError);
}

TYPED_TEST(BatchNormLayerTest, ChannelCountIsFixedAtSetup) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3, 2}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'BatchNorm'");
  layer->SetUp(bottoms, tops);
  bottom.Reshape(vector<int>{2, 4, 2});
  EXPECT_THROW(layer->Forward(bottoms, tops), ShapeError);
  bottom.Reshape(vector<int>{5, 3, 7});
  EXPECT_NO_THROW(layer->Forward(bottoms, tops));
}

TYPED_TEST(BatchNormLayerTest, MatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("batchnorm_train");
}

}  // namespace caffe
