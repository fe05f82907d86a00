// The op table and what hangs off it: the table check (and that it catches
// a missing kernel, row or duplicate), op names, the frozen named op sets,
// the AutoAugment presets, the sampled-parameter names, and the docs table
// that must list every op and every parameter name.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "caffe/augment/augmenter.hpp"
#include "caffe/augment/ops.hpp"

namespace caffe {
namespace augment {
namespace {

typedef AugmentationParameter AP;

std::vector<OpSpec> TableCopy() {
  return std::vector<OpSpec>(OpTable(), OpTable() + OpTableSize());
}

bool Mentions(const std::vector<string>& problems, const string& text) {
  for (const string& p : problems) {
    if (p.find(text) != string::npos) return true;
  }
  return false;
}

TEST(OpTableTest, HasOneValidRowPerOpType) {
  EXPECT_EQ(OpTableSize(), AP::Op::Type_ARRAYSIZE);
  EXPECT_EQ(OpTableProblems(OpTable(), OpTableSize()), std::vector<string>{});
  for (int t = 0; t < OpTableSize(); ++t) {
    EXPECT_EQ(GetOp(static_cast<OpType>(t)).type, t);
    EXPECT_EQ(GetOp(static_cast<OpType>(t)).name,
              AP::Op::Type_Name(static_cast<OpType>(t)));
  }
}

TEST(OpTableTest, AMissingKernelFailsTheCheck) {
  std::vector<OpSpec> rows = TableCopy();
  rows[AP::Op::GAUSSIAN_BLUR].fast = nullptr;
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "GAUSSIAN_BLUR has no fast kernel"));
  rows = TableCopy();
  rows[AP::Op::EQUALIZE].reference = nullptr;
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "EQUALIZE has no reference kernel"));
  rows = TableCopy();
  rows[AP::Op::CROP].fold = nullptr;
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "CROP has no fold into the matrix"));
  rows = TableCopy();
  rows[AP::Op::SCALE].reference_map = nullptr;
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "SCALE has no reference map"));
  rows = TableCopy();
  rows[AP::Op::FOG].strength = nullptr;
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "FOG has no magnitude mapping"));
}

TEST(OpTableTest, AMissingOrDoubledRowFailsTheCheck) {
  std::vector<OpSpec> rows = TableCopy();
  rows.erase(rows.begin() + AP::Op::EMBOSS);
  std::vector<string> problems = OpTableProblems(rows.data(), static_cast<int>(rows.size()));
  EXPECT_TRUE(Mentions(problems, "EMBOSS has no row"));
  EXPECT_TRUE(Mentions(problems, "not in enum order"));
  rows = TableCopy();
  rows[AP::Op::SHARPEN] = rows[AP::Op::EMBOSS];
  problems = OpTableProblems(rows.data(), static_cast<int>(rows.size()));
  EXPECT_TRUE(Mentions(problems, "EMBOSS has 2 rows"));
  EXPECT_TRUE(Mentions(problems, "SHARPEN has no row"));
  rows = TableCopy();
  rows[AP::Op::GAMMA].alias = "DROPOUT";
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "GAMMA's alias DROPOUT names another op too"));
  rows = TableCopy();
  rows[AP::Op::INVERT].name = "NEGATE";
  EXPECT_TRUE(Mentions(OpTableProblems(rows.data(), static_cast<int>(rows.size())),
                       "named 'NEGATE' but its type is INVERT"));
}

TEST(OpTableTest, OpsAreFoundByName) {
  OpType type;
  ASSERT_TRUE(OpTypeFromName("gaussian-blur", &type));
  EXPECT_EQ(type, AP::Op::GAUSSIAN_BLUR);
  ASSERT_TRUE(OpTypeFromName("Coarse_Salt_Pepper", &type));
  EXPECT_EQ(type, AP::Op::COARSE_SALT_PEPPER);
  ASSERT_TRUE(OpTypeFromName("additive-gaussian-noise", &type));  // DeepAugment's name
  EXPECT_EQ(type, AP::Op::GAUSSIAN_NOISE);
  ASSERT_TRUE(OpTypeFromName("horizontal-flip", &type));
  EXPECT_EQ(type, AP::Op::HFLIP);
  EXPECT_FALSE(OpTypeFromName("blurr", &type));
  EXPECT_NE(OpNameList().find("HUE_SATURATION"), string::npos);
}

// Released sets are frozen: these lists must never change.
TEST(OpTableTest, NamedOpSetsAreFrozen) {
  std::vector<OpType> standard;
  for (int t = AP::Op::IDENTITY; t <= AP::Op::SHARPNESS; ++t) {
    standard.push_back(static_cast<OpType>(t));
  }
  EXPECT_EQ(NamedOpSet(AP::Policy::STANDARD_V1), standard);
  const std::vector<OpType> deep = {
      AP::Op::CROP, AP::Op::GAUSSIAN_BLUR, AP::Op::ROTATE, AP::Op::SHEAR_X,
      AP::Op::SHEAR_Y, AP::Op::TRANSLATE_X, AP::Op::TRANSLATE_Y, AP::Op::HFLIP,
      AP::Op::VFLIP, AP::Op::SHARPEN, AP::Op::EMBOSS, AP::Op::GAUSSIAN_NOISE,
      AP::Op::PIXEL_DROPOUT, AP::Op::COARSE_DROPOUT, AP::Op::GAMMA,
      AP::Op::BRIGHTEN, AP::Op::INVERT, AP::Op::FOG, AP::Op::CLOUDS,
      AP::Op::EQUALIZE, AP::Op::HUE_SATURATION, AP::Op::SALT_PEPPER,
      AP::Op::COARSE_SALT_PEPPER, AP::Op::SCALE};
  EXPECT_EQ(NamedOpSet(AP::Policy::DEEPAUGMENT_V1), deep);
  const std::vector<OpType>& every = NamedOpSet(AP::Policy::EVERY_OP_V1);
  ASSERT_EQ(every.size(), 32u);
  for (int t = 0; t < 32; ++t) EXPECT_EQ(every[t], t);
}

TEST(OpTableTest, PresetsHoldThePublishedPolicies) {
  std::vector<AP::SubPolicy> subs;
  for (const char* name : {"AUTOAUGMENT_IMAGENET", "autoaugment_cifar10",
                           "AutoAugment_SVHN"}) {
    ASSERT_TRUE(PresetSubPolicies(name, &subs)) << name;
    ASSERT_EQ(subs.size(), 25u) << name;
    for (const AP::SubPolicy& sub : subs) {
      ASSERT_EQ(sub.op_size(), 2);
      for (const AP::Op& op : sub.op()) {
        EXPECT_GE(op.prob(), 0);
        EXPECT_LE(op.prob(), 1);
        EXPECT_GE(op.magnitude(), 0);
        EXPECT_LE(op.magnitude(), 1);
      }
    }
  }
  // ImageNet's first sub-policy: (Posterize, 0.4, 8), (Rotate, 0.6, 9).
  ASSERT_TRUE(PresetSubPolicies("AUTOAUGMENT_IMAGENET", &subs));
  EXPECT_EQ(subs[0].op(0).type(), AP::Op::POSTERIZE);
  EXPECT_FLOAT_EQ(subs[0].op(0).prob(), 0.4f);
  EXPECT_FLOAT_EQ(subs[0].op(0).magnitude(), 8 / 9.f);
  EXPECT_EQ(subs[0].op(1).type(), AP::Op::ROTATE);
  EXPECT_FLOAT_EQ(subs[0].op(1).magnitude(), 1.f);  // 30 degrees
  // CIFAR-10's second: (Rotate, 0.7, 2), (TranslateX, 0.3, 9).
  ASSERT_TRUE(PresetSubPolicies("AUTOAUGMENT_CIFAR10", &subs));
  EXPECT_EQ(subs[1].op(1).type(), AP::Op::TRANSLATE_X);
  EXPECT_FLOAT_EQ(subs[1].op(1).prob(), 0.3f);
  // SVHN's last: (ShearX, 0.7, 2), (Invert, 0.1, no level).
  ASSERT_TRUE(PresetSubPolicies("AUTOAUGMENT_SVHN", &subs));
  EXPECT_EQ(subs[24].op(0).type(), AP::Op::SHEAR_X);
  EXPECT_FLOAT_EQ(subs[24].op(0).magnitude(), 2 / 9.f);
  EXPECT_EQ(subs[24].op(1).type(), AP::Op::INVERT);
  EXPECT_FLOAT_EQ(subs[24].op(1).magnitude(), 0.f);
  EXPECT_FALSE(PresetSubPolicies("AUTOAUGMENT_MNIST", &subs));
  EXPECT_EQ(PresetNameList(),
            "AUTOAUGMENT_IMAGENET, AUTOAUGMENT_CIFAR10, AUTOAUGMENT_SVHN");
}

TEST(OpTableTest, SampledParamNamesAreUniqueAndSized) {
  const std::vector<string>& names = SampledParams::Names();
  ASSERT_EQ(names.size(), static_cast<size_t>(SampledParams::kVectorSize));
  EXPECT_EQ(std::set<string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names[0], "angle_deg");
  EXPECT_EQ(names[24], "policy_ops_fired");
  EXPECT_EQ(names[26], "policy_op_0_type");
  EXPECT_EQ(names.back(), "policy_op_7_magnitude");
}

std::string ReadDocs() {
  std::ifstream in(std::string(CAFFE_SOURCE_DIR) + "/docs/augmentation.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// docs/augmentation.md has one table row per op (with its mapping) and
// names every entry of the sampled-parameter vector.
TEST(OpTableTest, DocsListEveryOpAndParameterName) {
  const std::string docs = ReadDocs();
  ASSERT_FALSE(docs.empty());
  for (int t = 0; t < OpTableSize(); ++t) {
    const OpSpec& op = OpTable()[t];
    const std::string row = "| `" + std::string(op.name) + "` |";
    const size_t at = docs.find(row);
    ASSERT_NE(at, std::string::npos) << "no docs row for " << op.name;
    const std::string line = docs.substr(at, docs.find('\n', at) - at);
    EXPECT_NE(line.find(op.mapping), std::string::npos)
        << op.name << ": the docs row should state '" << op.mapping << "'";
  }
  for (const string& name : SampledParams::Names()) {
    EXPECT_NE(docs.find("`" + name + "`"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace augment
}  // namespace caffe
