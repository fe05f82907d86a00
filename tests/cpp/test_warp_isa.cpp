// The bilinear warp's AVX2 and AVX-512 kernels against its SSE2 path: the
// same bytes for every matrix, image size and padding mode (they share the
// SSE2 kernel's integer arithmetic), and every kernel within one grey level
// of the double-precision reference sampler. ISAs this CPU lacks cannot be
// selected; the test then says so and checks the ones it has.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "augment_test_util.hpp"
#include "caffe/augment/kernels.hpp"
#include "caffe/augment/reference.hpp"

namespace caffe {
namespace augment {
namespace {

using internal::WarpIsa;
typedef AugmentationParameter AP;

struct Case {
  int h, w, c, out_h, out_w;
  double m[6];
  AP::Padding padding;
};

std::string Describe(const Case& k) {
  std::string text = std::to_string(k.h) + "x" + std::to_string(k.w) + "x" +
                     std::to_string(k.c) + " -> " + std::to_string(k.out_h) + "x" +
                     std::to_string(k.out_w) + ", padding " + std::to_string(k.padding) +
                     ", matrix";
  for (double v : k.m) text += " " + std::to_string(v);
  return text;
}

std::vector<uint8_t> RunWarp(const Case& k, const std::vector<uint8_t>& src, WarpIsa isa) {
  EXPECT_TRUE(internal::SetWarpIsa(isa));
  const std::vector<float> fill(k.c, 40.0f);
  const internal::WarpJob job = {src.data(), k.h, k.w, k.c, k.out_h, k.out_w, k.m,
                                 AP::BILINEAR, k.padding, fill.data(), nullptr};
  std::vector<uint8_t> out(static_cast<size_t>(k.out_h) * k.out_w * k.c, 0);
  std::vector<float> scratch;
  internal::Warp(job, &scratch, out.data());
  return out;
}

// Random similarity-plus-shear maps around the image centre, and a few
// fixed ones that hit the edges of the kernels' inside test.
std::vector<Case> Cases() {
  std::vector<Case> cases;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> angle(-3.2, 3.2), scale(0.5, 2.0), shear(-0.3, 0.3),
      shift(-20, 20);
  const int sizes[][4] = {{64, 64, 64, 64}, {37, 53, 41, 29}, {256, 256, 227, 227},
                          {9, 3, 12, 17},   {5, 4, 8, 8},     {100, 31, 50, 70}};
  const AP::Padding paddings[] = {AP::ZEROS, AP::BORDER, AP::REFLECTION};
  for (int i = 0; i < 36; ++i) {
    const int* size = sizes[i % 6];
    Case k{size[0], size[1], 3, size[2], size[3], {}, paddings[i % 3]};
    const double a = angle(rng), s = scale(rng), sh = shear(rng);
    k.m[0] = s * std::cos(a);
    k.m[1] = -s * std::sin(a) + sh;
    k.m[3] = s * std::sin(a);
    k.m[4] = s * std::cos(a);
    // Output centre onto source centre, then shifted.
    k.m[2] = k.w / 2.0 - (k.m[0] * k.out_w / 2.0 + k.m[1] * k.out_h / 2.0) + shift(rng);
    k.m[5] = k.h / 2.0 - (k.m[3] * k.out_w / 2.0 + k.m[4] * k.out_h / 2.0) + shift(rng);
    cases.push_back(k);
  }
  // A plain resize (all pixels inside but the last column), a subpixel shift
  // onto the right edge, steps that are exact multiples of 1/2.
  cases.push_back({48, 48, 3, 31, 31, {1.5, 0, 0.2, 0, 1.5, 0.3}, AP::ZEROS});
  cases.push_back({20, 40, 3, 20, 40, {1, 0, 0.5, 0, 1, 0.25}, AP::BORDER});
  cases.push_back({33, 33, 3, 66, 66, {0.5, 0, -0.25, 0, 0.5, -0.25}, AP::REFLECTION});
  // One and four channels take the scalar path on every ISA.
  cases.push_back({30, 30, 1, 25, 25, {0.9, 0.3, 1.0, -0.3, 0.9, 4.0}, AP::ZEROS});
  cases.push_back({31, 17, 1, 20, 26, {0.7, -0.5, 6.0, 0.5, 0.7, -3.0}, AP::REFLECTION});
  cases.push_back({30, 30, 4, 25, 25, {0.9, 0.3, 1.0, -0.3, 0.9, 4.0}, AP::ZEROS});
  cases.push_back({23, 40, 4, 30, 21, {-0.8, 0.6, 35.0, -0.6, -0.8, 30.0}, AP::BORDER});
  // Rows longer than a tile (several spans per row), rotated.
  cases.push_back({300, 300, 3, 20, 700, {0.42, -0.1, 5.0, 0.1, 0.42, 140.0}, AP::ZEROS});
  // Everything outside: the kernels' fill-only groups.
  cases.push_back({40, 40, 3, 24, 40, {1, 0.2, 900.0, -0.2, 1, 30.0}, AP::ZEROS});
  // Source rows near 16000 (the kernels' 16-bit coordinates), rotated.
  cases.push_back({16100, 8, 3, 20, 20, {0.6, -0.8, 6.0, 0.8, 0.6, 15900.0}, AP::ZEROS});
  // Over 32767 rows, over 32767 bytes a row: the wide kernels decline
  // (coordinates and stride travel in 16 bits) and SSE2 runs.
  cases.push_back({33000, 4, 3, 12, 12, {0.3, 0.1, 0.5, -0.1, 0.3, 7.0}, AP::ZEROS});
  cases.push_back({4, 11000, 3, 12, 40, {0.9, 0.2, 10940.0, -0.2, 0.9, 1.5}, AP::BORDER});
  return cases;
}

std::vector<WarpIsa> AvailableIsas() {
  std::vector<WarpIsa> isas{WarpIsa::kSse2};
  for (WarpIsa isa : {WarpIsa::kAvx2, WarpIsa::kAvx512}) {
    if (static_cast<int>(isa) <= static_cast<int>(internal::BestWarpIsa())) isas.push_back(isa);
  }
  return isas;
}

class WarpIsaTest : public ::testing::Test {
 protected:
  void TearDown() override { internal::SetWarpIsa(internal::BestWarpIsa()); }
};

TEST_F(WarpIsaTest, EveryIsaWritesTheSameBytes) {
  const std::vector<WarpIsa> isas = AvailableIsas();
  if (isas.size() == 1) {
    std::printf("this CPU has neither AVX2 nor AVX-512: only the SSE2 path runs\n");
  }
  for (const Case& k : Cases()) {
    SCOPED_TRACE(Describe(k));
    const std::vector<uint8_t> src = test::TexturedImage(k.h, k.w, k.c, k.h + k.w);
    const std::vector<uint8_t> expected = RunWarp(k, src, WarpIsa::kSse2);
    for (WarpIsa isa : isas) {
      const std::vector<uint8_t> actual = RunWarp(k, src, isa);
      ASSERT_EQ(actual.size(), expected.size());
      size_t differing = 0, first = 0;
      for (size_t i = 0; i < actual.size(); ++i) {
        if (actual[i] != expected[i] && differing++ == 0) first = i;
      }
      EXPECT_EQ(differing, 0u) << "ISA " << static_cast<int>(isa) << ": " << differing
                               << " bytes differ from SSE2, the first at " << first;
    }
  }
}

TEST_F(WarpIsaTest, EveryIsaIsWithinOneGreyLevelOfTheReference) {
  for (const Case& k : Cases()) {
    SCOPED_TRACE(Describe(k));
    const std::vector<uint8_t> src = test::TexturedImage(k.h, k.w, k.c, k.h + k.w);
    const std::vector<float> fill(k.c, 40.0f);
    std::vector<uint8_t> expected(static_cast<size_t>(k.out_h) * k.out_w * k.c);
    for (int v = 0; v < k.out_h; ++v) {
      for (int u = 0; u < k.out_w; ++u) {
        const double x = k.m[0] * u + k.m[1] * v + k.m[2];
        const double y = k.m[3] * u + k.m[4] * v + k.m[5];
        for (int ch = 0; ch < k.c; ++ch) {
          const double value = reference::SamplePoint(src.data(), k.h, k.w, k.c, ch, x, y,
                                                      AP::BILINEAR, k.padding, fill);
          expected[(static_cast<size_t>(v) * k.out_w + u) * k.c + ch] =
              internal::Round8(value);
        }
      }
    }
    for (WarpIsa isa : AvailableIsas()) {
      EXPECT_LE(test::MaxAbsDiff(RunWarp(k, src, isa), expected), 1)
          << "ISA " << static_cast<int>(isa);
    }
  }
}

TEST_F(WarpIsaTest, AnIsaTheCpuLacksIsRefused) {
  EXPECT_TRUE(internal::SetWarpIsa(WarpIsa::kSse2));
  EXPECT_EQ(internal::CurrentWarpIsa(), WarpIsa::kSse2);
  const bool has_avx512 = internal::BestWarpIsa() == WarpIsa::kAvx512;
  EXPECT_EQ(internal::SetWarpIsa(WarpIsa::kAvx512), has_avx512);
  EXPECT_EQ(internal::CurrentWarpIsa(), has_avx512 ? WarpIsa::kAvx512 : WarpIsa::kSse2);
}

}  // namespace
}  // namespace augment
}  // namespace caffe
