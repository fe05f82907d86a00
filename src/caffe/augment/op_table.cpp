// The op table: one row per augmentation op, the named op sets, and the
// checks that keep both complete. See include/caffe/augment/ops.hpp.
#include "caffe/augment/ops.hpp"

#include <cctype>
#include <iterator>

#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {

namespace {

using namespace internal;  // NOLINT: the kernels the rows name
typedef AugmentationParameter::Op Op;
constexpr OpKind kNone = OpKind::kNone;
constexpr OpKind kGeo = OpKind::kGeometric;
constexpr OpKind kPix = OpKind::kPixel;

double Unused(double, double) { return 0; }

// Rows in enum order. Strength expressions keep the operation order the
// engine has always used, so seeded runs reproduce bit for bit.
// clang-format off
constexpr OpSpec kRows[] = {
  {Op::IDENTITY, "IDENTITY", kNone, false, Unused, "no effect",
   nullptr, nullptr, nullptr, nullptr, 0},
  {Op::ROTATE, "ROTATE", kGeo, true,
   [](double m, double s) { return s * 30 * m; }, "rotation by ±30·m degrees",
   FoldRotate, MapRotate, nullptr, nullptr, 1},
  {Op::SHEAR_X, "SHEAR_X", kGeo, true,
   [](double m, double s) { return s * 0.3 * m; }, "x += ±0.3·m · y",
   FoldShearX, MapShearX, nullptr, nullptr, 1},
  {Op::SHEAR_Y, "SHEAR_Y", kGeo, true,
   [](double m, double s) { return s * 0.3 * m; }, "y += ±0.3·m · x",
   FoldShearY, MapShearY, nullptr, nullptr, 1},
  {Op::TRANSLATE_X, "TRANSLATE_X", kGeo, true,
   [](double m, double s) { return s * 0.45 * m; }, "shift by ±0.45·m · W",
   FoldTranslateX, MapTranslateX, nullptr, nullptr, 1},
  {Op::TRANSLATE_Y, "TRANSLATE_Y", kGeo, true,
   [](double m, double s) { return s * 0.45 * m; }, "shift by ±0.45·m · H",
   FoldTranslateY, MapTranslateY, nullptr, nullptr, 1},
  {Op::AUTO_CONTRAST, "AUTO_CONTRAST", kPix, false, Unused,
   "per channel [min, max] -> [0, 255]; m unused",
   nullptr, nullptr, FastAutoContrast, RefAutoContrast, 0},
  {Op::EQUALIZE, "EQUALIZE", kPix, false, Unused,
   "per channel histogram equalisation; m unused",
   nullptr, nullptr, FastEqualize, RefEqualize, 0, "HISTOGRAM_EQUALIZE"},
  {Op::INVERT, "INVERT", kPix, false, Unused, "v -> 255 - v; m unused",
   nullptr, nullptr, FastInvert, RefInvert, 0},
  {Op::SOLARIZE, "SOLARIZE", kPix, false,
   [](double m, double) { return 256 * (1 - m); },
   "inverts values >= 256·(1 - m)",
   nullptr, nullptr, FastSolarize, RefSolarize, 0},
  {Op::POSTERIZE, "POSTERIZE", kPix, false,
   [](double m, double) { return 8 - std::round(4 * m); },
   "keeps 8 - round(4·m) bits",
   nullptr, nullptr, FastPosterize, RefPosterize, 0},
  {Op::BRIGHTNESS, "BRIGHTNESS", kPix, true,
   [](double m, double s) { return 1 + s * 0.9 * m; }, "v -> f·v, f = 1 ± 0.9·m",
   nullptr, nullptr, FastBrightness, RefBrightness, 0},
  {Op::COLOR, "COLOR", kPix, true,
   [](double m, double s) { return 1 + s * 0.9 * m; },
   "blend with the pixel's luminance, f = 1 ± 0.9·m",
   nullptr, nullptr, FastColor, RefColor, 1},
  {Op::CONTRAST, "CONTRAST", kPix, true,
   [](double m, double s) { return 1 + s * 0.9 * m; },
   "blend with the mean luminance, f = 1 ± 0.9·m",
   nullptr, nullptr, FastContrast, RefContrast, 0},
  {Op::SHARPNESS, "SHARPNESS", kPix, true,
   [](double m, double s) { return 1 + s * 0.9 * m; },
   "blend with a 3x3 smoothing, f = 1 ± 0.9·m",
   nullptr, nullptr, FastSharpness, RefSharpness, 1},
  {Op::GAUSSIAN_BLUR, "GAUSSIAN_BLUR", kPix, false,
   [](double m, double) { return m; }, "sigma = m · S / 32 pixels",
   nullptr, nullptr, FastGaussianBlur, RefGaussianBlur, 1},
  {Op::EMBOSS, "EMBOSS", kPix, false, [](double m, double) { return m; },
   "blend alpha = m with the embossed image",
   nullptr, nullptr, FastEmboss, RefEmboss, 1},
  {Op::SHARPEN, "SHARPEN", kPix, false, [](double m, double) { return m; },
   "blend alpha = m with the sharpened image",
   nullptr, nullptr, FastSharpen, RefSharpen, 1},
  {Op::PIXEL_DROPOUT, "PIXEL_DROPOUT", kPix, false,
   [](double m, double) { return 0.25 * m; }, "pixels -> 0 with p = 0.25·m",
   nullptr, nullptr, FastPixelDropout, RefPixelDropout, 0, "DROPOUT"},
  {Op::COARSE_DROPOUT, "COARSE_DROPOUT", kPix, false,
   [](double m, double) { return 0.25 * m; },
   "S/8-pixel cells -> 0 with p = 0.25·m",
   nullptr, nullptr, FastCoarseDropout, RefCoarseDropout, 0},
  {Op::SALT_PEPPER, "SALT_PEPPER", kPix, false,
   [](double m, double) { return 0.25 * m; },
   "pixels -> 0 or 255 with p = 0.25·m",
   nullptr, nullptr, FastSaltPepper, RefSaltPepper, 0},
  {Op::COARSE_SALT_PEPPER, "COARSE_SALT_PEPPER", kPix, false,
   [](double m, double) { return 0.25 * m; },
   "S/16-pixel cells -> 0 or 255 with p = 0.25·m",
   nullptr, nullptr, FastCoarseSaltPepper, RefCoarseSaltPepper, 0},
  {Op::GAUSSIAN_NOISE, "GAUSSIAN_NOISE", kPix, false,
   [](double m, double) { return 40 * m; }, "adds noise of std 40·m",
   nullptr, nullptr, FastGaussianNoise, RefGaussianNoise, 1,
   "ADDITIVE_GAUSSIAN_NOISE"},
  {Op::GAMMA, "GAMMA", kPix, true,
   [](double m, double s) { return std::pow(2.0, s * m); },
   "v -> 255 (v / 255)^g, g = 2^(±m)",
   nullptr, nullptr, FastGamma, RefGamma, 0, "GAMMA_CONTRAST"},
  {Op::HUE_SATURATION, "HUE_SATURATION", kPix, true,
   [](double m, double s) { return s * m; },
   "saturation × (1 ± 0.5·m), hue ± 0.2·m turn",
   nullptr, nullptr, FastHueSaturation, RefHueSaturation, 1,
   "ADD_TO_HUE_AND_SATURATION"},
  {Op::BRIGHTEN, "BRIGHTEN", kPix, true,
   [](double m, double s) { return s * 64 * m; }, "v -> v ± 64·m",
   nullptr, nullptr, FastBrighten, RefBrighten, 0},
  {Op::FOG, "FOG", kPix, false, [](double m, double) { return 0.8 * m; },
   "haze of opacity up to 0.8·m",
   nullptr, nullptr, FastFog, RefFog, 1},
  {Op::CLOUDS, "CLOUDS", kPix, false, [](double m, double) { return 0.9 * m; },
   "cloud patches of opacity up to 0.9·m",
   nullptr, nullptr, FastClouds, RefClouds, 1},
  {Op::CROP, "CROP", kGeo, false, [](double m, double) { return 1 - 0.5 * m; },
   "zoom into a window of (1 - 0.5·m) of the size",
   FoldCrop, MapCrop, nullptr, nullptr, 1},
  {Op::HFLIP, "HFLIP", kGeo, false, Unused, "left-right flip; m unused",
   FoldHFlip, MapHFlip, nullptr, nullptr, 0, "HORIZONTAL_FLIP"},
  {Op::VFLIP, "VFLIP", kGeo, false, Unused, "up-down flip; m unused",
   FoldVFlip, MapVFlip, nullptr, nullptr, 0, "VERTICAL_FLIP"},
  {Op::SCALE, "SCALE", kGeo, true,
   [](double m, double s) { return 1 + s * 0.5 * m; }, "zoom × (1 ± 0.5·m)",
   FoldScale, MapScale, nullptr, nullptr, 1},
};
// clang-format on

constexpr int kRowCount = static_cast<int>(std::size(kRows));
static_assert(kRowCount == Op::Type_ARRAYSIZE,
              "every AugmentationParameter.Op.Type needs exactly one row");

constexpr bool RowsFollowTheEnum() {
  for (int i = 0; i < kRowCount; ++i) {
    if (static_cast<int>(kRows[i].type) != i) return false;
  }
  return true;
}
static_assert(RowsFollowTheEnum(), "op table rows must be in enum order");

// Named op sets. Frozen once released: a new op goes into a new version.
const std::vector<OpType>& StandardV1() {
  static const std::vector<OpType> ops = {
      Op::IDENTITY,   Op::ROTATE,      Op::SHEAR_X,   Op::SHEAR_Y,
      Op::TRANSLATE_X, Op::TRANSLATE_Y, Op::AUTO_CONTRAST, Op::EQUALIZE,
      Op::INVERT,     Op::SOLARIZE,    Op::POSTERIZE, Op::BRIGHTNESS,
      Op::COLOR,      Op::CONTRAST,    Op::SHARPNESS};
  return ops;
}

const std::vector<OpType>& DeepAugmentV1() {
  static const std::vector<OpType> ops = {
      Op::CROP,          Op::GAUSSIAN_BLUR,  Op::ROTATE,
      Op::SHEAR_X,       Op::SHEAR_Y,        Op::TRANSLATE_X,
      Op::TRANSLATE_Y,   Op::HFLIP,          Op::VFLIP,
      Op::SHARPEN,       Op::EMBOSS,         Op::GAUSSIAN_NOISE,
      Op::PIXEL_DROPOUT, Op::COARSE_DROPOUT, Op::GAMMA,
      Op::BRIGHTEN,      Op::INVERT,         Op::FOG,
      Op::CLOUDS,        Op::EQUALIZE,       Op::HUE_SATURATION,
      Op::SALT_PEPPER,   Op::COARSE_SALT_PEPPER, Op::SCALE};
  return ops;
}

const std::vector<OpType>& EveryV1() {
  static const std::vector<OpType> ops = [] {
    std::vector<OpType> all;
    for (int t = 0; t <= Op::SCALE; ++t) all.push_back(static_cast<OpType>(t));
    return all;
  }();
  return ops;
}

// Upper case, '-' and ' ' as '_'.
string Canonical(const string& name) {
  string out;
  for (char ch : name) {
    out += (ch == '-' || ch == ' ') ? '_'
                                    : static_cast<char>(std::toupper(
                                          static_cast<unsigned char>(ch)));
  }
  return out;
}

bool CheckedTable() {
  const std::vector<string> problems = OpTableProblems(kRows, kRowCount);
  CHECK(problems.empty()) << "augmentation op table: " << problems.front();
  return true;
}

}  // namespace

const OpSpec* OpTable() {
  static const bool checked = CheckedTable();
  (void)checked;
  return kRows;
}

int OpTableSize() { return kRowCount; }

const OpSpec& GetOp(OpType type) {
  const int index = static_cast<int>(type);
  CHECK(index >= 0 && index < kRowCount) << "op type " << index;
  return OpTable()[index];
}

std::vector<string> OpTableProblems(const OpSpec* rows, int count) {
  std::vector<string> problems;
  std::vector<int> seen(Op::Type_ARRAYSIZE, 0);
  for (int i = 0; i < count; ++i) {
    const OpSpec& row = rows[i];
    const int t = static_cast<int>(row.type);
    if (!Op::Type_IsValid(t)) {
      problems.push_back(caffe::internal::Concat("row ", i, " has type ", t,
                                          ", which is no Op.Type"));
      continue;
    }
    const string name = Op::Type_Name(row.type);
    ++seen[t];
    if (t != i) {
      problems.push_back(caffe::internal::Concat("row ", i, " (", name,
                                          ") is not in enum order"));
    }
    if (!row.name || name != row.name) {
      problems.push_back(caffe::internal::Concat("row ", i, " is named '",
                                          row.name ? row.name : "", "' but its type is ",
                                          name));
    }
    if (!row.strength || !row.mapping) {
      problems.push_back(name + " has no magnitude mapping");
    }
    const bool geometric = row.fold || row.reference_map;
    const bool pixel = row.fast || row.reference;
    switch (row.kind) {
      case OpKind::kGeometric:
        if (!row.fold) problems.push_back(name + " has no fold into the matrix");
        if (!row.reference_map) problems.push_back(name + " has no reference map");
        if (pixel) problems.push_back(name + " is geometric but has pixel kernels");
        break;
      case OpKind::kPixel:
        if (!row.fast) problems.push_back(name + " has no fast kernel");
        if (!row.reference) problems.push_back(name + " has no reference kernel");
        if (geometric) problems.push_back(name + " is a pixel op but has a fold");
        break;
      case OpKind::kNone:
        if (geometric || pixel) problems.push_back(name + " changes nothing but has kernels");
        break;
    }
    if (row.tolerance < 0) problems.push_back(name + " has a negative tolerance");
    for (int j = 0; j < count && row.alias; ++j) {
      if ((rows[j].name && string(rows[j].name) == row.alias) ||
          (j != i && rows[j].alias && string(rows[j].alias) == row.alias)) {
        problems.push_back(name + "'s alias " + row.alias + " names another op too");
      }
    }
  }
  for (int t = 0; t < Op::Type_ARRAYSIZE; ++t) {
    if (!Op::Type_IsValid(t)) continue;
    if (seen[t] == 0) {
      problems.push_back(Op::Type_Name(static_cast<OpType>(t)) + " has no row");
    } else if (seen[t] > 1) {
      problems.push_back(caffe::internal::Concat(Op::Type_Name(static_cast<OpType>(t)),
                                          " has ", seen[t], " rows"));
    }
  }
  return problems;
}

bool OpTypeFromName(const string& name, OpType* type) {
  const string wanted = Canonical(name);
  for (int i = 0; i < kRowCount; ++i) {
    if (wanted == kRows[i].name || (kRows[i].alias && wanted == kRows[i].alias)) {
      *type = kRows[i].type;
      return true;
    }
  }
  return false;
}

string OpNameList() {
  string list;
  for (int i = 0; i < kRowCount; ++i) {
    list += (i ? ", " : "") + string(kRows[i].name);
    if (kRows[i].alias) list += " (" + string(kRows[i].alias) + ")";
  }
  return list;
}

const std::vector<OpType>& NamedOpSet(AugmentationParameter::Policy::OpSetName name) {
  switch (name) {
    case AugmentationParameter::Policy::DEEPAUGMENT_V1:
      return DeepAugmentV1();
    case AugmentationParameter::Policy::EVERY_OP_V1:
      return EveryV1();
    case AugmentationParameter::Policy::STANDARD_V1:
      return StandardV1();
  }
  LOG(FATAL) << "unknown op set " << static_cast<int>(name);
  return StandardV1();
}

}  // namespace augment
}  // namespace caffe
