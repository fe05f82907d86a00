// InnerProduct and LRN layers: upstream fixtures, hand-computed values,
// direct-formula oracles for both LRN regions, gradient checks, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "caffe/filler.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/inner_product_layer.hpp"
#include "caffe/layers/lrn_layer.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

template <typename Dtype>
void FillGaussian(Blob<Dtype>* blob) {
  FillerParameter filler;
  filler.set_type("gaussian");
  GetFiller<Dtype>(filler)->Fill(blob);
}

LayerParameter IpParam(int num_output, bool bias = true, bool transpose = false, int axis = 1) {
  LayerParameter param;
  param.set_name("ip");
  param.set_type("InnerProduct");
  InnerProductParameter* ip = param.mutable_inner_product_param();
  ip->set_num_output(num_output);
  ip->set_bias_term(bias);
  ip->set_transpose(transpose);
  ip->set_axis(axis);
  ip->mutable_weight_filler()->set_type("gaussian");
  ip->mutable_bias_filler()->set_type("gaussian");
  return param;
}

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
class IpLrnTest : public ::testing::Test {
 protected:
  void SetUp() override { Caffe::set_random_seed(1701); }
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(IpLrnTest, Dtypes);

TYPED_TEST(IpLrnTest, UpstreamFixtures) {
  CheckReferenceLayerCase<TypeParam>("ip");
  CheckReferenceLayerCase<TypeParam>("lrn_across");
}

TYPED_TEST(IpLrnTest, InnerProductHandValues) {
  // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1].
  Blob<TypeParam> bottom(vector<int>{2, 3, 1, 1});
  for (int i = 0; i < 6; ++i) bottom.mutable_cpu_data()[i] = i + 1;
  Blob<TypeParam> top;
  for (bool transpose : {false, true}) {
    InnerProductLayer<TypeParam> layer(IpParam(2, true, transpose));
    layer.SetUp({&bottom}, {&top});
    ASSERT_EQ(top.shape(), (vector<int>{2, 2}));
    const TypeParam w[2][3] = {{1, 0, -1}, {2, 1, 0}};
    Blob<TypeParam>& weights = *layer.blobs()[0];
    EXPECT_EQ(weights.shape(), transpose ? (vector<int>{3, 2}) : (vector<int>{2, 3}));
    for (int o = 0; o < 2; ++o) {
      for (int i = 0; i < 3; ++i) {
        weights.mutable_cpu_data()[transpose ? i * 2 + o : o * 3 + i] = w[o][i];
      }
    }
    layer.blobs()[1]->mutable_cpu_data()[0] = 0.5;
    layer.blobs()[1]->mutable_cpu_data()[1] = -1;
    layer.Forward({&bottom}, {&top});
    const TypeParam expected[] = {-2 + 0.5, 4 - 1, -2 + 0.5, 13 - 1};
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-6) << i;
  }
}

TYPED_TEST(IpLrnTest, InnerProductAxisAndGradients) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4});
  FillGaussian(&bottom);
  Blob<TypeParam> top;
  InnerProductLayer<TypeParam> axis_layer(IpParam(5, true, false, 2));
  axis_layer.SetUp({&bottom}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{2, 3, 5}));
  axis_layer.Forward({&bottom}, {&top});
  // Row (1, 2) of the top is W x[1, 2, :] + b.
  for (int o = 0; o < 5; ++o) {
    double expected = axis_layer.blobs()[1]->cpu_data()[o];
    for (int i = 0; i < 4; ++i) {
      expected += axis_layer.blobs()[0]->cpu_data()[o * 4 + i] * bottom.cpu_data()[20 + i];
    }
    EXPECT_NEAR(top.cpu_data()[(1 * 3 + 2) * 5 + o], expected, 1e-5);
  }

  GradientChecker<TypeParam> checker;
  for (bool transpose : {false, true}) {
    for (bool bias : {false, true}) {
      InnerProductLayer<TypeParam> layer(IpParam(3, bias, transpose));
      checker.CheckGradient(&layer, {&bottom}, {&top});
    }
  }
  InnerProductLayer<TypeParam> layer(IpParam(3, true, false, -1));
  checker.CheckGradient(&layer, {&bottom}, {&top});
}

TYPED_TEST(IpLrnTest, InnerProductErrors) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4});
  Blob<TypeParam> top;
  InnerProductLayer<TypeParam> no_outputs(IpParam(0));
  EXPECT_THROW(no_outputs.SetUp({&bottom}, {&top}), ConfigError);

  InnerProductLayer<TypeParam> layer(IpParam(2));
  layer.SetUp({&bottom}, {&top});
  Blob<TypeParam> wider(vector<int>{2, 3, 5});
  try {
    layer.Forward({&wider}, {&top});
    ADD_FAILURE() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(string(e.what()).find("'ip'"), string::npos) << e.what();
  }

  LayerParameter preloaded = IpParam(2);
  Blob<TypeParam>(vector<int>{2, 11}).ToProto(preloaded.add_blobs());
  Blob<TypeParam>(vector<int>{2}).ToProto(preloaded.add_blobs());
  InnerProductLayer<TypeParam> wrong(preloaded);
  EXPECT_THROW(wrong.SetUp({&bottom}, {&top}), ShapeError);
}

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

TYPED_TEST(IpLrnTest, LrnMatchesDefinition) {
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

TYPED_TEST(IpLrnTest, LrnGradients) {
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

TYPED_TEST(IpLrnTest, LrnErrors) {
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
