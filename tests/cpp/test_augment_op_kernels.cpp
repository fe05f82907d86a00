// Every row of the op table, iterated: the fast kernel against the
// reference kernel (directly and through the whole pipeline), that the op
// changes the image at all, geometric folds against their reference point
// maps, and the definitions of the DeepAugment ops on simple inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "augment_test_util.hpp"
#include "caffe/augment/augmenter.hpp"
#include "caffe/augment/ops.hpp"
#include "caffe/augment/reference.hpp"

namespace caffe {
namespace augment {
namespace {

using test::MaxAbsDiff;
using test::TexturedImage;
typedef AugmentationParameter AP;

RecordContext Record(uint64_t i) {
  RecordContext ctx;
  ctx.record = i;
  return ctx;
}

AP SingleOpPolicy(OpType type, double magnitude, int64_t seed = 3) {
  AP param;
  param.set_random_seed(seed);
  AP::Op* op = param.mutable_policy()->add_sub_policy()->add_op();
  op->set_type(type);
  op->set_prob(1);
  op->set_magnitude(magnitude);
  return param;
}

std::string OpName(const ::testing::TestParamInfo<int>& info) {
  return OpTable()[info.param].name;
}

class EveryOp : public ::testing::TestWithParam<int> {
 protected:
  const OpSpec& op() const { return OpTable()[GetParam()]; }
};

// Through Augmenter::Render and reference::Render, both layouts.
TEST_P(EveryOp, PipelineFastMatchesReference) {
  const int h = 19, w = 21;
  for (double magnitude : {0.0, 0.35, 1.0}) {
    for (int channels : {1, 3}) {
      const AP param = SingleOpPolicy(op().type, magnitude);
      const Augmenter aug(param);
      for (auto layout : {AugmentedImage::UINT8_HWC, AugmentedImage::FLOAT_CHW}) {
        for (int r = 0; r < 4; ++r) {
          const std::vector<uint8_t> img = TexturedImage(h, w, channels, r);
          const SampledParams p = aug.Sample(h, w, channels, Record(r), TRAIN);
          AugmentedImage fast, ref;
          fast.layout = ref.layout = layout;
          aug.Render(img.data(), p, &fast);
          reference::Render(param, img.data(), p, &ref);
          if (layout == AugmentedImage::UINT8_HWC) {
            ASSERT_LE(MaxAbsDiff(fast.u8, ref.u8), op().tolerance)
                << "m " << magnitude << " c " << channels << " record " << r;
          } else {
            ASSERT_LE(MaxAbsDiff(fast.f32, ref.f32), op().tolerance + 1e-3)
                << "m " << magnitude << " c " << channels << " record " << r;
          }
        }
      }
    }
  }
}

// The kernels alone on a larger image (blur radii, cells and noise octaves
// that a 19-pixel image does not reach), both signs.
TEST_P(EveryOp, KernelFastMatchesReference) {
  if (op().kind != OpKind::kPixel) return;
  const int rgb[3] = {2, 1, 0};
  for (int channels : {1, 3}) {
    for (double sign : {1.0, -1.0}) {
      for (double m : {0.3, 0.8}) {
        const int h = 67, w = 53;
        std::vector<uint8_t> fast = TexturedImage(h, w, channels, 9);
        std::vector<uint8_t> ref = fast;
        const PixelOpArgs args = {op().strength(m, sign), 12345, h, w, channels, rgb};
        OpScratch scratch;
        op().fast(args, fast.data(), &scratch);
        op().reference(args, &ref);
        ASSERT_LE(MaxAbsDiff(fast, ref), op().tolerance)
            << "c " << channels << " sign " << sign << " m " << m;
      }
    }
  }
}

// A kernel that does nothing fails here: at magnitude 0.8 every op except
// IDENTITY changes a textured colour image.
TEST_P(EveryOp, ChangesTheImage) {
  if (op().kind == OpKind::kNone) return;
  const int n = 24;
  const Augmenter aug(SingleOpPolicy(op().type, 0.8));
  bool changed = false;
  for (int r = 0; r < 4 && !changed; ++r) {
    const std::vector<uint8_t> img = TexturedImage(n, n, 3, r);
    AugmentedImage out;
    aug.Apply(img.data(), n, n, 3, Record(r), TRAIN, &out);
    changed = out.u8 != img;
    ASSERT_EQ(out.params.fired_ops.size(), 1u);
    EXPECT_EQ(out.params.fired_ops[0].type, op().type);
  }
  EXPECT_TRUE(changed) << op().name << " left the image unchanged";
}

// The matrix a geometric op folds into equals its reference point map.
TEST_P(EveryOp, GeometryFoldMatchesReferenceMap) {
  if (op().kind != OpKind::kGeometric) return;
  const int h = 30, w = 40;
  const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
  const Augmenter aug(SingleOpPolicy(op().type, 0.7));
  for (int r = 0; r < 6; ++r) {
    const SampledParams p = aug.Sample(h, w, 1, Record(r), TRAIN);
    ASSERT_EQ(p.fired_ops.size(), 1u);
    const FiredOp& fired = p.fired_ops[0];
    EXPECT_DOUBLE_EQ(fired.value, op().strength(fired.magnitude, fired.sign));
    const GeometryOpArgs args = {fired.value, fired.seed, h, w};
    for (double x : {-11.0, 0.0, 7.5}) {
      for (double y : {-6.0, 3.0, 12.0}) {
        double ox, oy;
        op().reference_map(args, x, y, &ox, &oy);
        // The matrix maps the output pixel back to the source point.
        const double u = ox + cx, v = oy + cy;
        EXPECT_NEAR(p.matrix[0] * u + p.matrix[1] * v + p.matrix[2], x + cx, 1e-9);
        EXPECT_NEAR(p.matrix[3] * u + p.matrix[4] * v + p.matrix[5], y + cy, 1e-9);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(OpTable, EveryOp, ::testing::Range(0, OpTableSize()), OpName);

// ---- definitions of the DeepAugment ops ------------------------------------

std::vector<uint8_t> RunKernel(OpType type, double value, std::vector<uint8_t> img,
                               int h, int w, int c, uint64_t seed = 77) {
  const int rgb[3] = {2, 1, 0};
  const PixelOpArgs args = {value, seed, h, w, c, rgb};
  OpScratch scratch;
  GetOp(type).fast(args, img.data(), &scratch);
  return img;
}

TEST(OpDefinitionTest, FiltersKeepAFlatImageAndBlurSmooths) {
  const int n = 40;
  const std::vector<uint8_t> flat(n * n * 3, 140);
  for (OpType type : {AP::Op::GAUSSIAN_BLUR, AP::Op::EMBOSS, AP::Op::SHARPEN}) {
    EXPECT_EQ(RunKernel(type, 1.0, flat, n, n, 3), flat) << GetOp(type).name;
  }
  const std::vector<uint8_t> img = TexturedImage(n, n, 1);
  const std::vector<uint8_t> blurred = RunKernel(AP::Op::GAUSSIAN_BLUR, 1.0, img, n, n, 1);
  auto roughness = [&](const std::vector<uint8_t>& v) {
    double sum = 0;
    for (int i = 1; i < n * n; ++i) sum += std::abs(int(v[i]) - int(v[i - 1]));
    return sum;
  };
  EXPECT_LT(roughness(blurred), 0.5 * roughness(img));
}

TEST(OpDefinitionTest, DropoutAndSaltPepperHitTheirRates) {
  const int n = 128;
  const std::vector<uint8_t> grey(n * n * 3, 100);
  const double p = GetOp(AP::Op::PIXEL_DROPOUT).strength(1.0, 1);  // 0.25
  auto fraction = [&](const std::vector<uint8_t>& v, uint8_t value) {
    int count = 0;
    for (int i = 0; i < n * n; ++i) {
      count += v[3 * i] == value && v[3 * i + 1] == value && v[3 * i + 2] == value;
    }
    return count / double(n * n);
  };
  EXPECT_NEAR(fraction(RunKernel(AP::Op::PIXEL_DROPOUT, p, grey, n, n, 3), 0), p, 0.02);
  const std::vector<uint8_t> salted = RunKernel(AP::Op::SALT_PEPPER, p, grey, n, n, 3);
  EXPECT_NEAR(fraction(salted, 0), p / 2, 0.015);
  EXPECT_NEAR(fraction(salted, 255), p / 2, 0.015);
  // Coarse dropout zeroes whole S/8 cells: every 16x16 cell is all or nothing.
  const std::vector<uint8_t> coarse = RunKernel(AP::Op::COARSE_DROPOUT, p, grey, n, n, 3);
  int dropped_cells = 0;
  for (int cy = 0; cy < 8; ++cy) {
    for (int cx = 0; cx < 8; ++cx) {
      int zeros = 0;
      for (int y = cy * 16; y < cy * 16 + 16; ++y) {
        for (int x = cx * 16; x < cx * 16 + 16; ++x) zeros += coarse[(y * n + x) * 3] == 0;
      }
      EXPECT_TRUE(zeros == 0 || zeros == 256) << cx << "," << cy;
      dropped_cells += zeros == 256;
    }
  }
  EXPECT_GT(dropped_cells, 0);
  EXPECT_LT(dropped_cells, 64);
}

TEST(OpDefinitionTest, NoiseHasItsStandardDeviation) {
  const int n = 96;
  const std::vector<uint8_t> grey(n * n, 128);
  const double std_dev = GetOp(AP::Op::GAUSSIAN_NOISE).strength(0.5, 1);  // 20
  const std::vector<uint8_t> noisy = RunKernel(AP::Op::GAUSSIAN_NOISE, std_dev, grey, n, n, 1);
  double sum = 0, sq = 0;
  for (uint8_t v : noisy) {
    sum += v - 128.0;
    sq += (v - 128.0) * (v - 128.0);
  }
  EXPECT_NEAR(sum / noisy.size(), 0, 0.6);
  EXPECT_NEAR(std::sqrt(sq / noisy.size()), std_dev, 0.6);
}

TEST(OpDefinitionTest, LookupOpsOnEveryGreyLevel) {
  std::vector<uint8_t> ramp(256);
  std::iota(ramp.begin(), ramp.end(), 0);
  const double gamma = GetOp(AP::Op::GAMMA).strength(1.0, 1);  // 2
  EXPECT_DOUBLE_EQ(gamma, 2);
  EXPECT_DOUBLE_EQ(GetOp(AP::Op::GAMMA).strength(1.0, -1), 0.5);
  const std::vector<uint8_t> squared = RunKernel(AP::Op::GAMMA, gamma, ramp, 16, 16, 1);
  const double shift = GetOp(AP::Op::BRIGHTEN).strength(0.5, -1);  // -32
  const std::vector<uint8_t> darker = RunKernel(AP::Op::BRIGHTEN, shift, ramp, 16, 16, 1);
  for (int v = 0; v < 256; ++v) {
    EXPECT_EQ(squared[v], std::lround(255 * std::pow(v / 255.0, 2)));
    EXPECT_EQ(darker[v], std::max(0, v - 32));
  }
}

TEST(OpDefinitionTest, HueSaturationKeepsGreysAndLuminance) {
  const int n = 8;
  std::vector<uint8_t> img(n * n * 3);
  for (int i = 0; i < n * n; ++i) {
    const uint8_t g = static_cast<uint8_t>(i * 3);
    img[3 * i] = img[3 * i + 1] = img[3 * i + 2] = g;  // greys stay grey
  }
  EXPECT_EQ(RunKernel(AP::Op::HUE_SATURATION, 0.9, img, n, n, 3), img);
  const std::vector<uint8_t> colour = TexturedImage(n, n, 3);
  const std::vector<uint8_t> out = RunKernel(AP::Op::HUE_SATURATION, -0.6, colour, n, n, 3);
  EXPECT_NE(out, colour);
  for (int i = 0; i < n * n; ++i) {
    // BGR storage.
    auto luma = [&](const std::vector<uint8_t>& v) {
      return 0.114 * v[3 * i] + 0.587 * v[3 * i + 1] + 0.299 * v[3 * i + 2];
    };
    if (*std::max_element(out.begin() + 3 * i, out.begin() + 3 * i + 3) < 255 &&
        *std::min_element(out.begin() + 3 * i, out.begin() + 3 * i + 3) > 0) {
      EXPECT_NEAR(luma(out), luma(colour), 1.0) << i;
    }
  }
  // A grey image has no hue or saturation: unchanged.
  const std::vector<uint8_t> grey = TexturedImage(n, n, 1);
  EXPECT_EQ(RunKernel(AP::Op::HUE_SATURATION, 0.9, grey, n, n, 1), grey);
}

TEST(OpDefinitionTest, FogAndCloudsAreSmoothDeterministicVeils) {
  const int n = 64;
  const std::vector<uint8_t> black(n * n, 0);
  const double fog = GetOp(AP::Op::FOG).strength(1.0, 1);  // 0.8
  const std::vector<uint8_t> foggy = RunKernel(AP::Op::FOG, fog, black, n, n, 1);
  for (uint8_t v : foggy) {
    EXPECT_GE(v, std::floor(220 * 0.6 * fog));  // opacity in [0.6, 1] x 0.8
    EXPECT_LE(v, std::ceil(220 * fog));
  }
  EXPECT_EQ(foggy, RunKernel(AP::Op::FOG, fog, black, n, n, 1));
  EXPECT_NE(foggy, RunKernel(AP::Op::FOG, fog, black, n, n, 1, 78));
  const std::vector<uint8_t> cloudy = RunKernel(AP::Op::CLOUDS, 0.9, black, n, n, 1);
  int clear = 0, covered = 0;
  for (int i = 0; i < n * n; ++i) {
    clear += cloudy[i] == 0;
    covered += cloudy[i] > 100;
    if (i % n) {
      EXPECT_LE(std::abs(int(cloudy[i]) - int(cloudy[i - 1])), 40);  // smooth
    }
  }
  EXPECT_GT(clear, 0);
  EXPECT_GT(covered, 0);
}

TEST(OpDefinitionTest, FlipsAreExactAndCropZooms) {
  const int h = 9, w = 12, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AugmentedImage out;
  Augmenter(SingleOpPolicy(AP::Op::HFLIP, 0)).Apply(img.data(), h, w, c, Record(0), TRAIN, &out);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        ASSERT_EQ(out.u8[(y * w + x) * c + k], img[(y * w + (w - 1 - x)) * c + k]);
      }
    }
  }
  Augmenter(SingleOpPolicy(AP::Op::VFLIP, 0)).Apply(img.data(), h, w, c, Record(0), TRAIN, &out);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      ASSERT_EQ(out.u8[(y * w + x) * c], img[((h - 1 - y) * w + x) * c]);
    }
  }
  const SampledParams p =
      Augmenter(SingleOpPolicy(AP::Op::CROP, 1.0)).Sample(h, w, c, Record(0), TRAIN);
  EXPECT_DOUBLE_EQ(p.scale, 2);  // a window of half the size fills the image
  EXPECT_DOUBLE_EQ(p.matrix[0], 0.5);
  EXPECT_DOUBLE_EQ(p.matrix[4], 0.5);
}

}  // namespace
}  // namespace augment
}  // namespace caffe
