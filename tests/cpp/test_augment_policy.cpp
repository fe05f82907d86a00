// Learned policies (AutoAugment sub-policies with portions, presets and op
// names, RandAugment / TrivialAugment over named op sets), what they record,
// how bad values are reported, and the pixel chain against the reference.
// The per-op kernels are tested in test_augment_op_kernels.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
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

AP SingleOpPolicy(AP::Op::Type type, double magnitude) {
  AP param;
  param.set_random_seed(3);
  AP::Op* op = param.mutable_policy()->add_sub_policy()->add_op();
  op->set_type(type);
  op->set_prob(1);
  op->set_magnitude(magnitude);
  return param;
}

void ExpectFastMatchesReference(const AP& param, int channels, int tolerance,
                                int records = 4) {
  const int h = 19, w = 21;
  const Augmenter aug(param);
  for (auto layout : {AugmentedImage::UINT8_HWC, AugmentedImage::FLOAT_CHW}) {
    for (int r = 0; r < records; ++r) {
      const std::vector<uint8_t> img = TexturedImage(h, w, channels, r);
      const SampledParams p = aug.Sample(h, w, channels, Record(r), TRAIN);
      AugmentedImage fast, ref;
      fast.layout = ref.layout = layout;
      aug.Render(img.data(), p, &fast);
      reference::Render(param, img.data(), p, &ref);
      if (layout == AugmentedImage::UINT8_HWC) {
        ASSERT_LE(MaxAbsDiff(fast.u8, ref.u8), tolerance) << "record " << r;
      } else {
        ASSERT_LE(MaxAbsDiff(fast.f32, ref.f32), tolerance + 1e-3)
            << "record " << r;
      }
    }
  }
}

std::vector<uint8_t> ApplyOp(AP::Op::Type type, double magnitude,
                             const std::vector<uint8_t>& img, int h, int w,
                             int c, SampledParams* params = nullptr) {
  const Augmenter aug(SingleOpPolicy(type, magnitude));
  AugmentedImage out;
  aug.Apply(img.data(), h, w, c, Record(0), TRAIN, &out);
  if (params) *params = out.params;
  return out.u8;
}

TEST(PolicyDefinitionTest, LookupOpsOnEveryGreyLevel) {
  std::vector<uint8_t> ramp(256);
  std::iota(ramp.begin(), ramp.end(), 0);
  const std::vector<uint8_t> inverted = ApplyOp(AP::Op::INVERT, 0, ramp, 16, 16, 1);
  const std::vector<uint8_t> solarized =
      ApplyOp(AP::Op::SOLARIZE, 0.25, ramp, 16, 16, 1);  // threshold 192
  const std::vector<uint8_t> posterized =
      ApplyOp(AP::Op::POSTERIZE, 1.0, ramp, 16, 16, 1);  // 4 bits
  const std::vector<uint8_t> stretched =
      ApplyOp(AP::Op::AUTO_CONTRAST, 0, ramp, 16, 16, 1);
  const std::vector<uint8_t> equalized = ApplyOp(AP::Op::EQUALIZE, 0, ramp, 16, 16, 1);
  for (int v = 0; v < 256; ++v) {
    EXPECT_EQ(inverted[v], 255 - v);
    EXPECT_EQ(solarized[v], v >= 192 ? 255 - v : v);
    EXPECT_EQ(posterized[v], v & 0xf0);
    EXPECT_EQ(stretched[v], v);  // already spans [0, 255]
    EXPECT_EQ(equalized[v], v);  // a flat histogram is already equalised
  }
  // Auto-contrast stretches a narrow range to the full one.
  std::vector<uint8_t> narrow(64);
  for (int i = 0; i < 64; ++i) narrow[i] = static_cast<uint8_t>(100 + i % 51);
  const std::vector<uint8_t> wide = ApplyOp(AP::Op::AUTO_CONTRAST, 0, narrow, 8, 8, 1);
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(wide[i], std::lround((narrow[i] - 100) * 255.0 / 50));
  }
}

TEST(PolicyDefinitionTest, FactorOpsFollowTheirSign) {
  const int h = 12, w = 12, c = 3;
  const std::vector<uint8_t> img = TexturedImage(h, w, c);
  SampledParams p;
  const std::vector<uint8_t> out = ApplyOp(AP::Op::BRIGHTNESS, 0.5, img, h, w, c, &p);
  ASSERT_EQ(p.policy_ops.size(), 1u);
  const double factor = p.policy_ops[0].value;
  EXPECT_TRUE(std::fabs(factor - 1.45) < 1e-9 || std::fabs(factor - 0.55) < 1e-9);
  for (size_t i = 0; i < img.size(); ++i) {
    EXPECT_EQ(out[i], std::min(255L, std::lround(img[i] * factor)));
  }
}

TEST(PolicyDefinitionTest, GeometricOpsFoldIntoTheMatrix) {
  const int n = 16;
  SampledParams p;
  const std::vector<uint8_t> img = TexturedImage(n, n, 1);
  ApplyOp(AP::Op::ROTATE, 0.5, img, n, n, 1, &p);
  EXPECT_NEAR(std::fabs(p.angle_deg), 15, 1e-9);
  const double t = p.angle_deg * M_PI / 180;
  EXPECT_NEAR(p.matrix[0], std::cos(t), 1e-12);
  EXPECT_NEAR(p.matrix[1], -std::sin(t), 1e-12);
  EXPECT_TRUE(p.policy_ops.empty());
  ApplyOp(AP::Op::TRANSLATE_X, 1.0, img, n, n, 1, &p);
  EXPECT_NEAR(std::fabs(p.translate_x), 0.45 * n, 1e-9);
  EXPECT_NEAR(p.matrix[2], -p.translate_x, 1e-9);
  ApplyOp(AP::Op::SHEAR_Y, 1.0, img, n, n, 1, &p);
  EXPECT_NEAR(std::fabs(p.matrix[3]), 0.3, 1e-12);
}

TEST(PolicyDefinitionTest, AutoAugmentPicksSubPoliciesAndHonoursProb) {
  AP param;
  param.set_random_seed(5);
  AP::SubPolicy* a = param.mutable_policy()->add_sub_policy();
  AP::Op* op = a->add_op();
  op->set_type(AP::Op::INVERT);
  op->set_prob(1);
  AP::SubPolicy* b = param.mutable_policy()->add_sub_policy();
  op = b->add_op();
  op->set_type(AP::Op::EQUALIZE);
  op->set_prob(0.5);
  const Augmenter aug(param);
  int invert = 0, equalize = 0, nothing = 0;
  for (int r = 0; r < 400; ++r) {
    const SampledParams p = aug.Sample(8, 8, 3, Record(r), TRAIN);
    if (p.policy_ops.empty()) {
      ++nothing;
    } else if (p.policy_ops[0].type == AP::Op::INVERT) {
      ++invert;
    } else {
      ++equalize;
    }
  }
  EXPECT_NEAR(invert, 200, 40);
  EXPECT_NEAR(equalize, 100, 35);
  EXPECT_NEAR(nothing, 100, 35);
}

TEST(PolicyDefinitionTest, RandAndTrivialAugmentDrawFromTheOpSet) {
  AP param;
  param.set_random_seed(5);
  AP::Policy* policy = param.mutable_policy();
  policy->set_kind(AP::Policy::RAND_AUGMENT);
  policy->set_num_ops(3);
  policy->set_magnitude(15);
  policy->add_op_set(AP::Op::POSTERIZE);
  policy->add_op_set(AP::Op::SOLARIZE);
  {
    const Augmenter aug(param);
    const SampledParams p = aug.Sample(8, 8, 3, Record(1), TRAIN);
    ASSERT_EQ(p.policy_ops.size(), 3u);
    for (const PolicyPixelOp& op : p.policy_ops) {
      if (op.type == AP::Op::POSTERIZE) {
        EXPECT_EQ(op.value, 6);  // 8 - round(4 * 0.5)
      } else {
        EXPECT_EQ(op.type, AP::Op::SOLARIZE);
        EXPECT_EQ(op.value, 128);
      }
    }
  }
  policy->set_kind(AP::Policy::TRIVIAL_AUGMENT);
  const Augmenter aug(param);
  double lowest = 256, highest = 0;
  for (int r = 0; r < 100; ++r) {
    const SampledParams p = aug.Sample(8, 8, 3, Record(r), TRAIN);
    ASSERT_EQ(p.policy_ops.size(), 1u);
    if (p.policy_ops[0].type == AP::Op::SOLARIZE) {
      lowest = std::min(lowest, p.policy_ops[0].value);
      highest = std::max(highest, p.policy_ops[0].value);
    }
  }
  EXPECT_LT(lowest, 60);  // magnitudes spread over [0, 1]
  EXPECT_GT(highest, 190);
}

TEST(PolicyDefinitionTest, PortionGatesTheWholeSubPolicy) {
  AP param;
  param.set_random_seed(9);
  AP::SubPolicy* sub = param.mutable_policy()->add_sub_policy();
  AP::Op* op = sub->add_op();
  op->set_type(AP::Op::INVERT);
  op = sub->add_op();
  op->set_type(AP::Op::ROTATE);
  op->set_prob(0.5);
  const Augmenter always(param);
  sub->set_portion(0.3);
  const Augmenter sometimes(param);
  sub->set_portion(0);
  const Augmenter never(param);
  int applied = 0;
  for (int r = 0; r < 500; ++r) {
    const SampledParams all = always.Sample(8, 8, 3, Record(r), TRAIN);
    const SampledParams some = sometimes.Sample(8, 8, 3, Record(r), TRAIN);
    EXPECT_TRUE(never.Sample(8, 8, 3, Record(r), TRAIN).fired_ops.empty());
    ASSERT_GE(all.fired_ops.size(), 1u);  // INVERT has prob 1
    if (some.fired_ops.empty()) continue;
    ++applied;
    // When it applies, the portion changes nothing about the draws.
    ASSERT_EQ(some.fired_ops.size(), all.fired_ops.size());
    EXPECT_EQ(some.angle_deg, all.angle_deg);
  }
  EXPECT_NEAR(applied, 150, 35);
}

TEST(PolicyDefinitionTest, PresetsExpandIntoSubPolicies) {
  AP param;
  param.set_random_seed(1);
  param.mutable_policy()->set_preset("autoaugment_svhn");
  const Augmenter aug(param);
  EXPECT_FALSE(aug.param().policy().has_preset());
  ASSERT_EQ(aug.param().policy().sub_policy_size(), 25);
  EXPECT_EQ(aug.param().policy().sub_policy(0).op(0).type(), AP::Op::SHEAR_X);
  // What param() shows builds the same augmenter.
  const Augmenter again(aug.param());
  for (int r = 0; r < 20; ++r) {
    EXPECT_EQ(aug.Sample(9, 9, 3, Record(r), TRAIN).matrix[1],
              again.Sample(9, 9, 3, Record(r), TRAIN).matrix[1]);
  }
}

TEST(PolicyDefinitionTest, OpsMayBeNamed) {
  AP param;
  param.set_random_seed(1);
  AP::Op* op = param.mutable_policy()->add_sub_policy()->add_op();
  op->set_name("coarse-salt-pepper");
  op->set_magnitude(1);
  const Augmenter aug(param);
  EXPECT_EQ(aug.param().policy().sub_policy(0).op(0).type(), AP::Op::COARSE_SALT_PEPPER);
  const SampledParams p = aug.Sample(16, 16, 3, Record(0), TRAIN);
  ASSERT_EQ(p.policy_ops.size(), 1u);
  EXPECT_EQ(p.policy_ops[0].type, AP::Op::COARSE_SALT_PEPPER);
}

TEST(PolicyDefinitionTest, NamedOpSetsFeedRandAndTrivialAugment) {
  AP param;
  param.set_random_seed(2);
  param.mutable_policy()->set_kind(AP::Policy::TRIVIAL_AUGMENT);
  param.mutable_policy()->set_named_op_set(AP::Policy::DEEPAUGMENT_V1);
  const Augmenter aug(param);
  const std::vector<OpType>& set = NamedOpSet(AP::Policy::DEEPAUGMENT_V1);
  std::set<int> seen;
  for (int r = 0; r < 400; ++r) {
    const SampledParams p = aug.Sample(12, 12, 3, Record(r), TRAIN);
    ASSERT_EQ(p.fired_ops.size(), 1u);
    ASSERT_NE(std::find(set.begin(), set.end(), p.fired_ops[0].type), set.end());
    seen.insert(p.fired_ops[0].type);
  }
  EXPECT_EQ(seen.size(), set.size());  // 400 draws reach all 24 ops
}

TEST(PolicyDefinitionTest, SampledVectorRecordsTheFiredOps) {
  AP param;
  param.set_random_seed(4);
  param.mutable_policy()->set_kind(AP::Policy::RAND_AUGMENT);
  param.mutable_policy()->set_num_ops(3);
  param.mutable_policy()->set_magnitude(12);
  param.mutable_policy()->add_op_set(AP::Op::ROTATE);
  param.mutable_policy()->add_op_set(AP::Op::GAUSSIAN_BLUR);
  const Augmenter aug(param);
  const SampledParams p = aug.Sample(10, 10, 3, Record(7), TRAIN);
  ASSERT_EQ(p.fired_ops.size(), 3u);
  float v[SampledParams::kVectorSize];
  p.ToVector(v);
  const std::vector<string>& names = SampledParams::Names();
  auto at = [&](const string& name) {
    return v[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  EXPECT_EQ(at("policy_ops_fired"), 3);
  for (int k = 0; k < 3; ++k) {
    const FiredOp& op = p.fired_ops[k];
    EXPECT_EQ(at("policy_op_" + std::to_string(k) + "_type"), op.type);
    EXPECT_FLOAT_EQ(at("policy_op_" + std::to_string(k) + "_magnitude"),
                    static_cast<float>(op.sign * 0.4));
    EXPECT_TRUE(op.sign == 1 || op.type == AP::Op::ROTATE);
  }
  EXPECT_EQ(at("policy_op_3_type"), -1);
  EXPECT_EQ(at("policy_op_3_magnitude"), 0);
}

// A ConfigError names the owner (layer), the field and the allowed range.
TEST(PolicyDefinitionTest, BadValuesNameLayerFieldAndRange) {
  const string layer = "layer 'data' (Data)";
  auto message = [&](void (*edit)(AP*)) -> string {
    AP param;
    param.set_random_seed(1);
    edit(&param);
    try {
      Augmenter aug(param, layer);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  };
  auto contains = [](const string& text, const string& part) {
    return text.find(part) != string::npos;
  };
  string m = message([](AP* p) {
    p->mutable_policy()->add_sub_policy()->add_op()->set_name("blurr");
  });
  EXPECT_TRUE(contains(m, layer)) << m;
  EXPECT_TRUE(contains(m, "augmentation_param.policy.sub_policy[0].op[0].name")) << m;
  EXPECT_TRUE(contains(m, "\"blurr\" is not an op")) << m;
  EXPECT_TRUE(contains(m, "GAUSSIAN_BLUR")) << m;
  m = message([](AP* p) {
    AP::SubPolicy* sub = p->mutable_policy()->add_sub_policy();
    sub->add_op()->set_type(AP::Op::INVERT);
    sub->add_op()->set_magnitude(1.5);
  });
  EXPECT_TRUE(contains(m, layer)) << m;
  EXPECT_TRUE(contains(m, "policy.sub_policy[0].op[1].magnitude = 1.5")) << m;
  EXPECT_TRUE(contains(m, "allowed range [0, 1]")) << m;
  m = message([](AP* p) { p->mutable_policy()->set_preset("AUTOAUGMENT_MNIST"); });
  EXPECT_TRUE(contains(m, layer)) << m;
  EXPECT_TRUE(contains(m, "augmentation_param.policy.preset")) << m;
  EXPECT_TRUE(contains(m, "AUTOAUGMENT_IMAGENET, AUTOAUGMENT_CIFAR10, AUTOAUGMENT_SVHN")) << m;
  m = message([](AP* p) {
    p->mutable_policy()->add_sub_policy()->set_portion(-0.1f);
  });
  EXPECT_TRUE(contains(m, "policy.sub_policy[0].portion")) << m;
  m = message([](AP* p) {
    p->mutable_policy()->set_kind(AP::Policy::RAND_AUGMENT);
    p->mutable_policy()->set_preset("AUTOAUGMENT_IMAGENET");
  });
  EXPECT_TRUE(contains(m, "needs kind AUTO_AUGMENT")) << m;
  m = message([](AP* p) {
    p->mutable_policy()->set_preset("AUTOAUGMENT_IMAGENET");
    p->mutable_policy()->add_sub_policy()->add_op();
  });
  EXPECT_TRUE(contains(m, "give one or the other")) << m;
  m = message([](AP* p) { p->set_rotation(200); });
  EXPECT_TRUE(contains(m, "augmentation_param.rotation = 200")) << m;
  EXPECT_TRUE(contains(m, "[0, 180]")) << m;
}

// ---- the pixel chain -------------------------------------------------------

struct PixelCase {
  const char* name;
  void (*edit)(AP*);
};

class PixelOpTest : public ::testing::TestWithParam<PixelCase> {};

TEST_P(PixelOpTest, FastMatchesReference) {
  AP param;
  param.set_random_seed(21);
  GetParam().edit(&param);
  for (int channels : {1, 3}) {
    for (auto order : {AP::BGR, AP::RGB}) {
      param.set_channel_order(order);
      ExpectFastMatchesReference(param, channels, 1, 6);
    }
  }
}

const PixelCase kPixelCases[] = {
    {"brightness", [](AP* p) { p->set_brightness(0.6); }},
    {"contrast", [](AP* p) { p->set_contrast(0.8); }},
    {"saturation", [](AP* p) { p->set_saturation(0.9); }},
    {"hue", [](AP* p) { p->set_hue(0.4); }},
    {"gamma", [](AP* p) { p->set_gamma_min(0.4); p->set_gamma_max(2.5); }},
    {"pca", [](AP* p) { p->set_pca_lighting_std(0.5); }},
    {"noise", [](AP* p) { p->set_noise_std(20); }},
    {"salt_pepper", [](AP* p) { p->set_salt_pepper_prob(0.2); }},
    {"cutout", [](AP* p) { p->set_cutout_prob(1); p->set_cutout_count(3); }},
    {"cutout_random",
     [](AP* p) {
       p->set_cutout_prob(1);
       p->set_cutout_random_fill(true);
     }},
    {"all",
     [](AP* p) {
       p->set_brightness(0.4);
       p->set_contrast(0.4);
       p->set_saturation(0.4);
       p->set_hue(0.1);
       p->set_gamma_min(0.7);
       p->set_gamma_max(1.4);
       p->set_pca_lighting_std(0.3);
       p->set_noise_std(5);
       p->set_salt_pepper_prob(0.05);
       p->set_cutout_prob(0.5);
     }},
};

INSTANTIATE_TEST_SUITE_P(EveryPixelOp, PixelOpTest, ::testing::ValuesIn(kPixelCases),
                         [](const ::testing::TestParamInfo<PixelCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(PixelDefinitionTest, NoiseHasTheRequestedSpread) {
  AP param;
  param.set_random_seed(8);
  param.set_noise_std(10);
  const Augmenter aug(param);
  const int h = 64, w = 64;
  const std::vector<uint8_t> grey(h * w * 3, 128);
  AugmentedImage out;
  out.layout = AugmentedImage::FLOAT_CHW;
  aug.Apply(grey.data(), h, w, 3, Record(0), TRAIN, &out);
  double sum = 0, sq = 0;
  for (float v : out.f32) {
    sum += v - 128;
    sq += (v - 128) * (v - 128);
  }
  const double n = out.f32.size();
  EXPECT_NEAR(sum / n, 0, 0.3);
  EXPECT_NEAR(std::sqrt(sq / n - (sum / n) * (sum / n)), 10, 0.3);
}

TEST(PixelDefinitionTest, SaturationZeroGivesGrey) {
  AP param;
  param.set_random_seed(8);
  param.set_saturation(1);
  const Augmenter aug(param);
  const int h = 6, w = 6;
  const std::vector<uint8_t> img = TexturedImage(h, w, 3);
  SampledParams p = aug.Sample(h, w, 3, Record(0), TRAIN);
  p.saturation = 0;
  AugmentedImage out;
  aug.Render(img.data(), p, &out);
  for (int i = 0; i < h * w; ++i) {
    // BGR storage: luminance 0.114 B + 0.587 G + 0.299 R.
    const double g = 0.114 * img[3 * i] + 0.587 * img[3 * i + 1] + 0.299 * img[3 * i + 2];
    for (int k = 0; k < 3; ++k) EXPECT_LE(std::fabs(out.u8[3 * i + k] - g), 0.5 + 1e-6);
  }
}

TEST(PixelDefinitionTest, HueKeepsLuminance) {
  AP param;
  param.set_random_seed(8);
  param.set_hue(0.5);
  const Augmenter aug(param);
  const int h = 6, w = 6;
  std::vector<uint8_t> img(h * w * 3);
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(90 + (i * 7) % 60);
  AugmentedImage out;
  out.layout = AugmentedImage::FLOAT_CHW;
  aug.Apply(img.data(), h, w, 3, Record(0), TRAIN, &out);
  ASSERT_NE(out.params.hue, 0);
  for (int i = 0; i < h * w; ++i) {
    const double before = 0.114 * img[3 * i] + 0.587 * img[3 * i + 1] + 0.299 * img[3 * i + 2];
    const double after = 0.114 * out.f32[i] + 0.587 * out.f32[h * w + i] +
                         0.299 * out.f32[2 * h * w + i];
    EXPECT_NEAR(before, after, 1e-3);
  }
}

}  // namespace
}  // namespace augment
}  // namespace caffe
