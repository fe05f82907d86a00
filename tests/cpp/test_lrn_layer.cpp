// LRN layer: upstream fixture, a direct-formula oracle for both normalisation
// regions, gradient checks and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "caffe/layers/lrn_layer.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

LayerParameter LrnParam(int size, float alpha, float beta, float k, bool within) {
  LayerParameter param;
  param.set_name("norm");
  param.set_type("LRN");
  LRNParameter* lrn = param.mutable_lrn_param();
  lrn->set_local_size(size);
  lrn->set_alpha(alpha);
  lrn->set_beta(beta);
  lrn->set_k(k);
  lrn->set_norm_region(within ? LRNParameter_NormRegion_WITHIN_CHANNEL
                              : LRNParameter_NormRegion_ACROSS_CHANNELS);
  return param;
}

template <typename Dtype>
class LRNLayerTest : public SeededLayerTest<Dtype> {};
TYPED_TEST_SUITE(LRNLayerTest, TestDtypes);

TYPED_TEST(LRNLayerTest, UpstreamFixture) { CheckReferenceLayerCase<TypeParam>("lrn_across"); }

// y = x * scale^-beta computed from the definition, one element at a time.
template <typename Dtype>
vector<double> DirectLrn(const Blob<Dtype>& x, int size, double alpha, double beta, double k,
                         bool within) {
  const int half = (size - 1) / 2;
  vector<double> y(x.count());
  for (int n = 0; n < x.num(); ++n) {
    for (int c = 0; c < x.channels(); ++c) {
      for (int h = 0; h < x.height(); ++h) {
        for (int w = 0; w < x.width(); ++w) {
          double sum = 0;
          if (within) {
            for (int dh = -half; dh <= half; ++dh) {
              for (int dw = -half; dw <= half; ++dw) {
                const int hh = h + dh, ww = w + dw;
                if (hh < 0 || hh >= x.height() || ww < 0 || ww >= x.width()) continue;
                sum += std::pow(double(x.data_at(n, c, hh, ww)), 2);
              }
            }
          } else {
            for (int cc = c - half; cc <= c + half; ++cc) {
              if (cc < 0 || cc >= x.channels()) continue;
              sum += std::pow(double(x.data_at(n, cc, h, w)), 2);
            }
          }
          const double scale = within ? 1 + alpha / (size * size) * sum : k + alpha / size * sum;
          y[x.offset(n, c, h, w)] = x.data_at(n, c, h, w) * std::pow(scale, -beta);
        }
      }
    }
  }
  return y;
}

TYPED_TEST(LRNLayerTest, MatchesDefinition) {
  Blob<TypeParam> bottom(vector<int>{2, 7, 3, 4});
  FillGaussian(&bottom);
  Blob<TypeParam> top;
  struct Case { int size; float alpha, beta, k; bool within; };
  for (const Case& c : {Case{5, 1, 0.75, 1, false}, Case{3, 2, 0.5, 2, false},
                        Case{1, 0.5, 1, 1.5, false}, Case{3, 1, 0.75, 1, true},
                        Case{5, 3, 0.6, 7, true}}) {
    LRNLayer<TypeParam> layer(LrnParam(c.size, c.alpha, c.beta, c.k, c.within));
    layer.SetUp({&bottom}, {&top});
    layer.Forward({&bottom}, {&top});
    const vector<double> expected = DirectLrn(bottom, c.size, c.alpha, c.beta, c.k, c.within);
    for (int i = 0; i < top.count(); ++i) {
      EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-5)
          << "size " << c.size << (c.within ? " within" : " across") << " element " << i;
    }
  }
}

TYPED_TEST(LRNLayerTest, Gradients) {
  Blob<TypeParam> bottom(vector<int>{2, 5, 3, 3});
  FillGaussian(&bottom);
  Blob<TypeParam> top;
  GradientChecker<TypeParam> checker;
  for (bool within : {false, true}) {
    for (int size : {3, 5}) {
      LRNLayer<TypeParam> layer(LrnParam(size, 1.5, 0.75, 2, within));
      checker.CheckGradient(&layer, {&bottom}, {&top});
    }
  }
}

TYPED_TEST(LRNLayerTest, Errors) {
  Blob<TypeParam> bottom(vector<int>{1, 3, 2, 2});
  Blob<TypeParam> top;
  LRNLayer<TypeParam> even(LrnParam(4, 1, 0.75, 1, false));
  try {
    even.SetUp({&bottom}, {&top});
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(string(e.what()).find("'norm'"), string::npos) << e.what();
  }
  Blob<TypeParam> flat(vector<int>{3, 4});
  LRNLayer<TypeParam> layer(LrnParam(3, 1, 0.75, 1, false));
  EXPECT_THROW(layer.SetUp({&flat}, {&top}), ShapeError);
  LRNLayer<TypeParam> in_place(LrnParam(3, 1, 0.75, 1, false));
  EXPECT_THROW(in_place.SetUp({&bottom}, {&bottom}), ConfigError);
}

}  // namespace
}  // namespace caffe
