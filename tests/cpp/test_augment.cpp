// Geometry, padding, determinism and phase behaviour of the augmentation
// engine, checked against exact index arithmetic and the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "augment_test_util.hpp"
#include "caffe/augment/augmenter.hpp"
#include "caffe/augment/reference.hpp"

namespace caffe {
namespace augment {
namespace {

using test::MaxAbsDiff;
using test::TexturedImage;
typedef AugmentationParameter AP;

AP Seeded(int64_t seed = 7) {
  AP p;
  p.set_random_seed(seed);
  return p;
}

std::vector<uint8_t> Augment(const Augmenter& aug, const std::vector<uint8_t>& img,
                         int h, int w, int c, const RecordContext& ctx,
                         Phase phase = TRAIN, SampledParams* params = nullptr) {
  AugmentedImage out;
  aug.Apply(img.data(), h, w, c, ctx, phase, &out);
  if (params) *params = out.params;
  return out.u8;
}

RecordContext Record(uint64_t i, int slot = 0, uint64_t epoch = 0) {
  RecordContext ctx;
  ctx.epoch = epoch;
  ctx.record = i;
  ctx.slot = slot;
  return ctx;
}

// numpy.rot90(a, 1) on an HWC image: out[i][j] = a[j][w - 1 - i].
std::vector<uint8_t> Rot90Once(const std::vector<uint8_t>& a, int* h, int* w,
                               int c) {
  std::vector<uint8_t> out(a.size());
  const int oh = *w, ow = *h;
  for (int i = 0; i < oh; ++i) {
    for (int j = 0; j < ow; ++j) {
      for (int k = 0; k < c; ++k) {
        out[(i * ow + j) * c + k] = a[(j * *w + (*w - 1 - i)) * c + k];
      }
    }
  }
  *h = oh;
  *w = ow;
  return out;
}

TEST(AugmentTest, IdentityIsBitExact) {
  const int h = 17, w = 23, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  for (auto interp : {AP::NEAREST, AP::BILINEAR, AP::BICUBIC}) {
    AP param = Seeded();
    param.set_interpolation(interp);
    const Augmenter aug(param);
    for (int r = 0; r < 3; ++r) {
      EXPECT_EQ(Augment(aug, img, h, w, c, Record(r)), img);
    }
    AugmentedImage out;
    out.layout = AugmentedImage::FLOAT_CHW;
    aug.Apply(img.data(), h, w, c, Record(0), TRAIN, &out);
    for (int i = 0; i < h * w; ++i) {
      for (int k = 0; k < c; ++k) {
        ASSERT_EQ(out.f32[k * h * w + i], img[i * c + k]);
      }
    }
  }
}

TEST(AugmentTest, Rot90IsAnExactIndexRotation) {
  const int n = 9, c = 3;
  const std::vector<uint8_t> img = TexturedImage(n, n, c);
  AP param = Seeded();
  param.set_rotate90(true);
  param.set_interpolation(AP::BICUBIC);  // must not matter: no interpolation
  const Augmenter aug(param);
  int seen[4] = {0, 0, 0, 0};
  for (int r = 0; r < 40; ++r) {
    SampledParams p;
    const std::vector<uint8_t> out = Augment(aug, img, n, n, c, Record(r), TRAIN, &p);
    std::vector<uint8_t> expected = img;
    int eh = n, ew = n;
    for (int k = 0; k < p.rot90; ++k) expected = Rot90Once(expected, &eh, &ew, c);
    ASSERT_EQ(out, expected) << "k = " << p.rot90;
    ++seen[p.rot90];
  }
  for (int k = 0; k < 4; ++k) EXPECT_GT(seen[k], 0) << "k = " << k;
}

TEST(AugmentTest, Rot90OfRectangleWithSwappedOutput) {
  const int h = 4, w = 6, c = 2;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded();
  param.set_rotate90(true);
  param.set_out_height(w);
  param.set_out_width(h);
  param.set_random_crop(false);
  const Augmenter aug(param);
  int checked = 0;
  for (int r = 0; r < 30; ++r) {
    SampledParams p;
    const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(r), TRAIN, &p);
    if (p.rot90 % 2 == 0) continue;
    std::vector<uint8_t> expected = img;
    int eh = h, ew = w;
    for (int k = 0; k < p.rot90; ++k) expected = Rot90Once(expected, &eh, &ew, c);
    ASSERT_EQ(out, expected) << "k = " << p.rot90;
    ++checked;
  }
  EXPECT_GT(checked, 5);
}

TEST(AugmentTest, FlipsAreExact) {
  const int h = 5, w = 8, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded();
  param.set_hflip_prob(1);
  const Augmenter aug(param);
  const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(0));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        ASSERT_EQ(out[(y * w + x) * c + k], img[(y * w + (w - 1 - x)) * c + k]);
      }
    }
  }
}

// Inverse map of "zoom by s, then rotate by a" about the centre of an n x n
// image.
void CentredMatrix(double degrees, double s, int n, double m[6]) {
  const double t = degrees * M_PI / 180, cs = std::cos(t), sn = std::sin(t);
  // forward F = R S; inverse = S^-1 R^-1, R^-1 = [[cs, -sn], [sn, cs]].
  const double c0 = (n - 1) / 2.0;
  m[0] = cs / s;
  m[1] = -sn / s;
  m[3] = sn / s;
  m[4] = cs / s;
  m[2] = c0 - m[0] * c0 - m[1] * c0;
  m[5] = c0 - m[3] * c0 - m[4] * c0;
}

double GradientEnergy(const std::vector<uint8_t>& img, int n, int c, int lo,
                      int hi) {
  double e = 0;
  for (int y = lo; y < hi; ++y) {
    for (int x = lo; x < hi; ++x) {
      for (int k = 0; k < c; ++k) {
        const double gx = img[(y * n + x + 1) * c + k] - img[(y * n + x) * c + k];
        const double gy = img[((y + 1) * n + x) * c + k] - img[(y * n + x) * c + k];
        e += gx * gx + gy * gy;
      }
    }
  }
  return e;
}

TEST(AugmentTest, ComposedRotateZoomMatchesReferenceAndIsSharper) {
  const int n = 96, c = 3;
  const std::vector<uint8_t> img = TexturedImage(n, n, c);
  const AP param = Seeded();
  const Augmenter aug(param);
  SampledParams composed = aug.Sample(n, n, c, Record(0), TRAIN);
  CentredMatrix(23, 1.35, n, composed.matrix);
  AugmentedImage single;
  aug.Render(img.data(), composed, &single);
  const std::vector<double> truth = reference::Warp(param, img.data(), composed);

  // The same transform as two warps: rotate, then zoom the rotated image.
  SampledParams rotate = composed, zoom = composed;
  CentredMatrix(23, 1.0, n, rotate.matrix);
  CentredMatrix(0, 1.35, n, zoom.matrix);
  AugmentedImage first, twice;
  aug.Render(img.data(), rotate, &first);
  aug.Render(first.u8.data(), zoom, &twice);

  // Compare where neither path reaches the padding.
  const int lo = n / 4, hi = 3 * n / 4;
  double max_single = 0, sq_single = 0, sq_twice = 0;
  for (int y = lo; y < hi; ++y) {
    for (int x = lo; x < hi; ++x) {
      for (int k = 0; k < c; ++k) {
        const size_t i = (static_cast<size_t>(y) * n + x) * c + k;
        const double es = single.u8[i] - truth[i], et = twice.u8[i] - truth[i];
        max_single = std::max(max_single, std::fabs(es));
        sq_single += es * es;
        sq_twice += et * et;
      }
    }
  }
  EXPECT_LE(max_single, 1.0);
  EXPECT_LT(sq_single * 4, sq_twice) << "two warps should be clearly worse";
  EXPECT_GT(GradientEnergy(single.u8, n, c, lo, hi),
            1.1 * GradientEnergy(twice.u8, n, c, lo, hi))
      << "one interpolation should keep more detail than two";
}

class AugmentFastVsReference
    : public ::testing::TestWithParam<std::tuple<AP::Interpolation, AP::Padding>> {};

TEST_P(AugmentFastVsReference, RandomGeometryWithinOneGreyLevel) {
  const int h = 41, w = 37, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded(11);
  param.set_interpolation(std::get<0>(GetParam()));
  param.set_padding(std::get<1>(GetParam()));
  param.add_fill_value(40);
  param.add_fill_value(120);
  param.add_fill_value(250);
  param.set_rotation(45);
  param.set_scale_min(0.7);
  param.set_scale_max(1.4);
  param.set_aspect_min(0.8);
  param.set_aspect_max(1.25);
  param.set_shear_x(10);
  param.set_shear_y(5);
  param.set_translate_x(0.1);
  param.set_translate_y(0.1);
  param.set_hflip_prob(0.5);
  param.set_vflip_prob(0.5);
  param.set_out_height(33);
  param.set_out_width(29);
  for (int variant = 0; variant < 4; ++variant) {
    AP v = param;
    if (variant == 1) v.set_random_resized_crop(true);
    if (variant == 2) v.set_elastic_alpha(2.5);
    if (variant == 3) {
      v.set_jitter(0.8);
      v.set_fit(AP::RESIZE);
    }
    const Augmenter aug(v);
    for (int r = 0; r < 6; ++r) {
      AugmentedImage fast, ref;
      const SampledParams p = aug.Sample(h, w, c, Record(r), TRAIN);
      aug.Render(img.data(), p, &fast);
      reference::Render(v, img.data(), p, &ref);
      ASSERT_LE(MaxAbsDiff(fast.u8, ref.u8), 1)
          << "variant " << variant << " record " << r;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllModes, AugmentFastVsReference,
    ::testing::Combine(::testing::Values(AP::NEAREST, AP::BILINEAR, AP::BICUBIC),
                       ::testing::Values(AP::ZEROS, AP::BORDER, AP::REFLECTION)));

TEST(AugmentTest, WideZoomedWarpMatchesReference) {
  // Every tap inside the source and rows wider than the kernel's tiles: the
  // vectorised interior path covers whole rows, including their last pixel.
  const int h = 90, w = 150, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded(5);
  param.set_rotation(4);
  param.set_scale_min(1.4);
  param.set_scale_max(1.5);
  param.set_out_height(70);
  param.set_out_width(130);
  param.set_random_crop(false);
  const Augmenter aug(param);
  for (int r = 0; r < 4; ++r) {
    const SampledParams p = aug.Sample(h, w, c, Record(r), TRAIN);
    AugmentedImage fast, ref;
    aug.Render(img.data(), p, &fast);
    reference::Render(param, img.data(), p, &ref);
    ASSERT_LE(MaxAbsDiff(fast.u8, ref.u8), 1) << "record " << r;
  }
}

TEST(AugmentTest, PaddingModesMatchTheirDefinitions) {
  const int h = 5, w = 6, c = 2;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  auto src = [&](int x, int y, int k) { return double(img[(y * w + x) * c + k]); };
  // Output 11 x 14 centred on the 5 x 6 source: offsets -3 and -4.
  for (auto padding : {AP::ZEROS, AP::BORDER, AP::REFLECTION}) {
    AP param = Seeded();
    param.set_padding(padding);
    param.add_fill_value(17);
    param.add_fill_value(230);
    param.set_out_height(11);
    param.set_out_width(14);
    const Augmenter aug(param);
    SampledParams p;
    const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(0), TEST, &p);
    ASSERT_EQ(p.crop_x, -4);
    ASSERT_EQ(p.crop_y, -3);
    auto expected_index = [&](int i, int n) {
      if (padding == AP::BORDER) return std::min(std::max(i, 0), n - 1);
      // REFLECTION: mirror about the outer edges (-1 -> 0, n -> n - 1).
      while (i < 0 || i >= n) i = i < 0 ? -1 - i : 2 * n - 1 - i;
      return i;
    };
    for (int v = 0; v < 11; ++v) {
      for (int u = 0; u < 14; ++u) {
        const int x = u - 4, y = v - 3;
        for (int k = 0; k < c; ++k) {
          const bool inside = x >= 0 && x < w && y >= 0 && y < h;
          double want;
          if (padding == AP::ZEROS && !inside) {
            want = k == 0 ? 17 : 230;
          } else {
            want = src(expected_index(x, w), expected_index(y, h), k);
          }
          ASSERT_EQ(out[(v * 14 + u) * c + k], want)
              << "padding " << padding << " at (" << x << ", " << y << ")";
        }
      }
    }
    // Half a pixel outside the left edge, bilinear blends source and padding.
    SampledParams shifted = p;
    const double m[6] = {1, 0, -0.5, 0, 1, 0};
    std::copy(m, m + 6, shifted.matrix);
    shifted.out_height = h;
    shifted.out_width = w;
    AugmentedImage half;
    aug.Render(img.data(), shifted, &half);
    for (int y = 0; y < h; ++y) {
      for (int k = 0; k < c; ++k) {
        const double outside = padding == AP::ZEROS ? (k == 0 ? 17 : 230)
                               : padding == AP::BORDER ? src(0, y, k)
                                                       : src(0, y, k);
        const double want = 0.5 * outside + 0.5 * src(0, y, k);
        EXPECT_LE(std::fabs(half.u8[(y * w) * c + k] - want), 0.5 + 1e-9);
        const double inner = 0.5 * src(0, y, k) + 0.5 * src(1, y, k);
        EXPECT_LE(std::fabs(half.u8[(y * w + 1) * c + k] - inner), 0.5 + 1e-9);
      }
    }
  }
}

AP FullConfig() {
  AP param = Seeded(99);
  param.set_rotation(30);
  param.set_rotate90(true);
  param.set_scale_min(0.8);
  param.set_scale_max(1.2);
  param.set_shear_x(8);
  param.set_hflip_prob(0.5);
  param.set_crop_size(24);
  param.set_elastic_alpha(1.0);
  param.set_brightness(0.3);
  param.set_contrast(0.3);
  param.set_saturation(0.4);
  param.set_hue(0.05);
  param.set_gamma_min(0.8);
  param.set_gamma_max(1.25);
  param.set_pca_lighting_std(0.1);
  param.set_noise_std(6);
  param.set_salt_pepper_prob(0.02);
  param.set_cutout_prob(0.5);
  param.set_cutout_random_fill(true);
  AP::Policy* policy = param.mutable_policy();
  policy->set_kind(AP::Policy::RAND_AUGMENT);
  policy->set_num_ops(2);
  policy->set_magnitude(12);
  return param;
}

TEST(AugmentTest, SameOutputWhateverThreadCountAndOrder) {
  const int h = 32, w = 30, c = 3, records = 48;
  std::vector<std::vector<uint8_t>> images;
  for (int r = 0; r < records; ++r) images.push_back(TexturedImage(h, w, c, r));
  const Augmenter aug(FullConfig());
  auto run_all = [&](int threads, bool reversed) {
    std::vector<std::vector<uint8_t>> results(records);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        AugmentedImage out;  // one per thread, reused
        for (int i = t; i < records; i += threads) {
          const int r = reversed ? records - 1 - i : i;
          aug.Apply(images[r].data(), h, w, c, Record(r, 0, 3), TRAIN, &out);
          results[r] = out.u8;
        }
      });
    }
    for (std::thread& th : pool) th.join();
    return results;
  };
  const auto serial = run_all(1, false);
  EXPECT_EQ(run_all(1, true), serial);
  EXPECT_EQ(run_all(2, false), serial);
  EXPECT_EQ(run_all(4, true), serial);
  // A different epoch draws differently.
  AugmentedImage other;
  aug.Apply(images[0].data(), h, w, c, Record(0, 0, 4), TRAIN, &other);
  EXPECT_NE(other.u8, serial[0]);
}

TEST(AugmentTest, FullConfigFastMatchesReference) {
  const int h = 32, w = 30, c = 3;
  const AP param = FullConfig();
  const Augmenter aug(param);
  for (auto layout : {AugmentedImage::UINT8_HWC, AugmentedImage::FLOAT_CHW}) {
    for (int r = 0; r < 12; ++r) {
      const std::vector<uint8_t> img = TexturedImage(h, w, c, r);
      AugmentedImage fast, ref;
      fast.layout = ref.layout = layout;
      const SampledParams p = aug.Sample(h, w, c, Record(r), TRAIN);
      aug.Render(img.data(), p, &fast);
      reference::Render(param, img.data(), p, &ref);
      if (layout == AugmentedImage::UINT8_HWC) {
        ASSERT_LE(MaxAbsDiff(fast.u8, ref.u8), 1) << "record " << r;
      } else {
        ASSERT_LE(MaxAbsDiff(fast.f32, ref.f32), 1.0) << "record " << r;
      }
    }
  }
}

TEST(AugmentTest, ShareCouplesTheImagesOfARecord) {
  const int h = 20, w = 20, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = FullConfig();
  param.set_share(AP::ALL);
  {
    const Augmenter aug(param);
    EXPECT_EQ(Augment(aug, img, h, w, c, Record(5, 0)),
              Augment(aug, img, h, w, c, Record(5, 2)));
  }
  param.set_share(AP::GEOMETRY);
  {
    const Augmenter aug(param);
    const SampledParams a = aug.Sample(h, w, c, Record(5, 0), TRAIN);
    const SampledParams b = aug.Sample(h, w, c, Record(5, 1), TRAIN);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(a.matrix[i], b.matrix[i]);
    EXPECT_NE(a.brightness, b.brightness);
    EXPECT_NE(a.pixel_seed, b.pixel_seed);
  }
  param.set_share(AP::NONE);
  {
    const Augmenter aug(param);
    const SampledParams a = aug.Sample(h, w, c, Record(5, 0), TRAIN);
    const SampledParams b = aug.Sample(h, w, c, Record(5, 1), TRAIN);
    EXPECT_NE(a.angle_deg, b.angle_deg);
  }
}

TEST(AugmentTest, TestPhaseIsUntouchedUnlessApplyInTest) {
  const int h = 24, w = 26, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = FullConfig();
  param.clear_crop_size();
  {
    const Augmenter aug(param);
    SampledParams p;
    EXPECT_EQ(Augment(aug, img, h, w, c, Record(1), TEST, &p), img);
    EXPECT_FALSE(p.augmented);
    EXPECT_NE(Augment(aug, img, h, w, c, Record(1), TRAIN), img);
  }
  param.set_apply_in_test(true);
  {
    const Augmenter aug(param);
    EXPECT_NE(Augment(aug, img, h, w, c, Record(1), TEST), img);
  }
  // With a crop, TEST takes the centre window exactly.
  param.set_apply_in_test(false);
  param.set_crop_size(20);
  const Augmenter aug(param);
  const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(1), TEST);
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 20; ++x) {
      for (int k = 0; k < c; ++k) {
        ASSERT_EQ(out[(y * 20 + x) * c + k], img[((y + 2) * w + x + 3) * c + k]);
      }
    }
  }
}

TEST(AugmentTest, RandomCropIsAnIntegerWindow) {
  const int h = 30, w = 28, c = 1;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded();
  param.set_crop_size(16);
  const Augmenter aug(param);
  for (int r = 0; r < 10; ++r) {
    SampledParams p;
    const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(r), TRAIN, &p);
    ASSERT_GE(p.crop_x, 0);
    ASSERT_LE(p.crop_x, w - 16);
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 16; ++x) {
        ASSERT_EQ(out[y * 16 + x], img[(y + p.crop_y) * w + x + p.crop_x]);
      }
    }
  }
}

TEST(AugmentTest, ResizeMatchesPixelCentreConvention) {
  // Halving with fit RESIZE samples at (2u + 0.5, 2v + 0.5): the mean of a
  // 2 x 2 block.
  const int h = 8, w = 8, c = 1;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  AP param = Seeded();
  param.set_fit(AP::RESIZE);
  param.set_crop_size(4);
  const Augmenter aug(param);
  const std::vector<uint8_t> out = Augment(aug, img, h, w, c, Record(0), TEST);
  for (int v = 0; v < 4; ++v) {
    for (int u = 0; u < 4; ++u) {
      const double mean = (img[(2 * v) * w + 2 * u] + img[(2 * v) * w + 2 * u + 1] +
                           img[(2 * v + 1) * w + 2 * u] +
                           img[(2 * v + 1) * w + 2 * u + 1]) / 4.0;
      EXPECT_LE(std::fabs(out[v * 4 + u] - mean), 0.75);
    }
  }
}

TEST(AugmentTest, RandomResizedCropWindowWithinRanges) {
  AP param = Seeded();
  param.set_random_resized_crop(true);
  param.set_rrc_area_min(0.2);
  param.set_rrc_area_max(0.6);
  param.set_crop_size(32);
  const Augmenter aug(param);
  for (int r = 0; r < 50; ++r) {
    const SampledParams p = aug.Sample(100, 120, 3, Record(r), TRAIN);
    const Rect& win = p.window;
    ASSERT_GE(win.x, 0);
    ASSERT_GE(win.y, 0);
    ASSERT_LE(win.x + win.width, 120);
    ASSERT_LE(win.y + win.height, 100);
    const double area = double(win.width) * win.height / (100.0 * 120);
    EXPECT_GT(area, 0.18);
    EXPECT_LT(area, 0.63);
  }
}

TEST(AugmentTest, SampledParamsVector) {
  const Augmenter aug(FullConfig());
  const SampledParams p = aug.Sample(32, 30, 3, Record(2), TRAIN);
  std::vector<float> v(SampledParams::kVectorSize);
  p.ToVector(v.data());
  EXPECT_FLOAT_EQ(v[0], p.angle_deg);
  EXPECT_FLOAT_EQ(v[1], p.rot90);
  EXPECT_FLOAT_EQ(v[16], p.brightness);
  EXPECT_FLOAT_EQ(v[25], p.cutouts.size());
}

TEST(AugmentTest, RecordKeysHashDeterministically) {
  const RecordContext a = RecordContext::FromKey(1, "00000042", 0);
  const RecordContext b = RecordContext::FromKey(1, "00000042", 0);
  const RecordContext d = RecordContext::FromKey(1, "00000043", 0);
  EXPECT_EQ(a.record, b.record);
  EXPECT_NE(a.record, d.record);
}

TEST(AugmentTest, BadParametersThrowConfigError) {
  auto expect_bad = [](void (*edit)(AP*)) {
    AP param = Seeded();
    edit(&param);
    EXPECT_THROW(Augmenter aug(param), ConfigError);
  };
  expect_bad([](AP* p) { p->set_scale_min(2); p->set_scale_max(1); });
  expect_bad([](AP* p) { p->set_hflip_prob(1.5); });
  expect_bad([](AP* p) { p->set_hue(0.7); });
  expect_bad([](AP* p) { p->set_crop_size(3); p->set_out_height(4); p->set_out_width(4); });
  expect_bad([](AP* p) { p->set_out_height(4); });
  expect_bad([](AP* p) { p->add_pca_eigval(1); });
  expect_bad([](AP* p) { p->mutable_policy()->set_kind(AP::Policy::AUTO_AUGMENT); });
  expect_bad([](AP* p) { p->set_elastic_alpha(1); p->set_elastic_grid(1); });
  // Fill with the wrong channel count is caught when the image is seen.
  AP param = Seeded();
  param.add_fill_value(1);
  param.add_fill_value(2);
  const Augmenter aug(param);
  const std::vector<uint8_t> img = TexturedImage(4, 4, 3);
  AugmentedImage out;
  EXPECT_THROW(aug.Apply(img.data(), 4, 4, 3, Record(0), TRAIN, &out),
               ConfigError);
  EXPECT_THROW(aug.Apply(img.data(), 0, 4, 3, Record(0), TRAIN, &out),
               ShapeError);
}

}  // namespace
}  // namespace augment
}  // namespace caffe
