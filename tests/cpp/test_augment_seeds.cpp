// Seeded runs stay seeded runs: the outputs below were computed by the engine
// before the op table and the new ops existed (commit 32200c9) and are pinned
// here, so adding an op, a named op set or a sub-policy option can never
// change what an existing configuration produces.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "augment_test_util.hpp"
#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {
namespace {

typedef AugmentationParameter AP;

// FNV-1a over bytes.
struct Fnv {
  uint64_t h = 0xcbf29ce484222325ULL;
  void Add(const void* data, size_t n) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  }
  void Add(float v) { Add(&v, sizeof v); }
  void Add(int v) { Add(&v, sizeof v); }
};

// The draws that existed before the change: geometry, crop, window, colour,
// gamma and PCA (SampledParams::ToVector entries 0..23, which kept their
// meaning), plus which policy pixel ops ran (their effect is in the image).
void AddParams(const SampledParams& p, Fnv* fnv) {
  const double values[] = {
      p.angle_deg, double(p.rot90), p.scale, p.aspect, p.shear_x, p.shear_y,
      p.translate_x, p.translate_y, double(p.hflip), double(p.vflip),
      double(p.crop_x), double(p.crop_y), double(p.window.x), double(p.window.y),
      double(p.window.width), double(p.window.height), p.brightness, p.contrast,
      p.saturation, p.hue, p.gamma, p.pca_alpha[0], p.pca_alpha[1], p.pca_alpha[2]};
  for (double v : values) fnv->Add(static_cast<float>(v));
  for (const PolicyPixelOp& op : p.policy_ops) fnv->Add(static_cast<int>(op.type));
  fnv->Add(static_cast<int>(p.cutouts.size()));
}

// Hash of records 0..5, slots 0..2, colour and grey, images and draws.
uint64_t RunHash(const AP& param) {
  const Augmenter aug(param);
  Fnv fnv;
  for (int channels : {3, 1}) {
    for (uint64_t record = 0; record < 6; ++record) {
      const std::vector<uint8_t> img =
          test::TexturedImage(23, 25, channels, static_cast<int>(record));
      for (int slot = 0; slot < 3; ++slot) {
        RecordContext ctx;
        ctx.epoch = record % 2;
        ctx.record = record;
        ctx.slot = slot;
        AugmentedImage out;
        aug.Apply(img.data(), 23, 25, channels, ctx, TRAIN, &out);
        fnv.Add(out.u8.data(), out.u8.size());
        AddParams(out.params, &fnv);
      }
    }
  }
  return fnv.h;
}

void AddOp(AP::SubPolicy* sub, AP::Op::Type type, float prob, float magnitude) {
  AP::Op* op = sub->add_op();
  op->set_type(type);
  op->set_prob(prob);
  op->set_magnitude(magnitude);
}

TEST(AugmentSeedsTest, RandAugmentWithTheDefaultOpSet) {
  AP param;
  param.set_random_seed(11);
  param.mutable_policy()->set_kind(AP::Policy::RAND_AUGMENT);
  param.mutable_policy()->set_num_ops(2);
  param.mutable_policy()->set_magnitude(9);
  EXPECT_EQ(RunHash(param), 15734021145870504327ULL);
  // Readable too: the ops record 0 drew (slot 0, colour).
  const Augmenter aug(param);
  RecordContext ctx;
  const SampledParams p = aug.Sample(23, 25, 3, ctx, TRAIN);
  std::vector<int> types;
  for (const PolicyPixelOp& op : p.policy_ops) types.push_back(op.type);
  EXPECT_EQ(types, (std::vector<int>{AP::Op::POSTERIZE, AP::Op::EQUALIZE}));
  EXPECT_FLOAT_EQ(static_cast<float>(p.angle_deg), 0.f);
}

TEST(AugmentSeedsTest, TrivialAugmentWithTheDefaultOpSet) {
  AP param;
  param.set_random_seed(12);
  param.mutable_policy()->set_kind(AP::Policy::TRIVIAL_AUGMENT);
  EXPECT_EQ(RunHash(param), 10991912729605243815ULL);
}

TEST(AugmentSeedsTest, AutoAugmentSubPolicies) {
  AP param;
  param.set_random_seed(13);
  AP::Policy* policy = param.mutable_policy();
  AP::SubPolicy* a = policy->add_sub_policy();
  AddOp(a, AP::Op::ROTATE, 0.7f, 0.4f);
  AddOp(a, AP::Op::EQUALIZE, 0.5f, 0.f);
  AP::SubPolicy* b = policy->add_sub_policy();
  AddOp(b, AP::Op::POSTERIZE, 0.8f, 0.3f);
  AddOp(b, AP::Op::SHEAR_X, 0.6f, 0.9f);
  AP::SubPolicy* c = policy->add_sub_policy();
  AddOp(c, AP::Op::COLOR, 0.9f, 0.6f);
  AddOp(c, AP::Op::TRANSLATE_Y, 0.4f, 0.5f);
  AP::SubPolicy* d = policy->add_sub_policy();
  AddOp(d, AP::Op::SOLARIZE, 0.5f, 0.2f);
  AddOp(d, AP::Op::SHARPNESS, 0.7f, 0.8f);
  EXPECT_EQ(RunHash(param), 17441601959520647473ULL);
}

TEST(AugmentSeedsTest, GeometryAndPixelChainSharedGeometry) {
  AP param;
  param.set_random_seed(14);
  param.set_crop_size(19);
  param.set_rotation(20);
  param.set_scale_min(0.9f);
  param.set_scale_max(1.1f);
  param.set_shear_x(5);
  param.set_hflip_prob(0.5f);
  param.set_brightness(0.2f);
  param.set_contrast(0.2f);
  param.set_saturation(0.2f);
  param.set_hue(0.05f);
  param.set_gamma_min(0.8f);
  param.set_gamma_max(1.2f);
  param.set_pca_lighting_std(0.1f);
  param.set_noise_std(5);
  param.set_salt_pepper_prob(0.02f);
  param.set_cutout_prob(0.5f);
  param.set_share(AP::GEOMETRY);
  param.mutable_policy()->set_kind(AP::Policy::TRIVIAL_AUGMENT);
  EXPECT_EQ(RunHash(param), 13288131721726645844ULL);
}

}  // namespace
}  // namespace augment
}  // namespace caffe
