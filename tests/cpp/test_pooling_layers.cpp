// Pooling and SPP layers: upstream fixtures, hand-computed windows (padding,
// ceil/floor rounding, the last-window rule), the argmax top, stochastic
// pooling, gradient checks and parameter errors; MAX pooling's vector kernels
// against its reference loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/max_pooling.hpp"
#include "caffe/layers/pooling_layer.hpp"
#include "caffe/layers/spp_layer.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

LayerParameter PoolParam(PoolingParameter_PoolMethod method, int kernel, int stride, int pad = 0) {
  LayerParameter param;
  param.set_name("pool");
  param.set_type("Pooling");
  PoolingParameter* pool = param.mutable_pooling_param();
  pool->set_pool(method);
  if (kernel > 0) pool->set_kernel_size(kernel);
  pool->set_stride(stride);
  if (pad > 0) pool->set_pad(pad);
  return param;
}

// Distinct values 0.1 apart in shuffled order, so that a finite-difference
// step never changes which input a max picks.
template <typename Dtype>
void FillDistinct(Blob<Dtype>* blob, unsigned seed = 7) {
  vector<int> order(blob->count());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  for (int i = 0; i < blob->count(); ++i) {
    blob->mutable_cpu_data()[i] = Dtype(0.1) * (order[i] - blob->count() / 2);
  }
}

template <typename Dtype>
class PoolingLayersTest : public SeededLayerTest<Dtype> {
 protected:
  // Sets up and runs a layer on `bottom`, returning it.
  shared_ptr<Layer<Dtype>> Run(const LayerParameter& param, Blob<Dtype>* bottom,
                               const vector<Blob<Dtype>*>& tops) {
    auto layer = LayerRegistry<Dtype>::CreateLayer(param);
    layer->SetUp({bottom}, tops);
    layer->Forward({bottom}, tops);
    return layer;
  }
};

TYPED_TEST_SUITE(PoolingLayersTest, TestDtypes);

TYPED_TEST(PoolingLayersTest, UpstreamFixtures) {
  CheckReferenceLayerCase<TypeParam>("pool_ave_pad");
  CheckReferenceLayerCase<TypeParam>("pool_global_max");
  CheckReferenceLayerCase<TypeParam>("pool_max");
}

TYPED_TEST(PoolingLayersTest, MaxValuesAndMask) {
  // Two images; the second is the first negated, so the argmax moves.
  Blob<TypeParam> bottom(vector<int>{2, 1, 3, 3});
  for (int i = 0; i < 9; ++i) {
    bottom.mutable_cpu_data()[i] = i + 1;
    bottom.mutable_cpu_data()[9 + i] = -(i + 1);
  }
  Blob<TypeParam> top, mask;
  this->Run(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 1), &bottom, {&top, &mask});
  ASSERT_EQ(top.shape(), (vector<int>{2, 1, 2, 2}));
  ASSERT_EQ(mask.shape(), top.shape());
  const TypeParam values[] = {5, 6, 8, 9, -1, -2, -4, -5};
  const TypeParam indices[] = {4, 5, 7, 8, 0, 1, 3, 4};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(top.cpu_data()[i], values[i]) << i;
    EXPECT_EQ(mask.cpu_data()[i], indices[i]) << i;
  }
}

TYPED_TEST(PoolingLayersTest, MaxBackwardRoutesToArgmaxAndAccumulates) {
  // Overlapping windows sharing one maximum: its gradient is the sum.
  Blob<TypeParam> bottom(vector<int>{1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) bottom.mutable_cpu_data()[i] = 0;
  bottom.mutable_cpu_data()[4] = 1;
  Blob<TypeParam> top;
  auto layer = this->Run(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 1), &bottom, {&top});
  for (int i = 0; i < 4; ++i) top.mutable_cpu_diff()[i] = i + 1;
  layer->Backward({&top}, {true}, {&bottom});
  for (int i = 0; i < 9; ++i) EXPECT_EQ(bottom.cpu_diff()[i], i == 4 ? 10 : 0) << i;
}

TYPED_TEST(PoolingLayersTest, AveragePaddingDivisor) {
  // 4x4 ones, kernel 3, stride 2, pad 1: 3x3 outputs. The divisor counts
  // padding cells but stops at the padded extent (4 + 1).
  Blob<TypeParam> bottom(vector<int>{1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) bottom.mutable_cpu_data()[i] = 1;
  Blob<TypeParam> top;
  this->Run(PoolParam(PoolingParameter_PoolMethod_AVE, 3, 2, 1), &bottom, {&top});
  ASSERT_EQ(top.shape(), (vector<int>{1, 1, 3, 3}));
  const double expected[] = {4.0 / 9, 6.0 / 9, 2.0 / 6, 6.0 / 9, 1, 3.0 / 6,
                             2.0 / 6, 3.0 / 6, 1.0 / 4};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-6) << i;

  // 3x3 ones, kernel 3, stride 1, pad 1: every divisor is 9.
  Blob<TypeParam> small(vector<int>{1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) small.mutable_cpu_data()[i] = 1;
  this->Run(PoolParam(PoolingParameter_PoolMethod_AVE, 3, 1, 1), &small, {&top});
  const double expected_small[] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(top.cpu_data()[i], expected_small[i] / 9, 1e-6);
}

TYPED_TEST(PoolingLayersTest, OutputExtentRounding) {
  Blob<TypeParam> bottom(vector<int>{1, 2, 6, 5});
  FillDistinct(&bottom);
  Blob<TypeParam> top;
  // ceil((6 - 3) / 2) + 1 = 3, ceil((5 - 3) / 2) + 1 = 2
  this->Run(PoolParam(PoolingParameter_PoolMethod_MAX, 3, 2), &bottom, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 2, 3, 2}));
  // The partial last window still pools what it covers.
  TypeParam last_rows_max = -FLT_MAX;
  for (int h = 4; h < 6; ++h) {
    for (int w = 0; w < 3; ++w) last_rows_max = std::max(last_rows_max, bottom.data_at(0, 0, h, w));
  }
  EXPECT_EQ(top.data_at(0, 0, 2, 0), last_rows_max);

  LayerParameter floor_param = PoolParam(PoolingParameter_PoolMethod_MAX, 3, 2);
  floor_param.mutable_pooling_param()->set_round_mode(PoolingParameter_RoundMode_FLOOR);
  this->Run(floor_param, &bottom, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 2, 2, 2}));

  // With padding the last window must start inside the image: 5 rows, kernel
  // 2, stride 2, pad 1 gives ceil(5 / 2) + 1 = 4, less one.
  Blob<TypeParam> odd(vector<int>{1, 1, 5, 5});
  FillDistinct(&odd);
  this->Run(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 2, 1), &odd, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 1, 3, 3}));
}

TYPED_TEST(PoolingLayersTest, RectangularKernelAndGlobal) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4, 6});
  FillDistinct(&bottom);
  Blob<TypeParam> top;
  LayerParameter param = PoolParam(PoolingParameter_PoolMethod_AVE, 0, 1);
  PoolingParameter* pool = param.mutable_pooling_param();
  pool->clear_stride();
  pool->set_kernel_h(2);
  pool->set_kernel_w(3);
  pool->set_stride_h(2);
  pool->set_stride_w(3);
  this->Run(param, &bottom, {&top});
  ASSERT_EQ(top.shape(), (vector<int>{2, 3, 2, 2}));
  double sum = 0;
  for (int h = 2; h < 4; ++h) {
    for (int w = 3; w < 6; ++w) sum += bottom.data_at(1, 2, h, w);
  }
  EXPECT_NEAR(top.data_at(1, 2, 1, 1), sum / 6, 1e-6);

  LayerParameter global = PoolParam(PoolingParameter_PoolMethod_AVE, 0, 1);
  global.mutable_pooling_param()->set_global_pooling(true);
  auto layer = this->Run(global, &bottom, {&top});
  ASSERT_EQ(top.shape(), (vector<int>{2, 3, 1, 1}));
  sum = 0;
  for (int i = 0; i < 24; ++i) sum += bottom.cpu_data()[24 + i];
  EXPECT_NEAR(top.data_at(0, 1, 0, 0), sum / 24, 1e-6);
  // Global pooling follows the bottom's extent.
  Blob<TypeParam> larger(vector<int>{1, 3, 5, 7});
  layer->Forward({&larger}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 3, 1, 1}));
}

TYPED_TEST(PoolingLayersTest, StochasticTestIsActivationWeightedMean) {
  Blob<TypeParam> bottom(vector<int>{1, 1, 2, 2});
  const TypeParam values[] = {1, 2, 3, 0};
  std::copy(values, values + 4, bottom.mutable_cpu_data());
  Blob<TypeParam> top;
  LayerParameter param = PoolParam(PoolingParameter_PoolMethod_STOCHASTIC, 2, 2);
  param.set_phase(TEST);
  this->Run(param, &bottom, {&top});
  EXPECT_NEAR(top.cpu_data()[0], 14.0 / 6.0, 1e-5);
}

TYPED_TEST(PoolingLayersTest, StochasticTrainSamplesByActivation) {
  // Windows of {1, 3}: the 3 is drawn three times in four.
  const int windows = 4000;
  Blob<TypeParam> bottom(vector<int>{1, 1, 1, 2 * windows});
  for (int i = 0; i < windows; ++i) {
    bottom.mutable_cpu_data()[2 * i] = 1;
    bottom.mutable_cpu_data()[2 * i + 1] = 3;
  }
  Blob<TypeParam> top;
  LayerParameter param = PoolParam(PoolingParameter_PoolMethod_STOCHASTIC, 0, 1);
  param.mutable_pooling_param()->set_kernel_h(1);
  param.mutable_pooling_param()->set_kernel_w(2);
  param.mutable_pooling_param()->set_stride_w(2);
  param.mutable_pooling_param()->set_stride_h(1);
  param.mutable_pooling_param()->clear_stride();
  param.set_phase(TRAIN);
  auto layer = this->Run(param, &bottom, {&top});
  ASSERT_EQ(top.count(), windows);
  int threes = 0;
  for (int i = 0; i < windows; ++i) {
    ASSERT_TRUE(top.cpu_data()[i] == 1 || top.cpu_data()[i] == 3);
    threes += top.cpu_data()[i] == 3;
  }
  EXPECT_NEAR(threes / double(windows), 0.75, 0.03);
  // The gradient goes to the sampled input.
  for (int i = 0; i < windows; ++i) top.mutable_cpu_diff()[i] = 1;
  layer->Backward({&top}, {true}, {&bottom});
  for (int i = 0; i < windows; ++i) {
    const bool took_three = top.cpu_data()[i] == 3;
    EXPECT_EQ(bottom.cpu_diff()[2 * i], took_three ? 0 : 1);
    EXPECT_EQ(bottom.cpu_diff()[2 * i + 1], took_three ? 1 : 0);
  }
}

TYPED_TEST(PoolingLayersTest, Gradients) {
  Blob<TypeParam> bottom(vector<int>{2, 2, 5, 6});
  Blob<TypeParam> top, mask;
  GradientChecker<TypeParam> checker;
  FillDistinct(&bottom);
  {
    PoolingLayer<TypeParam> layer(PoolParam(PoolingParameter_PoolMethod_MAX, 3, 2));
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
  {
    PoolingLayer<TypeParam> layer(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 2, 1));
    checker.CheckGradient(&layer, {&bottom}, {&top}, 0);
  }
  {
    PoolingLayer<TypeParam> layer(PoolParam(PoolingParameter_PoolMethod_AVE, 3, 2, 1));
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
  {
    LayerParameter param = PoolParam(PoolingParameter_PoolMethod_AVE, 0, 1);
    param.mutable_pooling_param()->set_kernel_h(2);
    param.mutable_pooling_param()->set_kernel_w(4);
    param.mutable_pooling_param()->set_round_mode(PoolingParameter_RoundMode_FLOOR);
    PoolingLayer<TypeParam> layer(param);
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
  {
    // Positive activations for the weighted mean.
    for (int i = 0; i < bottom.count(); ++i) {
      bottom.mutable_cpu_data()[i] = 0.5 + std::fabs(bottom.cpu_data()[i]);
    }
    LayerParameter param = PoolParam(PoolingParameter_PoolMethod_STOCHASTIC, 3, 2);
    param.set_phase(TEST);
    PoolingLayer<TypeParam> layer(param);
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
}

TYPED_TEST(PoolingLayersTest, ParameterErrors) {
  Blob<TypeParam> bottom(vector<int>{1, 1, 5, 5});
  Blob<TypeParam> top, extra;
  auto fails = [&](const LayerParameter& param, const vector<Blob<TypeParam>*>& tops) {
    auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
    try {
      layer->SetUp({&bottom}, tops);
      ADD_FAILURE() << "expected a ConfigError for " << param.ShortDebugString();
    } catch (const ConfigError& e) {
      EXPECT_NE(string(e.what()).find("'pool'"), string::npos) << e.what();
    }
  };
  LayerParameter both = PoolParam(PoolingParameter_PoolMethod_MAX, 3, 1);
  both.mutable_pooling_param()->set_kernel_h(3);
  both.mutable_pooling_param()->set_kernel_w(3);
  fails(both, {&top});
  LayerParameter only_h = PoolParam(PoolingParameter_PoolMethod_MAX, 0, 1);
  only_h.mutable_pooling_param()->set_kernel_h(3);
  fails(only_h, {&top});
  LayerParameter global = PoolParam(PoolingParameter_PoolMethod_MAX, 3, 1);
  global.mutable_pooling_param()->set_global_pooling(true);
  fails(global, {&top});
  LayerParameter global_stride = PoolParam(PoolingParameter_PoolMethod_MAX, 0, 2);
  global_stride.mutable_pooling_param()->set_global_pooling(true);
  fails(global_stride, {&top});
  fails(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 1, 2), {&top});
  fails(PoolParam(PoolingParameter_PoolMethod_STOCHASTIC, 3, 1, 1), {&top});
  fails(PoolParam(PoolingParameter_PoolMethod_AVE, 2, 1), {&top, &extra});
  fails(PoolParam(PoolingParameter_PoolMethod_MAX, 0, 1), {&top});
  fails(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 0), {&top});

  Blob<TypeParam> flat(vector<int>{2, 3, 4});
  PoolingLayer<TypeParam> layer(PoolParam(PoolingParameter_PoolMethod_MAX, 2, 1));
  EXPECT_THROW(layer.SetUp({&flat}, {&top}), ShapeError);
}

LayerParameter SppParam(int height, SPPParameter_PoolMethod method) {
  LayerParameter param;
  param.set_name("spp");
  param.set_type("SPP");
  param.mutable_spp_param()->set_pyramid_height(height);
  param.mutable_spp_param()->set_pool(method);
  return param;
}

TYPED_TEST(PoolingLayersTest, SppConcatenatesPyramidLevels) {
  // 9x8 image, 3 levels: 1 + 4 + 16 bins per channel.
  Blob<TypeParam> bottom(vector<int>{2, 3, 9, 8});
  FillDistinct(&bottom);
  Blob<TypeParam> top;
  this->Run(SppParam(3, SPPParameter_PoolMethod_MAX), &bottom, {&top});
  ASSERT_EQ(top.shape(), (vector<int>{2, 3 * 21}));
  // Level l: kernel ceil(extent / 2^l), stride = kernel, pad half the shortfall.
  int position = 0;
  for (int level = 0; level < 3; ++level) {
    const int bins = 1 << level;
    const int kernel_h = (9 + bins - 1) / bins, kernel_w = (8 + bins - 1) / bins;
    const int pad_h = (kernel_h * bins - 9 + 1) / 2, pad_w = (kernel_w * bins - 8 + 1) / 2;
    for (int c = 0; c < 3; ++c) {
      for (int bh = 0; bh < bins; ++bh) {
        for (int bw = 0; bw < bins; ++bw, ++position) {
          TypeParam best = -FLT_MAX;
          for (int h = std::max(bh * kernel_h - pad_h, 0);
               h < std::min(bh * kernel_h - pad_h + kernel_h, 9); ++h) {
            for (int w = std::max(bw * kernel_w - pad_w, 0);
                 w < std::min(bw * kernel_w - pad_w + kernel_w, 8); ++w) {
              best = std::max(best, bottom.data_at(1, c, h, w));
            }
          }
          EXPECT_EQ(top.cpu_data()[top.shape(1) + position], best)
              << "level " << level << " channel " << c << " bin " << bh << "," << bw;
        }
      }
    }
  }
  EXPECT_EQ(position, 63);
}

TYPED_TEST(PoolingLayersTest, SppSingleLevelKeepsPooledShape) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4, 5});
  FillDistinct(&bottom);
  Blob<TypeParam> top;
  auto layer = this->Run(SppParam(1, SPPParameter_PoolMethod_AVE), &bottom, {&top});
  ASSERT_EQ(top.shape(), (vector<int>{2, 3, 1, 1}));
  double sum = 0;
  for (int i = 0; i < 20; ++i) sum += bottom.cpu_data()[20 + i];
  EXPECT_NEAR(top.cpu_data()[1], sum / 20, 1e-6);
  // A new spatial extent rebuilds the pyramid.
  Blob<TypeParam> other(vector<int>{1, 3, 6, 6});
  FillDistinct(&other);
  layer->Forward({&other}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 3, 1, 1}));
}

TYPED_TEST(PoolingLayersTest, SppGradientsAndErrors) {
  Blob<TypeParam> bottom(vector<int>{2, 2, 7, 6});
  FillDistinct(&bottom);
  Blob<TypeParam> top;
  GradientChecker<TypeParam> checker;
  for (auto method : {SPPParameter_PoolMethod_MAX, SPPParameter_PoolMethod_AVE}) {
    SPPLayer<TypeParam> layer(SppParam(3, method));
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
  SPPLayer<TypeParam> empty(SppParam(0, SPPParameter_PoolMethod_MAX));
  EXPECT_THROW(empty.SetUp({&bottom}, {&top}), ConfigError);
}

// Every MAX kernel this CPU runs writes the reference's values and indices,
// bit for bit: over padding, partial last windows, overlapping and sparse
// windows, planes too small for a vector, and inputs with many ties, NaN,
// infinities and -FLT_MAX itself (never selected: upstream compares with >).
TEST(MaxPoolKernels, MatchTheReferenceBitForBit) {
  struct Case {
    int height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  };
  const vector<Case> cases = {
      {24, 24, 2, 2, 2, 2, 0, 0}, {8, 8, 2, 2, 2, 2, 0, 0},   {32, 32, 3, 3, 2, 2, 0, 0},
      {55, 55, 3, 3, 2, 2, 0, 0}, {13, 13, 3, 3, 2, 2, 1, 1}, {7, 9, 3, 2, 1, 1, 2, 1},
      {6, 5, 1, 1, 1, 1, 0, 0},   {17, 30, 2, 4, 3, 3, 1, 0}, {5, 5, 5, 5, 1, 1, 0, 0},
      {40, 3, 4, 3, 4, 1, 2, 2},  {11, 14, 3, 3, 3, 3, 0, 0}};
  std::mt19937 rng(5);
  for (const Case& c : cases) {
    internal::PoolGeometry g{c.height,   c.width,    c.kernel_h, c.kernel_w, c.stride_h,
                             c.stride_w, c.pad_h,    c.pad_w,    0,          0};
    // Caffe's extent (ceil) with the last-window rule, as PoolingLayer::Reshape.
    g.pooled_height = (c.height + 2 * c.pad_h - c.kernel_h + c.stride_h - 1) / c.stride_h + 1;
    g.pooled_width = (c.width + 2 * c.pad_w - c.kernel_w + c.stride_w - 1) / c.stride_w + 1;
    if (c.pad_h && (g.pooled_height - 1) * c.stride_h >= c.height + c.pad_h) --g.pooled_height;
    if (c.pad_w && (g.pooled_width - 1) * c.stride_w >= c.width + c.pad_w) --g.pooled_width;
    const int planes = 3;
    vector<float> in(planes * c.height * c.width);
    std::uniform_int_distribution<int> small(-3, 3), special(0, 19);
    for (float& v : in) {
      v = static_cast<float>(small(rng));
      switch (special(rng)) {
        case 0: v = std::nanf(""); break;
        case 1: v = -FLT_MAX; break;
        case 2: v = std::numeric_limits<float>::infinity(); break;
        case 3: v = -std::numeric_limits<float>::infinity(); break;
        default: break;
      }
    }
    // One plane wholly NaN: every window keeps -FLT_MAX and index -1.
    std::fill(in.begin(), in.begin() + c.height * c.width, std::nanf(""));
    const int outputs = planes * g.pooled_height * g.pooled_width;
    vector<float> ref_out(outputs);
    vector<int> ref_selected(outputs);
    internal::MaxPoolReference(g, planes, in.data(), ref_out.data(), ref_selected.data());
    EXPECT_EQ(ref_selected[0], -1);
    EXPECT_EQ(ref_out[0], -FLT_MAX);
    for (auto isa : {internal::PoolIsa::kScalar, internal::PoolIsa::kAvx2,
                     internal::PoolIsa::kAvx512}) {
      vector<float> out(outputs, 42.f);
      vector<int> selected(outputs, 42);
      if (!internal::MaxPoolPlanesWith(isa, g, planes, in.data(), out.data(), selected.data())) {
        continue;  // not on this CPU
      }
      SCOPED_TRACE(testing::Message() << "isa " << static_cast<int>(isa) << ", input "
                                      << c.height << "x" << c.width << ", kernel " << c.kernel_h
                                      << "x" << c.kernel_w << ", stride " << c.stride_h << "x"
                                      << c.stride_w << ", pad " << c.pad_h << "x" << c.pad_w);
      EXPECT_EQ(selected, ref_selected);
      EXPECT_EQ(std::memcmp(out.data(), ref_out.data(), outputs * sizeof(float)), 0);
    }
  }
}

}  // namespace
}  // namespace caffe
