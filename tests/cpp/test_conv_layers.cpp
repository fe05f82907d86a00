// Convolution, Deconvolution and Im2col layers, and the im2col utilities:
// upstream fixtures, hand-computed values, a direct (loop) convolution as the
// oracle for every geometry, gradient checks and parameter errors.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/conv_layer.hpp"
#include "caffe/layers/deconv_layer.hpp"
#include "caffe/layers/im2col_layer.hpp"
#include "caffe/util/im2col.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

struct Geometry {
  vector<int> kernel, pad, stride, dilation;
  int group = 1;
};

// Calls f(position) for every index vector in the box [0, extent).
template <typename F>
void ForEachIndex(const vector<int>& extent, F f) {
  vector<int> pos(extent.size(), 0);
  for (int e : extent) {
    if (e <= 0) return;
  }
  while (true) {
    f(pos);
    int axis = static_cast<int>(extent.size()) - 1;
    for (; axis >= 0; --axis) {
      if (++pos[axis] < extent[axis]) break;
      pos[axis] = 0;
    }
    if (axis < 0) return;
  }
}

// Flat offset of (n, c, spatial...) in a row-major blob of `shape`.
int Flat(const vector<int>& shape, int n, int c, const vector<int>& spatial) {
  int index = n * shape[1] + c;
  for (size_t i = 0; i < spatial.size(); ++i) index = index * shape[i + 2] + spatial[i];
  return index;
}

// Direct convolution (axis 1 is the channel axis): the oracle.
template <typename Dtype>
vector<Dtype> DirectConv(const Blob<Dtype>& in, const Blob<Dtype>& weight, const Blob<Dtype>* bias,
                         const Geometry& g, const vector<int>& out_shape) {
  const int spatial = in.num_axes() - 2;
  const int out_channels = out_shape[1];
  const int in_per_group = in.shape(1) / g.group;
  const int out_per_group = out_channels / g.group;
  vector<Dtype> out(Blob<Dtype>(out_shape).count(), 0);
  const vector<int> out_spatial(out_shape.begin() + 2, out_shape.end());
  for (int n = 0; n < in.shape(0); ++n) {
    for (int o = 0; o < out_channels; ++o) {
      const int group = o / out_per_group;
      ForEachIndex(out_spatial, [&](const vector<int>& opos) {
        Dtype sum = bias ? bias->cpu_data()[o] : Dtype(0);
        for (int ci = 0; ci < in_per_group; ++ci) {
          const int c = group * in_per_group + ci;
          ForEachIndex(g.kernel, [&](const vector<int>& kpos) {
            vector<int> ipos(spatial);
            for (int a = 0; a < spatial; ++a) {
              ipos[a] = opos[a] * g.stride[a] - g.pad[a] + kpos[a] * g.dilation[a];
              if (ipos[a] < 0 || ipos[a] >= in.shape(a + 2)) return;
            }
            vector<int> widx{o, ci};
            widx.insert(widx.end(), kpos.begin(), kpos.end());
            sum += in.cpu_data()[Flat(in.shape(), n, c, ipos)] * weight.data_at(widx);
          });
        }
        out[Flat(out_shape, n, o, opos)] = sum;
      });
    }
  }
  return out;
}

// Direct transposed convolution: every input scatters through the kernel.
template <typename Dtype>
vector<Dtype> DirectDeconv(const Blob<Dtype>& in, const Blob<Dtype>& weight,
                           const Blob<Dtype>* bias, const Geometry& g,
                           const vector<int>& out_shape) {
  const int spatial = in.num_axes() - 2;
  const int channels = in.shape(1);
  const int out_channels = out_shape[1];
  const int in_per_group = channels / g.group;
  const int out_per_group = out_channels / g.group;
  vector<Dtype> out(Blob<Dtype>(out_shape).count(), 0);
  const vector<int> in_spatial(in.shape().begin() + 2, in.shape().end());
  for (int n = 0; n < in.shape(0); ++n) {
    for (int c = 0; c < channels; ++c) {
      const int group = c / in_per_group;
      ForEachIndex(in_spatial, [&](const vector<int>& ipos) {
        const Dtype x = in.cpu_data()[Flat(in.shape(), n, c, ipos)];
        for (int oi = 0; oi < out_per_group; ++oi) {
          const int o = group * out_per_group + oi;
          ForEachIndex(g.kernel, [&](const vector<int>& kpos) {
            vector<int> opos(spatial);
            for (int a = 0; a < spatial; ++a) {
              opos[a] = ipos[a] * g.stride[a] - g.pad[a] + kpos[a] * g.dilation[a];
              if (opos[a] < 0 || opos[a] >= out_shape[a + 2]) return;
            }
            vector<int> widx{c, oi};
            widx.insert(widx.end(), kpos.begin(), kpos.end());
            out[Flat(out_shape, n, o, opos)] += x * weight.data_at(widx);
          });
        }
      });
    }
  }
  if (bias) {
    const int per_channel = Blob<Dtype>(out_shape).count(2);
    for (int n = 0; n < out_shape[0]; ++n) {
      for (int o = 0; o < out_channels; ++o) {
        for (int i = 0; i < per_channel; ++i) {
          out[(n * out_channels + o) * per_channel + i] += bias->cpu_data()[o];
        }
      }
    }
  }
  return out;
}

// The geometry with every quantity spelled out per spatial axis, as the
// layer reads it (a single value applies to all axes; none means default).
Geometry PerAxis(const Geometry& g, int spatial) {
  auto expand = [spatial](const vector<int>& v, int fallback) {
    if (v.empty()) return vector<int>(spatial, fallback);
    if (v.size() == 1) return vector<int>(spatial, v[0]);
    return v;
  };
  return Geometry{expand(g.kernel, 1), expand(g.pad, 0), expand(g.stride, 1),
                  expand(g.dilation, 1), g.group};
}

LayerParameter ConvParam(const string& type, int num_output, const Geometry& g,
                         bool bias = true) {
  LayerParameter param;
  param.set_name("conv");
  param.set_type(type);
  ConvolutionParameter* conv = param.mutable_convolution_param();
  conv->set_num_output(num_output);
  conv->set_bias_term(bias);
  conv->set_group(g.group);
  for (int k : g.kernel) conv->add_kernel_size(k);
  for (int p : g.pad) conv->add_pad(p);
  for (int s : g.stride) conv->add_stride(s);
  for (int d : g.dilation) conv->add_dilation(d);
  conv->mutable_weight_filler()->set_type("gaussian");
  conv->mutable_bias_filler()->set_type("gaussian");
  return param;
}

template <typename Dtype>
class ConvLayersTest : public SeededLayerTest<Dtype> {
 protected:
  // Runs `type` on a random bottom of `shape` and compares with the oracle.
  void CheckAgainstDirect(const string& type, const vector<int>& shape, int num_output,
                          const Geometry& g, bool force_nd = false, bool bias = true) {
    Blob<Dtype> bottom(shape);
    Blob<Dtype> top;
    FillGaussian(&bottom);
    LayerParameter param = ConvParam(type, num_output, g, bias);
    param.mutable_convolution_param()->set_force_nd_im2col(force_nd);
    auto layer = LayerRegistry<Dtype>::CreateLayer(param);
    vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    const Blob<Dtype>* bias_blob = bias ? layer->blobs()[1].get() : nullptr;
    const Geometry full = PerAxis(g, bottom.num_axes() - 2);
    const vector<Dtype> expected =
        type == "Convolution"
            ? DirectConv(bottom, *layer->blobs()[0], bias_blob, full, top.shape())
            : DirectDeconv(bottom, *layer->blobs()[0], bias_blob, full, top.shape());
    ASSERT_EQ(static_cast<int>(expected.size()), top.count());
    for (int i = 0; i < top.count(); ++i) {
      EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-4) << type << " output " << i;
    }
  }

  void CheckGradient(const string& type, const vector<int>& shape, int num_output,
                     const Geometry& g, bool force_nd = false) {
    Blob<Dtype> bottom(shape);
    Blob<Dtype> top;
    FillGaussian(&bottom);
    LayerParameter param = ConvParam(type, num_output, g);
    param.mutable_convolution_param()->set_force_nd_im2col(force_nd);
    auto layer = LayerRegistry<Dtype>::CreateLayer(param);
    GradientChecker<Dtype> checker;
    checker.CheckGradient(layer.get(), {&bottom}, {&top});
  }
};

TYPED_TEST_SUITE(ConvLayersTest, TestDtypes);

TYPED_TEST(ConvLayersTest, UpstreamFixtures) {
  CheckReferenceLayerCase<TypeParam>("conv_basic");
  CheckReferenceLayerCase<TypeParam>("conv_pad_stride");
  CheckReferenceLayerCase<TypeParam>("deconv");
}

TYPED_TEST(ConvLayersTest, HandComputedForward) {
  // 3x3 image 1..9, one 2x2 filter of ones, bias 0.5, pad 1, stride 2:
  // windows start at (-1,-1), (-1,1), (1,-1), (1,1).
  Blob<TypeParam> bottom(vector<int>{1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) bottom.mutable_cpu_data()[i] = i + 1;
  Blob<TypeParam> top;
  Geometry g{{2}, {1}, {2}, {}};
  LayerParameter param = ConvParam("Convolution", 1, g);
  param.mutable_convolution_param()->mutable_weight_filler()->set_type("constant");
  param.mutable_convolution_param()->mutable_weight_filler()->set_value(1);
  param.mutable_convolution_param()->mutable_bias_filler()->set_type("constant");
  param.mutable_convolution_param()->mutable_bias_filler()->set_value(0.5);
  ConvolutionLayer<TypeParam> layer(param);
  layer.SetUp({&bottom}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 1, 2, 2}));
  layer.Forward({&bottom}, {&top});
  const TypeParam expected[] = {1.5, 2 + 3 + 0.5, 4 + 7 + 0.5, 5 + 6 + 8 + 9 + 0.5};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(top.cpu_data()[i], expected[i], 1e-6);
}

TYPED_TEST(ConvLayersTest, OutputShapeFormula) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 11, 8});
  Blob<TypeParam> top;
  // (11 + 2*2 - (2*(3-1)+1)) / 3 + 1 = 4 ; (8 + 2*1 - (1*(2-1)+1)) / 2 + 1 = 5
  LayerParameter param;
  param.set_type("Convolution");
  ConvolutionParameter* conv = param.mutable_convolution_param();
  conv->set_num_output(6);
  conv->set_kernel_h(3);
  conv->set_kernel_w(2);
  conv->set_pad_h(2);
  conv->set_pad_w(1);
  conv->set_stride_h(3);
  conv->set_stride_w(2);
  conv->add_dilation(2);
  conv->add_dilation(1);
  ConvolutionLayer<TypeParam> layer(param);
  layer.SetUp({&bottom}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{2, 6, 4, 5}));
  EXPECT_EQ(layer.blobs()[0]->shape(), (vector<int>{6, 3, 3, 2}));
  EXPECT_EQ(layer.blobs()[1]->shape(), (vector<int>{6}));

  // Deconvolution inverts it: 2 * (4 - 1) + 3 - 2 * 1 = 7.
  Blob<TypeParam> small(vector<int>{1, 2, 4, 4});
  LayerParameter deconv_param = ConvParam("Deconvolution", 4, Geometry{{3}, {1}, {2}, {}, 2});
  DeconvolutionLayer<TypeParam> deconv(deconv_param);
  deconv.SetUp({&small}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 4, 7, 7}));
  EXPECT_EQ(deconv.blobs()[0]->shape(), (vector<int>{2, 2, 3, 3}));
}

TYPED_TEST(ConvLayersTest, MatchesDirectConvolution) {
  this->CheckAgainstDirect("Convolution", {2, 3, 6, 5}, 4, Geometry{{3}, {0}, {1}, {1}});
  this->CheckAgainstDirect("Convolution", {2, 3, 7, 8}, 2, Geometry{{3, 2}, {1, 2}, {2, 3}, {1}});
  this->CheckAgainstDirect("Convolution", {1, 4, 9, 9}, 6, Geometry{{3}, {2}, {1}, {2}, 2});
  this->CheckAgainstDirect("Convolution", {2, 6, 4, 5}, 3, Geometry{{1}, {0}, {1}, {1}, 3});
  this->CheckAgainstDirect("Convolution", {2, 3, 4, 5}, 2, Geometry{{1}, {0}, {1}, {1}}, false,
                           false);
  // 1x1 but strided: not the pointwise shortcut.
  this->CheckAgainstDirect("Convolution", {1, 2, 5, 5}, 2, Geometry{{1}, {0}, {2}, {1}});
}

TYPED_TEST(ConvLayersTest, ForcedNdLoweringMatches2d) {
  this->CheckAgainstDirect("Convolution", {2, 4, 7, 6}, 4, Geometry{{3, 2}, {1}, {2, 1}, {2, 1}, 2},
                           true);
  this->CheckAgainstDirect("Deconvolution", {2, 4, 3, 4}, 2, Geometry{{3}, {1}, {2}, {1}, 2},
                           true);
}

TYPED_TEST(ConvLayersTest, NdConvolution) {
  this->CheckAgainstDirect("Convolution", {2, 3, 4, 5, 6}, 2, Geometry{{3, 2, 3}, {1, 0, 2}, {1, 2, 2}, {1, 1, 2}});
  this->CheckAgainstDirect("Convolution", {2, 2, 9}, 3, Geometry{{3}, {1}, {2}, {2}});
  this->CheckAgainstDirect("Deconvolution", {1, 2, 3, 3, 2}, 2, Geometry{{2}, {0}, {2}, {1}});
}

TYPED_TEST(ConvLayersTest, MatchesDirectDeconvolution) {
  this->CheckAgainstDirect("Deconvolution", {2, 3, 4, 5}, 2, Geometry{{4}, {1}, {2}, {1}});
  this->CheckAgainstDirect("Deconvolution", {1, 4, 3, 3}, 6, Geometry{{3}, {0}, {1}, {2}, 2});
  this->CheckAgainstDirect("Deconvolution", {2, 3, 3, 4}, 2, Geometry{{1}, {0}, {1}, {1}});
}

TYPED_TEST(ConvLayersTest, ChannelAxisAndMultipleBottoms) {
  // With axis 2 the first two axes are both batch axes.
  Blob<TypeParam> bottom(vector<int>{2, 3, 2, 5, 5});
  Blob<TypeParam> second(vector<int>{2, 3, 2, 5, 5});
  FillGaussian(&bottom);
  FillGaussian(&second);
  Blob<TypeParam> top, top2;
  Geometry g{{3}, {1}, {1}, {}};
  LayerParameter param = ConvParam("Convolution", 4, g);
  param.mutable_convolution_param()->set_axis(2);
  ConvolutionLayer<TypeParam> layer(param);
  layer.SetUp({&bottom, &second}, {&top, &top2});
  EXPECT_EQ(top.shape(), (vector<int>{2, 3, 4, 5, 5}));
  layer.Forward({&bottom, &second}, {&top, &top2});

  Blob<TypeParam> flat(vector<int>{6, 2, 5, 5});
  flat.ShareData(second);
  const vector<TypeParam> expected =
      DirectConv(flat, *layer.blobs()[0], layer.blobs()[1].get(), Geometry{{3, 3}, {1, 1}, {1, 1}, {1, 1}},
                 vector<int>{6, 4, 5, 5});
  for (int i = 0; i < top2.count(); ++i) EXPECT_NEAR(top2.cpu_data()[i], expected[i], 1e-4);
}

TYPED_TEST(ConvLayersTest, Gradients) {
  this->CheckGradient("Convolution", {2, 3, 5, 4}, 2, Geometry{{3}, {1}, {2}, {1}});
  this->CheckGradient("Convolution", {1, 4, 6, 6}, 4, Geometry{{3}, {1}, {1}, {2}, 2});
  this->CheckGradient("Convolution", {2, 2, 3, 3}, 3, Geometry{{1}, {0}, {1}, {1}});
  this->CheckGradient("Convolution", {1, 2, 3, 4, 3}, 2, Geometry{{2}, {1}, {2}, {1}});
  this->CheckGradient("Deconvolution", {2, 2, 3, 3}, 2, Geometry{{3}, {1}, {2}, {1}});
  this->CheckGradient("Deconvolution", {1, 4, 3, 3}, 2, Geometry{{2}, {0}, {1}, {1}, 2});
}

TYPED_TEST(ConvLayersTest, ParameterErrorsNameTheLayer) {
  Blob<TypeParam> bottom(vector<int>{1, 3, 5, 5});
  Blob<TypeParam> top;
  auto setup_fails = [&](const LayerParameter& param, const char* what) {
    auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
    try {
      layer->SetUp({&bottom}, {&top});
      ADD_FAILURE() << "expected an error for " << what;
    } catch (const ConfigError& e) {
      EXPECT_NE(string(e.what()).find("'conv'"), string::npos) << e.what();
    }
  };
  setup_fails(ConvParam("Convolution", 4, Geometry{{3}, {}, {}, {}, 2}), "group vs channels");
  setup_fails(ConvParam("Convolution", 4, Geometry{{3}, {}, {}, {}, 3}), "group vs num_output");
  setup_fails(ConvParam("Convolution", 4, Geometry{{0}, {}, {}, {}}), "zero kernel");
  setup_fails(ConvParam("Convolution", 4, Geometry{{}, {}, {}, {}}), "no kernel");
  setup_fails(ConvParam("Convolution", 4, Geometry{{3}, {}, {0}, {}}), "zero stride");
  setup_fails(ConvParam("Convolution", 4, Geometry{{3, 3, 3}, {}, {}, {}}), "3 kernel dims in 2-D");
  setup_fails(ConvParam("Convolution", 0, Geometry{{3}, {}, {}, {}}), "num_output 0");
  setup_fails(ConvParam("Deconvolution", 4, Geometry{{3}, {1, 1, 1}, {}, {}}), "3 pads in 2-D");
  LayerParameter both = ConvParam("Convolution", 4, Geometry{{3}, {}, {}, {}});
  both.mutable_convolution_param()->set_kernel_h(3);
  both.mutable_convolution_param()->set_kernel_w(3);
  setup_fails(both, "kernel_size and kernel_h");
  LayerParameter stride_pair = ConvParam("Convolution", 4, Geometry{{3}, {}, {2}, {}});
  stride_pair.mutable_convolution_param()->set_stride_h(1);
  setup_fails(stride_pair, "stride and stride_h");

  // kernel_h/kernel_w only for 2-D.
  Blob<TypeParam> volume(vector<int>{1, 3, 5, 5, 5});
  LayerParameter hw;
  hw.set_name("conv");
  hw.set_type("Convolution");
  hw.mutable_convolution_param()->set_num_output(2);
  hw.mutable_convolution_param()->set_kernel_h(2);
  hw.mutable_convolution_param()->set_kernel_w(2);
  ConvolutionLayer<TypeParam> hw_layer(hw);
  EXPECT_THROW(hw_layer.SetUp({&volume}, {&top}), ConfigError);
}

TYPED_TEST(ConvLayersTest, ShapeErrors) {
  Blob<TypeParam> bottom(vector<int>{1, 3, 4, 4});
  Blob<TypeParam> top;
  ConvolutionLayer<TypeParam> too_big(ConvParam("Convolution", 2, Geometry{{5}, {}, {}, {}}));
  EXPECT_THROW(too_big.SetUp({&bottom}, {&top}), ShapeError);

  ConvolutionLayer<TypeParam> layer(ConvParam("Convolution", 2, Geometry{{3}, {}, {}, {}}));
  layer.SetUp({&bottom}, {&top});
  Blob<TypeParam> other_channels(vector<int>{1, 2, 4, 4});
  EXPECT_THROW(layer.Forward({&other_channels}, {&top}), ShapeError);

  LayerParameter with_blobs = ConvParam("Convolution", 2, Geometry{{3}, {}, {}, {}});
  Blob<TypeParam> wrong(vector<int>{2, 3, 2, 2});
  wrong.ToProto(with_blobs.add_blobs());
  Blob<TypeParam>(vector<int>{2}).ToProto(with_blobs.add_blobs());
  ConvolutionLayer<TypeParam> preloaded(with_blobs);
  EXPECT_THROW(preloaded.SetUp({&bottom}, {&top}), ShapeError);
}

TYPED_TEST(ConvLayersTest, Im2colLayerHandValues) {
  // 1 channel 3x3 image, 2x2 kernel, stride 1: 4 rows (kernel offsets) x 4 columns.
  Blob<TypeParam> bottom(vector<int>{1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) bottom.mutable_cpu_data()[i] = i;
  Blob<TypeParam> top;
  LayerParameter param = ConvParam("Im2col", 1, Geometry{{2}, {}, {}, {}});
  auto layer = LayerRegistry<TypeParam>::CreateLayer(param);
  layer->SetUp({&bottom}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{1, 4, 2, 2}));
  layer->Forward({&bottom}, {&top});
  const TypeParam expected[] = {0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(top.cpu_data()[i], expected[i]) << i;

  // Padding produces zeros; the N-D path agrees with the 2-D one.
  Blob<TypeParam> image(vector<int>{2, 3, 5, 4});
  FillGaussian(&image);
  Blob<TypeParam> fast, general;
  Geometry g{{3, 2}, {1, 2}, {2, 1}, {1, 2}};
  auto fast_layer = LayerRegistry<TypeParam>::CreateLayer(ConvParam("Im2col", 1, g));
  LayerParameter nd_param = ConvParam("Im2col", 1, g);
  nd_param.mutable_convolution_param()->set_force_nd_im2col(true);
  auto nd_layer = LayerRegistry<TypeParam>::CreateLayer(nd_param);
  fast_layer->SetUp({&image}, {&fast});
  nd_layer->SetUp({&image}, {&general});
  fast_layer->Forward({&image}, {&fast});
  nd_layer->Forward({&image}, {&general});
  ASSERT_EQ(fast.shape(), general.shape());
  EXPECT_EQ(fast.shape(), (vector<int>{2, 18, 3, 6}));
  for (int i = 0; i < fast.count(); ++i) EXPECT_EQ(fast.cpu_data()[i], general.cpu_data()[i]);
}

TYPED_TEST(ConvLayersTest, Im2colLayerGradient) {
  for (bool force_nd : {false, true}) {
    Blob<TypeParam> bottom(vector<int>{2, 2, 4, 5});
    FillGaussian(&bottom);
    Blob<TypeParam> top;
    LayerParameter param = ConvParam("Im2col", 1, Geometry{{3, 2}, {1}, {2, 1}, {1, 2}});
    param.mutable_convolution_param()->set_force_nd_im2col(force_nd);
    Im2colLayer<TypeParam> layer(param);
    GradientChecker<TypeParam> checker;
    checker.CheckGradient(&layer, {&bottom}, {&top});
  }
}

TYPED_TEST(ConvLayersTest, Col2imIsTheAdjointOfIm2col) {
  // <im2col(x), y> == <x, col2im(y)> for both paths.
  const int channels = 2, height = 5, width = 6;
  const int kernel[] = {3, 2}, pad[] = {1, 2}, stride[] = {2, 1}, dilation[] = {2, 1};
  const int out_h = (height + 2 * pad[0] - (dilation[0] * (kernel[0] - 1) + 1)) / stride[0] + 1;
  const int out_w = (width + 2 * pad[1] - (dilation[1] * (kernel[1] - 1) + 1)) / stride[1] + 1;
  Blob<TypeParam> image(vector<int>{channels, height, width});
  Blob<TypeParam> cols(vector<int>{channels * 6, out_h, out_w});
  FillGaussian(&image);
  FillGaussian(&cols);
  const int im_shape[] = {channels, height, width};
  const int col_shape[] = {channels * 6, out_h, out_w};
  for (bool nd : {false, true}) {
    vector<TypeParam> lowered(cols.count()), raised(image.count());
    if (nd) {
      im2col_nd_cpu(image.cpu_data(), 2, im_shape, col_shape, kernel, pad, stride, dilation,
                    lowered.data());
      col2im_nd_cpu(cols.cpu_data(), 2, im_shape, col_shape, kernel, pad, stride, dilation,
                    raised.data());
    } else {
      im2col_cpu(image.cpu_data(), channels, height, width, kernel[0], kernel[1], pad[0], pad[1],
                 stride[0], stride[1], dilation[0], dilation[1], lowered.data());
      col2im_cpu(cols.cpu_data(), channels, height, width, kernel[0], kernel[1], pad[0], pad[1],
                 stride[0], stride[1], dilation[0], dilation[1], raised.data());
    }
    double lhs = 0, rhs = 0;
    for (int i = 0; i < cols.count(); ++i) lhs += lowered[i] * cols.cpu_data()[i];
    for (int i = 0; i < image.count(); ++i) rhs += raised[i] * image.cpu_data()[i];
    EXPECT_NEAR(lhs, rhs, 1e-3) << (nd ? "N-D" : "2-D");
  }
}

}  // namespace
}  // namespace caffe
