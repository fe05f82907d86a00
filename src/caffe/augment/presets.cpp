// The published AutoAugment policies (Cubuk et al., "AutoAugment: Learning
// Augmentation Policies from Data", 2019), selectable as policy.preset.
// Each sub-policy is two (op, probability, level) triples; level is on the
// paper's 0..9 scale and becomes magnitude level / 9, which with the op
// table's mappings gives the paper's strengths (e.g. ROTATE level 9 = 30
// degrees). Ops the paper applies without a level get magnitude 0.
#include <cctype>

#include "caffe/augment/ops.hpp"

namespace caffe {
namespace augment {

namespace {

typedef AugmentationParameter::Op Op;

constexpr int kNoLevel = -1;

struct PresetOp {
  OpType type;
  float prob;
  int level;
};
typedef PresetOp PresetRow[2];

const PresetRow kImageNet[] = {
    {{Op::POSTERIZE, 0.4, 8}, {Op::ROTATE, 0.6, 9}},
    {{Op::SOLARIZE, 0.6, 5}, {Op::AUTO_CONTRAST, 0.6, kNoLevel}},
    {{Op::EQUALIZE, 0.8, kNoLevel}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::POSTERIZE, 0.6, 7}, {Op::POSTERIZE, 0.6, 6}},
    {{Op::EQUALIZE, 0.4, kNoLevel}, {Op::SOLARIZE, 0.2, 4}},
    {{Op::EQUALIZE, 0.4, kNoLevel}, {Op::ROTATE, 0.8, 8}},
    {{Op::SOLARIZE, 0.6, 3}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::POSTERIZE, 0.8, 5}, {Op::EQUALIZE, 1.0, kNoLevel}},
    {{Op::ROTATE, 0.2, 3}, {Op::SOLARIZE, 0.6, 8}},
    {{Op::EQUALIZE, 0.6, kNoLevel}, {Op::POSTERIZE, 0.4, 6}},
    {{Op::ROTATE, 0.8, 8}, {Op::COLOR, 0.4, 0}},
    {{Op::ROTATE, 0.4, 9}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::EQUALIZE, 0.0, kNoLevel}, {Op::EQUALIZE, 0.8, kNoLevel}},
    {{Op::INVERT, 0.6, kNoLevel}, {Op::EQUALIZE, 1.0, kNoLevel}},
    {{Op::COLOR, 0.6, 4}, {Op::CONTRAST, 1.0, 8}},
    {{Op::ROTATE, 0.8, 8}, {Op::COLOR, 1.0, 2}},
    {{Op::COLOR, 0.8, 8}, {Op::SOLARIZE, 0.8, 7}},
    {{Op::SHARPNESS, 0.4, 7}, {Op::INVERT, 0.6, kNoLevel}},
    {{Op::SHEAR_X, 0.6, 5}, {Op::EQUALIZE, 1.0, kNoLevel}},
    {{Op::COLOR, 0.4, 0}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::EQUALIZE, 0.4, kNoLevel}, {Op::SOLARIZE, 0.2, 4}},
    {{Op::SOLARIZE, 0.6, 5}, {Op::AUTO_CONTRAST, 0.6, kNoLevel}},
    {{Op::INVERT, 0.6, kNoLevel}, {Op::EQUALIZE, 1.0, kNoLevel}},
    {{Op::COLOR, 0.6, 4}, {Op::CONTRAST, 1.0, 8}},
    {{Op::EQUALIZE, 0.8, kNoLevel}, {Op::EQUALIZE, 0.6, kNoLevel}},
};

const PresetRow kCifar10[] = {
    {{Op::INVERT, 0.1, kNoLevel}, {Op::CONTRAST, 0.2, 6}},
    {{Op::ROTATE, 0.7, 2}, {Op::TRANSLATE_X, 0.3, 9}},
    {{Op::SHARPNESS, 0.8, 1}, {Op::SHARPNESS, 0.9, 3}},
    {{Op::SHEAR_Y, 0.5, 8}, {Op::TRANSLATE_Y, 0.7, 9}},
    {{Op::AUTO_CONTRAST, 0.5, kNoLevel}, {Op::EQUALIZE, 0.9, kNoLevel}},
    {{Op::SHEAR_Y, 0.2, 7}, {Op::POSTERIZE, 0.3, 7}},
    {{Op::COLOR, 0.4, 3}, {Op::BRIGHTNESS, 0.6, 7}},
    {{Op::SHARPNESS, 0.3, 9}, {Op::BRIGHTNESS, 0.7, 9}},
    {{Op::EQUALIZE, 0.6, kNoLevel}, {Op::EQUALIZE, 0.5, kNoLevel}},
    {{Op::CONTRAST, 0.6, 7}, {Op::SHARPNESS, 0.6, 5}},
    {{Op::COLOR, 0.7, 7}, {Op::TRANSLATE_X, 0.5, 8}},
    {{Op::EQUALIZE, 0.3, kNoLevel}, {Op::AUTO_CONTRAST, 0.4, kNoLevel}},
    {{Op::TRANSLATE_Y, 0.4, 3}, {Op::SHARPNESS, 0.2, 6}},
    {{Op::BRIGHTNESS, 0.9, 6}, {Op::COLOR, 0.2, 8}},
    {{Op::SOLARIZE, 0.5, 2}, {Op::INVERT, 0.0, kNoLevel}},
    {{Op::EQUALIZE, 0.2, kNoLevel}, {Op::AUTO_CONTRAST, 0.6, kNoLevel}},
    {{Op::EQUALIZE, 0.2, kNoLevel}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::COLOR, 0.9, 9}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::AUTO_CONTRAST, 0.8, kNoLevel}, {Op::SOLARIZE, 0.2, 8}},
    {{Op::BRIGHTNESS, 0.1, 3}, {Op::COLOR, 0.7, 0}},
    {{Op::SOLARIZE, 0.4, 5}, {Op::AUTO_CONTRAST, 0.9, kNoLevel}},
    {{Op::TRANSLATE_Y, 0.9, 9}, {Op::TRANSLATE_Y, 0.7, 9}},
    {{Op::AUTO_CONTRAST, 0.9, kNoLevel}, {Op::SOLARIZE, 0.8, 3}},
    {{Op::EQUALIZE, 0.8, kNoLevel}, {Op::INVERT, 0.1, kNoLevel}},
    {{Op::TRANSLATE_Y, 0.7, 9}, {Op::AUTO_CONTRAST, 0.9, kNoLevel}},
};

const PresetRow kSvhn[] = {
    {{Op::SHEAR_X, 0.9, 4}, {Op::INVERT, 0.2, kNoLevel}},
    {{Op::SHEAR_Y, 0.9, 8}, {Op::INVERT, 0.7, kNoLevel}},
    {{Op::EQUALIZE, 0.6, kNoLevel}, {Op::SOLARIZE, 0.6, 6}},
    {{Op::INVERT, 0.9, kNoLevel}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::EQUALIZE, 0.6, kNoLevel}, {Op::ROTATE, 0.9, 3}},
    {{Op::SHEAR_X, 0.9, 4}, {Op::AUTO_CONTRAST, 0.8, kNoLevel}},
    {{Op::SHEAR_Y, 0.9, 8}, {Op::INVERT, 0.4, kNoLevel}},
    {{Op::SHEAR_Y, 0.9, 5}, {Op::SOLARIZE, 0.2, 6}},
    {{Op::INVERT, 0.9, kNoLevel}, {Op::AUTO_CONTRAST, 0.8, kNoLevel}},
    {{Op::EQUALIZE, 0.6, kNoLevel}, {Op::ROTATE, 0.9, 3}},
    {{Op::SHEAR_X, 0.9, 4}, {Op::SOLARIZE, 0.3, 3}},
    {{Op::SHEAR_Y, 0.8, 8}, {Op::INVERT, 0.7, kNoLevel}},
    {{Op::EQUALIZE, 0.9, kNoLevel}, {Op::TRANSLATE_Y, 0.6, 6}},
    {{Op::INVERT, 0.9, kNoLevel}, {Op::EQUALIZE, 0.6, kNoLevel}},
    {{Op::CONTRAST, 0.3, 3}, {Op::ROTATE, 0.8, 4}},
    {{Op::INVERT, 0.8, kNoLevel}, {Op::TRANSLATE_Y, 0.0, 2}},
    {{Op::SHEAR_Y, 0.7, 6}, {Op::SOLARIZE, 0.4, 8}},
    {{Op::INVERT, 0.6, kNoLevel}, {Op::ROTATE, 0.8, 4}},
    {{Op::SHEAR_Y, 0.3, 7}, {Op::TRANSLATE_X, 0.9, 3}},
    {{Op::SHEAR_X, 0.1, 6}, {Op::INVERT, 0.6, kNoLevel}},
    {{Op::SOLARIZE, 0.7, 2}, {Op::TRANSLATE_Y, 0.6, 7}},
    {{Op::SHEAR_Y, 0.8, 4}, {Op::INVERT, 0.8, kNoLevel}},
    {{Op::SHEAR_X, 0.7, 9}, {Op::TRANSLATE_Y, 0.8, 3}},
    {{Op::SHEAR_Y, 0.8, 5}, {Op::AUTO_CONTRAST, 0.7, kNoLevel}},
    {{Op::SHEAR_X, 0.7, 2}, {Op::INVERT, 0.1, kNoLevel}},
};

struct Preset {
  const char* name;
  const PresetRow* rows;
  int count;
};

template <int N>
constexpr Preset MakePreset(const char* name, const PresetRow (&rows)[N]) {
  return {name, rows, N};
}

const Preset kPresets[] = {
    MakePreset("AUTOAUGMENT_IMAGENET", kImageNet),
    MakePreset("AUTOAUGMENT_CIFAR10", kCifar10),
    MakePreset("AUTOAUGMENT_SVHN", kSvhn),
};

string Upper(const string& text) {
  string out;
  for (char ch : text) out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

bool PresetSubPolicies(const string& name,
                       std::vector<AugmentationParameter::SubPolicy>* out) {
  const string wanted = Upper(name);
  for (const Preset& preset : kPresets) {
    if (wanted != preset.name) continue;
    out->clear();
    for (int i = 0; i < preset.count; ++i) {
      AugmentationParameter::SubPolicy sub;
      for (const PresetOp& entry : preset.rows[i]) {
        AugmentationParameter::Op* op = sub.add_op();
        op->set_type(entry.type);
        op->set_prob(entry.prob);
        op->set_magnitude(entry.level == kNoLevel ? 0.f : entry.level / 9.f);
      }
      out->push_back(sub);
    }
    return true;
  }
  return false;
}

string PresetNameList() {
  string list;
  for (const Preset& preset : kPresets) {
    list += (list.empty() ? "" : ", ") + string(preset.name);
  }
  return list;
}

}  // namespace augment
}  // namespace caffe
