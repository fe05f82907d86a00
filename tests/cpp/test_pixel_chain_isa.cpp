// The pixel chain's row kernels (SSE2, AVX2, AVX-512) against the step-by-
// step reference over the whole image: the same bytes (8-bit HWC) and the
// same float bits (float CHW) for every step of the chain, channel count and
// row width, including widths whose rows do not start on a noise hash
// boundary. And Augmenter::RenderRows against Render. ISAs this CPU lacks
// cannot be selected; the test then says so and checks the ones it has.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "augment_test_util.hpp"
#include "caffe/augment/kernels.hpp"

namespace caffe {
namespace augment {
namespace {

using internal::PixelIsa;
typedef AugmentationParameter AP;

struct ChainCase {
  std::string name;
  AP param;
};

std::vector<ChainCase> ChainCases() {
  std::vector<ChainCase> cases;
  AP standard;  // the benchmarks' pipeline: brightness, contrast, noise
  standard.set_brightness(0.2f);
  standard.set_contrast(0.2f);
  standard.set_noise_std(8);
  cases.push_back({"brightness contrast noise", standard});
  AP strong = standard;  // saturates often, so the clamps matter
  strong.set_brightness(0.9f);
  strong.set_contrast(0.9f);
  strong.set_noise_std(40);
  cases.push_back({"strong brightness contrast noise", strong});
  AP full_matrix = standard;  // cross-channel terms
  full_matrix.set_saturation(0.5f);
  full_matrix.set_hue(0.2f);
  cases.push_back({"saturation hue", full_matrix});
  AP gamma_lighting;
  gamma_lighting.set_gamma_min(0.5f);
  gamma_lighting.set_gamma_max(2.0f);
  gamma_lighting.set_pca_lighting_std(0.5f);
  cases.push_back({"gamma lighting", gamma_lighting});
  AP everything = full_matrix;
  everything.set_gamma_min(0.7f);
  everything.set_gamma_max(1.4f);
  everything.set_pca_lighting_std(0.2f);
  everything.set_salt_pepper_prob(0.05f);
  cases.push_back({"every step", everything});
  AP noise_only;
  noise_only.set_noise_std(3);
  cases.push_back({"noise only", noise_only});
  cases.push_back({"nothing", AP()});
  return cases;
}

const char* IsaName(PixelIsa isa) {
  switch (isa) {
    case PixelIsa::kSse2:
      return "SSE2";
    case PixelIsa::kAvx2:
      return "AVX2";
    default:
      return "AVX-512";
  }
}

// The ISAs this CPU runs (at least SSE2), with a note for the others.
std::vector<PixelIsa> AvailableIsas() {
  std::vector<PixelIsa> isas;
  for (PixelIsa isa : {PixelIsa::kSse2, PixelIsa::kAvx2, PixelIsa::kAvx512}) {
    if (internal::SetPixelIsa(isa)) {
      isas.push_back(isa);
    } else {
      std::printf("this CPU has no %s: its pixel chain kernel is not checked\n", IsaName(isa));
    }
  }
  internal::SetPixelIsa(internal::BestPixelIsa());
  return isas;
}

void ExpectSameBits(const AugmentedImage& expected, const AugmentedImage& actual,
                    const std::string& what) {
  if (expected.layout == AugmentedImage::UINT8_HWC) {
    ASSERT_EQ(expected.u8.size(), actual.u8.size()) << what;
    for (size_t i = 0; i < expected.u8.size(); ++i) {
      ASSERT_EQ(expected.u8[i], actual.u8[i]) << what << ", value " << i;
    }
  } else {
    ASSERT_EQ(expected.f32.size(), actual.f32.size()) << what;
    for (size_t i = 0; i < expected.f32.size(); ++i) {
      ASSERT_EQ(0, std::memcmp(&expected.f32[i], &actual.f32[i], sizeof(float)))
          << what << ", value " << i << ": " << expected.f32[i] << " vs " << actual.f32[i];
    }
  }
}

TEST(PixelChainIsa, EveryKernelWritesTheReferenceValues) {
  const std::vector<PixelIsa> isas = AvailableIsas();
  const int shapes[][3] = {{227, 227, 3}, {13, 7, 3}, {5, 3, 3}, {1, 1, 3},
                           {4, 9, 3},     {31, 29, 1}, {6, 5, 2}};
  int checked = 0;
  for (const ChainCase& k : ChainCases()) {
    AP param = k.param;
    param.set_random_seed(7);
    const Augmenter augmenter(param);
    int rgb[3];
    augmenter.RgbIndices(rgb);
    for (const auto& shape : shapes) {
      const int h = shape[0], w = shape[1], c = shape[2];
      const std::vector<uint8_t> stage = test::TexturedImage(h, w, c, h + w);
      for (int record = 0; record < 3; ++record) {
        RecordContext ctx;
        ctx.record = record;
        const SampledParams p = augmenter.Sample(h, w, c, ctx, TRAIN);
        const internal::PixelChain chain = internal::BuildPixelChain(
            param, p, stage.data(), rgb, augmenter.pca_eigval(), augmenter.pca_eigvec());
        for (auto layout : {AugmentedImage::UINT8_HWC, AugmentedImage::FLOAT_CHW}) {
          AugmentedImage reference;
          reference.layout = layout;
          internal::RunPixelChainReference(chain, p, stage.data(), &reference);
          for (PixelIsa isa : isas) {
            ASSERT_TRUE(internal::SetPixelIsa(isa));
            AugmentedImage fast;
            fast.layout = layout;
            internal::RunPixelChain(chain, p, stage.data(), &fast);
            ExpectSameBits(reference, fast,
                           k.name + ", " + std::to_string(h) + "x" + std::to_string(w) + "x" +
                               std::to_string(c) + ", record " + std::to_string(record) +
                               (layout == AugmentedImage::UINT8_HWC ? ", 8-bit HWC, "
                                                                    : ", float CHW, ") +
                               IsaName(isa));
            ++checked;
          }
        }
      }
    }
  }
  internal::SetPixelIsa(internal::BestPixelIsa());
  EXPECT_GT(checked, 0);
}

// The channel sums behind the contrast's mean luminance, on every ISA, for
// pixel counts around the kernels' blocks of 32 and 64.
TEST(PixelChainIsa, ChannelSumsAreTheReferenceSums) {
  const std::vector<PixelIsa> isas = AvailableIsas();
  for (int pixels : {0, 1, 31, 32, 33, 63, 64, 65, 100, 227 * 227}) {
    std::vector<uint8_t> img = test::TexturedImage(1, pixels, 3, pixels);
    if (pixels > 2) img[3 * pixels - 1] = 255;  // the last byte counts too
    uint64_t expected[3];
    internal::ChannelSums3Reference(img.data(), pixels, expected);
    for (PixelIsa isa : isas) {
      ASSERT_TRUE(internal::SetPixelIsa(isa));
      uint64_t sums[3] = {1, 2, 3};
      internal::ChannelSums3(img.data(), pixels, sums);
      for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(expected[k], sums[k]) << pixels << " pixels, channel " << k << ", "
                                        << IsaName(isa);
      }
    }
  }
  internal::SetPixelIsa(internal::BestPixelIsa());
}

// RenderRows hands over exactly Render's rows (warp, policy pixel ops, the
// chain and cutouts), for any window of rows and columns.
TEST(PixelChainIsa, RenderRowsGivesRendersRows) {
  AP param;
  param.set_random_seed(3);
  param.set_crop_size(61);
  param.set_rotation(15);
  param.set_hflip_prob(0.5f);
  param.set_brightness(0.2f);
  param.set_contrast(0.2f);
  param.set_noise_std(8);
  param.set_cutout_prob(1);
  param.set_cutout_count(2);
  param.set_cutout_random_fill(true);
  param.mutable_policy()->set_kind(AP::Policy::RAND_AUGMENT);
  param.mutable_policy()->set_num_ops(2);
  param.mutable_policy()->set_magnitude(9);
  AP plain;  // no pixel work but cutout
  plain.set_random_seed(4);
  plain.set_crop_size(40);
  plain.set_cutout_prob(1);
  AP nothing;  // no pixel work at all
  nothing.set_crop_size(40);
  const int windows[][4] = {{0, 61, 0, 61}, {3, 20, 5, 40}, {60, 1, 60, 1}, {10, 0, 0, 61}};
  for (const AP& each : {param, plain, nothing}) {
    const Augmenter augmenter(each);
    const std::vector<uint8_t> src = test::TexturedImage(70, 66, 3, 9);
    for (int record = 0; record < 4; ++record) {
      RecordContext ctx;
      ctx.record = record;
      const SampledParams p = augmenter.Sample(70, 66, 3, ctx, TRAIN);
      AugmentedImage whole;
      augmenter.Render(src.data(), p, &whole);
      for (const auto& window : windows) {
        const int top = std::min(window[0], p.out_height - 1);
        const int rows = std::min(window[1], p.out_height - top);
        const int left = std::min(window[2], p.out_width - 1);
        const int cols = std::min(window[3], p.out_width - left);
        AugmentedImage scratch;
        int seen = 0;
        augmenter.RenderRows(src.data(), p, top, rows, left, &scratch,
                             [&](int r, const uint8_t* pixels) {
                               ASSERT_EQ(seen, r);
                               ++seen;
                               const uint8_t* expected =
                                   whole.u8.data() +
                                   ((static_cast<size_t>(top + r) * p.out_width) + left) * 3;
                               for (int i = 0; i < cols * 3; ++i) {
                                 ASSERT_EQ(expected[i], pixels[i])
                                     << "record " << record << ", row " << top + r
                                     << ", value " << i;
                               }
                             });
        EXPECT_EQ(rows, seen);
        std::vector<float> sampled(SampledParams::kVectorSize), kept(SampledParams::kVectorSize);
        p.ToVector(sampled.data());
        scratch.params.ToVector(kept.data());
        EXPECT_EQ(sampled, kept);
      }
    }
  }
}

}  // namespace
}  // namespace augment
}  // namespace caffe
