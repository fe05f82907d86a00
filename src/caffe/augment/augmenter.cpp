// Parameter validation, sampling of the per-image draws and the fast
// rendering pipeline of the Augmenter.
#include "caffe/augment/augmenter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/ops.hpp"
#include "caffe/augment/random.hpp"

namespace caffe {
namespace augment {

using internal::CounterRng;
using internal::HashCombine;
typedef AugmentationParameter AP;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr uint64_t kSharedSlot = 0xffffffffULL;

int FloorHalf(int n) { return n >= 0 ? n / 2 : -((1 - n) / 2); }

// Streams of the policy derived from its key; the historic sequential
// stream (sub-policy, op probabilities, signs) stays untouched by them.
constexpr uint64_t kPortionStream = 0x706f7274;  // "port"
constexpr uint64_t kOpSeedStream = 0x6f7073;     // "ops"

}  // namespace

RecordContext RecordContext::FromKey(uint64_t epoch, const string& key,
                                     int slot) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char ch : key) h = (h ^ ch) * 0x100000001b3ULL;
  RecordContext ctx;
  ctx.epoch = epoch;
  ctx.record = internal::Mix64(h);
  ctx.slot = slot;
  return ctx;
}

const vector<string>& SampledParams::Names() {
  static const vector<string> names = [] {
    vector<string> n = {
        "angle_deg", "rot90", "scale", "aspect", "shear_x", "shear_y",
        "translate_x", "translate_y", "hflip", "vflip", "crop_x", "crop_y",
        "window_x", "window_y", "window_width", "window_height",
        "brightness", "contrast", "saturation", "hue", "gamma",
        "pca_alpha_0", "pca_alpha_1", "pca_alpha_2", "policy_ops_fired",
        "cutouts"};
    for (int k = 0; k < kMaxRecordedOps; ++k) {
      n.push_back(caffe::internal::Concat("policy_op_", k, "_type"));
      n.push_back(caffe::internal::Concat("policy_op_", k, "_magnitude"));
    }
    CHECK_EQ(n.size(), static_cast<size_t>(kVectorSize));
    return n;
  }();
  return names;
}

void SampledParams::ToVector(float* out) const {
  const double values[] = {
      angle_deg, static_cast<double>(rot90), scale, aspect, shear_x, shear_y,
      translate_x, translate_y, hflip ? 1.0 : 0.0, vflip ? 1.0 : 0.0,
      static_cast<double>(crop_x), static_cast<double>(crop_y),
      static_cast<double>(window.x), static_cast<double>(window.y),
      static_cast<double>(window.width), static_cast<double>(window.height),
      brightness, contrast, saturation, hue, gamma,
      pca_alpha[0], pca_alpha[1], pca_alpha[2],
      static_cast<double>(fired_ops.size()),
      static_cast<double>(cutouts.size())};
  constexpr int kScalars = static_cast<int>(sizeof(values) / sizeof(values[0]));
  static_assert(kScalars + 2 * kMaxRecordedOps == kVectorSize,
                "ToVector and kVectorSize disagree");
  for (int i = 0; i < kScalars; ++i) out[i] = static_cast<float>(values[i]);
  for (int k = 0; k < kMaxRecordedOps; ++k) {
    const bool fired = k < static_cast<int>(fired_ops.size());
    out[kScalars + 2 * k] = fired ? static_cast<float>(fired_ops[k].type) : -1.f;
    out[kScalars + 2 * k + 1] =
        fired ? static_cast<float>(fired_ops[k].sign * fired_ops[k].magnitude) : 0.f;
  }
}

Augmenter::Augmenter(const AugmentationParameter& param, const string& owner)
    : param_(param), owner_(owner) {
  OpTable();  // checks the table once, before any op is used
  ResolvePolicy();
  Validate();
  seed_ = param_.random_seed() >= 0
              ? static_cast<uint64_t>(param_.random_seed())
              : Caffe::cluster_seedgen();
  // ImageNet RGB eigen-decomposition (AlexNet lighting), 0..255 units.
  const double eigval[3] = {0.2175 * 255, 0.0188 * 255, 0.0045 * 255};
  const double eigvec[9] = {-0.5675, -0.5808, -0.5836,
                            0.7192, -0.0045, -0.6948,
                            0.4009, -0.8140, 0.4203};
  for (int i = 0; i < 3; ++i) {
    eigval_[i] = param_.pca_eigval_size() ? param_.pca_eigval(i) : eigval[i];
  }
  for (int i = 0; i < 9; ++i) {
    eigvec_[i] = param_.pca_eigvec_size() ? param_.pca_eigvec(i) : eigvec[i];
  }
}

string Augmenter::Field(const string& field) const {
  return (owner_.empty() ? string() : owner_ + ": ") + "augmentation_param." +
         field;
}

void Augmenter::ResolvePolicy() {
  if (!param_.has_policy()) return;
  AP::Policy* policy = param_.mutable_policy();
  if (policy->has_preset()) {
    const string& preset = policy->preset();
    CAFFE_REQUIRE(policy->kind() == AP::Policy::AUTO_AUGMENT, ConfigError,
                  Field("policy.preset"), " = \"", preset, "\" needs kind "
                  "AUTO_AUGMENT, not ", AP::Policy::Kind_Name(policy->kind()));
    CAFFE_REQUIRE(policy->sub_policy_size() == 0, ConfigError,
                  Field("policy.preset"), " = \"", preset, "\" and ",
                  policy->sub_policy_size(), " sub_policy entries: give one "
                  "or the other");
    vector<AP::SubPolicy> subs;
    CAFFE_REQUIRE(PresetSubPolicies(preset, &subs), ConfigError,
                  Field("policy.preset"), " = \"", preset, "\" is not a "
                  "preset; allowed: ", PresetNameList());
    for (const AP::SubPolicy& sub : subs) *policy->add_sub_policy() = sub;
    policy->clear_preset();
  }
  for (int i = 0; i < policy->sub_policy_size(); ++i) {
    for (int j = 0; j < policy->sub_policy(i).op_size(); ++j) {
      AP::Op* op = policy->mutable_sub_policy(i)->mutable_op(j);
      if (!op->has_name()) continue;
      const string field =
          caffe::internal::Concat("policy.sub_policy[", i, "].op[", j, "].name");
      OpType type;
      CAFFE_REQUIRE(OpTypeFromName(op->name(), &type), ConfigError,
                    Field(field), " = \"", op->name(), "\" is not an op; "
                    "allowed (any case, '-' for '_'): ", OpNameList());
      CAFFE_REQUIRE(!op->has_type() || op->type() == type, ConfigError,
                    Field(field), " = \"", op->name(), "\" but type is ",
                    AP::Op::Type_Name(op->type()));
      op->set_type(type);
    }
  }
}

void Augmenter::Validate() const {
  const AP& p = param_;
  // [lo, hi] ordered and within [min, max].
  auto require_range = [&](double lo, double hi, double min, double max,
                           const char* name) {
    CAFFE_REQUIRE(lo >= min && hi <= max && lo <= hi, ConfigError, Field(name),
                  " range [", lo, ", ", hi, "] must be ordered and within "
                  "the allowed range [", min, ", ", max, "]");
  };
  auto require_within = [&](double v, double min, double max,
                            const string& name) {
    CAFFE_REQUIRE(v >= min && v <= max, ConfigError, Field(name), " = ", v,
                  " is outside the allowed range [", min, ", ", max, "]");
  };
  CAFFE_REQUIRE(p.crop_size() == 0 || (p.out_height() == 0 && p.out_width() == 0),
                ConfigError, Field("crop_size"), ": give crop_size or "
                "out_height/out_width, not both");
  CAFFE_REQUIRE((p.out_height() == 0) == (p.out_width() == 0), ConfigError,
                Field("out_height"), ": out_height and out_width go together (",
                p.out_height(), " x ", p.out_width(), ")");
  require_within(p.rotation(), 0, 180, "rotation");
  require_range(p.scale_min(), p.scale_max(), 1e-3, 1e3, "scale_min/scale_max");
  require_range(p.aspect_min(), p.aspect_max(), 1e-3, 1e3,
                "aspect_min/aspect_max");
  CAFFE_REQUIRE(p.shear_x() >= 0 && p.shear_x() < 89, ConfigError,
                Field("shear_x"), " = ", p.shear_x(),
                " is outside the allowed range [0, 89) degrees");
  CAFFE_REQUIRE(p.shear_y() >= 0 && p.shear_y() < 89, ConfigError,
                Field("shear_y"), " = ", p.shear_y(),
                " is outside the allowed range [0, 89) degrees");
  CAFFE_REQUIRE(p.translate_x() >= 0 && p.translate_y() >= 0, ConfigError,
                Field("translate_x/translate_y"), " must be >= 0");
  require_within(p.hflip_prob(), 0, 1, "hflip_prob");
  require_within(p.vflip_prob(), 0, 1, "vflip_prob");
  require_range(p.rrc_area_min(), p.rrc_area_max(), 1e-6, 1,
                "rrc_area_min/rrc_area_max");
  require_range(p.rrc_ratio_min(), p.rrc_ratio_max(), 1e-3, 1e3,
                "rrc_ratio_min/rrc_ratio_max");
  for (float v : p.fill_value()) require_within(v, 0, 255, "fill_value");
  CAFFE_REQUIRE(p.elastic_alpha() >= 0 && p.jitter() >= 0, ConfigError,
                Field("elastic_alpha/jitter"), " must be >= 0");
  CAFFE_REQUIRE(p.elastic_alpha() == 0 || p.elastic_grid() >= 2, ConfigError,
                Field("elastic_grid"), " = ", p.elastic_grid(),
                " must be >= 2");
  require_within(p.brightness(), 0, 1, "brightness");
  require_within(p.contrast(), 0, 1, "contrast");
  require_within(p.saturation(), 0, 1, "saturation");
  require_within(p.hue(), 0, 0.5, "hue");
  require_range(p.gamma_min(), p.gamma_max(), 1e-2, 1e2, "gamma_min/gamma_max");
  CAFFE_REQUIRE(p.pca_lighting_std() >= 0 && p.noise_std() >= 0, ConfigError,
                Field("pca_lighting_std/noise_std"), " must be >= 0");
  CAFFE_REQUIRE(p.pca_eigval_size() == 0 || p.pca_eigval_size() == 3,
                ConfigError, Field("pca_eigval"), " needs 3 values, got ",
                p.pca_eigval_size());
  CAFFE_REQUIRE(p.pca_eigvec_size() == 0 || p.pca_eigvec_size() == 9,
                ConfigError, Field("pca_eigvec"), " needs 9 values, got ",
                p.pca_eigvec_size());
  require_within(p.salt_pepper_prob(), 0, 1, "salt_pepper_prob");
  require_within(p.cutout_prob(), 0, 1, "cutout_prob");
  require_range(p.cutout_area_min(), p.cutout_area_max(), 0, 1,
                "cutout_area_min/cutout_area_max");
  require_range(p.cutout_ratio_min(), p.cutout_ratio_max(), 1e-3, 1e3,
                "cutout_ratio_min/cutout_ratio_max");
  require_within(p.cutout_fill(), 0, 255, "cutout_fill");
  if (p.has_policy()) {
    const AP::Policy& pol = p.policy();
    CAFFE_REQUIRE(pol.kind() != AP::Policy::AUTO_AUGMENT ||
                      pol.sub_policy_size() > 0,
                  ConfigError, Field("policy"), ": an AUTO_AUGMENT policy "
                  "needs at least one sub_policy or a preset (",
                  PresetNameList(), ")");
    require_within(pol.magnitude(), 0, 30, "policy.magnitude");
    for (int i = 0; i < pol.sub_policy_size(); ++i) {
      const AP::SubPolicy& sub = pol.sub_policy(i);
      const string where = caffe::internal::Concat("policy.sub_policy[", i, "]");
      require_within(sub.portion(), 0, 1, where + ".portion");
      for (int j = 0; j < sub.op_size(); ++j) {
        const string op = caffe::internal::Concat(where, ".op[", j, "]");
        require_within(sub.op(j).prob(), 0, 1, op + ".prob");
        require_within(sub.op(j).magnitude(), 0, 1, op + ".magnitude");
      }
    }
  }
}

void Augmenter::OutputSize(int h, int w, int* out_h, int* out_w) const {
  if (param_.crop_size() > 0) {
    *out_h = *out_w = static_cast<int>(param_.crop_size());
  } else if (param_.out_height() > 0) {
    *out_h = static_cast<int>(param_.out_height());
    *out_w = static_cast<int>(param_.out_width());
  } else {
    *out_h = h;
    *out_w = w;
  }
}

void Augmenter::RgbIndices(int idx[3]) const {
  const bool bgr = param_.channel_order() == AP::BGR;
  idx[0] = bgr ? 2 : 0;
  idx[1] = 1;
  idx[2] = bgr ? 0 : 2;
}

SampledParams Augmenter::Sample(int h, int w, int c, const RecordContext& ctx,
                                Phase phase) const {
  CAFFE_REQUIRE(h > 0 && w > 0 && c > 0, ShapeError,
                "augmentation: image shape ", h, " x ", w, " x ", c,
                " is empty");
  SampledParams p;
  p.src_height = h;
  p.src_width = w;
  p.channels = c;
  OutputSize(h, w, &p.out_height, &p.out_width);
  p.augmented = phase == TRAIN || param_.apply_in_test();
  const uint64_t base =
      HashCombine(HashCombine(seed_, ctx.epoch), ctx.record);
  const uint64_t slot = static_cast<uint64_t>(ctx.slot);
  const uint64_t geo_key = HashCombine(
      base, (param_.share() == AP::NONE ? slot : kSharedSlot) * 2);
  const uint64_t pix_key = HashCombine(
      base, (param_.share() == AP::ALL ? kSharedSlot : slot) * 2 + 1);
  SampleGeometry(h, w, p.augmented, geo_key, &p);
  SamplePixels(p.augmented, geo_key, pix_key, &p);
  return p;
}

void Augmenter::SampleGeometry(int h, int w, bool augment, uint64_t geo_key,
                               SampledParams* p) const {
  const AP& ap = param_;
  CounterRng rng(geo_key);
  const int oh = p->out_height, ow = p->out_width;
  const bool resize = ap.fit() == AP::RESIZE || ap.random_resized_crop();
  p->window = {0, 0, w, h};
  if (augment && ap.random_resized_crop()) {
    bool found = false;
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
      const double area =
          static_cast<double>(h) * w *
          rng.Uniform(ap.rrc_area_min(), ap.rrc_area_max());
      const double ratio = rng.LogUniform(ap.rrc_ratio_min(),
                                          ap.rrc_ratio_max());
      const int ww = static_cast<int>(std::lround(std::sqrt(area * ratio)));
      const int wh = static_cast<int>(std::lround(std::sqrt(area / ratio)));
      if (ww > 0 && wh > 0 && ww <= w && wh <= h) {
        p->window = {rng.Index(w - ww + 1), rng.Index(h - wh + 1), ww, wh};
        found = true;
      }
    }
    if (!found) {
      const double in_ratio = static_cast<double>(w) / h;
      int ww = w, wh = h;
      if (in_ratio < ap.rrc_ratio_min()) {
        wh = std::max(1, static_cast<int>(std::lround(w / ap.rrc_ratio_min())));
      } else if (in_ratio > ap.rrc_ratio_max()) {
        ww = std::max(1, static_cast<int>(std::lround(h * ap.rrc_ratio_max())));
      }
      p->window = {(w - ww) / 2, (h - wh) / 2, ww, wh};
    }
  }
  // The random part G, about the centre, in output pixel units.
  Affine g;
  if (augment) {
    double angle = 0;
    if (ap.rotation() > 0) angle = rng.Uniform(-ap.rotation(), ap.rotation());
    if (ap.rotate90()) {
      p->rot90 = rng.Index(4);
      angle += 90.0 * p->rot90;
    }
    if (ap.scale_min() != ap.scale_max()) {
      p->scale = rng.Uniform(ap.scale_min(), ap.scale_max());
    } else {
      p->scale = ap.scale_min();
    }
    if (ap.aspect_min() != ap.aspect_max()) {
      p->aspect = rng.LogUniform(ap.aspect_min(), ap.aspect_max());
    } else {
      p->aspect = ap.aspect_min();
    }
    if (ap.shear_x() > 0) {
      p->shear_x = std::tan(rng.Uniform(-ap.shear_x(), ap.shear_x()) * kPi / 180);
    }
    if (ap.shear_y() > 0) {
      p->shear_y = std::tan(rng.Uniform(-ap.shear_y(), ap.shear_y()) * kPi / 180);
    }
    if (ap.translate_x() > 0) {
      p->translate_x = rng.Uniform(-ap.translate_x(), ap.translate_x()) * ow;
    }
    if (ap.translate_y() > 0) {
      p->translate_y = rng.Uniform(-ap.translate_y(), ap.translate_y()) * oh;
    }
    if (ap.hflip_prob() > 0) p->hflip = rng.Bernoulli(ap.hflip_prob());
    if (ap.vflip_prob() > 0) p->vflip = rng.Bernoulli(ap.vflip_prob());
    p->angle_deg = angle;
    const double sa = std::sqrt(p->aspect);
    g = Affine::Linear(p->scale * sa, 0, 0, p->scale / sa);
    g = Affine::Linear(1, p->shear_x, p->shear_y, 1) * g;
    g = Affine::Rotate(angle) * g;
    g = Affine::Linear(p->hflip ? -1 : 1, 0, 0, p->vflip ? -1 : 1) * g;
  }
  // Geometric ops of the policy fold in here (after the parameter geometry).
  if (augment && ap.has_policy()) {
    const uint64_t policy_key = HashCombine(geo_key, 0x706f6c);  // "pol"
    CounterRng policy_rng(policy_key);
    const AP::Policy& pol = ap.policy();
    vector<std::pair<OpType, double>> chosen;  // (type, magnitude)
    if (pol.kind() == AP::Policy::AUTO_AUGMENT) {
      const AP::SubPolicy& sub =
          pol.sub_policy(policy_rng.Index(pol.sub_policy_size()));
      // The portion has a stream of its own, so the sub-policy and its ops
      // are drawn alike whatever the portion.
      const bool applied =
          sub.portion() >= 1 ||
          CounterRng(HashCombine(policy_key, kPortionStream))
              .Bernoulli(sub.portion());
      for (const AP::Op& op : sub.op()) {
        if (applied && policy_rng.Bernoulli(op.prob())) {
          chosen.emplace_back(op.type(), op.magnitude());
        }
      }
    } else {
      vector<OpType> set;
      for (int t : pol.op_set()) set.push_back(static_cast<OpType>(t));
      if (set.empty()) set = NamedOpSet(pol.named_op_set());
      const int n = pol.kind() == AP::Policy::RAND_AUGMENT
                        ? static_cast<int>(pol.num_ops()) : 1;
      for (int i = 0; i < n; ++i) {
        const OpType t = set[policy_rng.Index(set.size())];
        const double m = pol.kind() == AP::Policy::RAND_AUGMENT
                             ? pol.magnitude() / 30.0
                             : policy_rng.Uniform();
        chosen.emplace_back(t, m);
      }
    }
    for (size_t i = 0; i < chosen.size(); ++i) {
      const OpSpec& op = GetOp(chosen[i].first);
      const double sign =
          op.is_signed && policy_rng.Bernoulli(0.5) ? -1.0 : 1.0;
      const double m = chosen[i].second;
      const double value = op.strength(m, sign);
      const uint64_t op_seed =
          HashCombine(HashCombine(policy_key, kOpSeedStream), i);
      p->fired_ops.push_back({op.type, m, sign < 0 ? -1 : 1, value, op_seed});
      if (op.kind == OpKind::kGeometric) {
        op.fold({value, op_seed, oh, ow}, &g, p);
      } else if (op.kind == OpKind::kPixel) {
        p->policy_ops.push_back({op.type, value, op_seed});
      }
    }
  }
  const Affine translate = Affine::Translate(p->translate_x, p->translate_y);
  Affine forward;  // source pixel -> output pixel
  if (resize) {
    const Rect& win = p->window;
    const Affine to_window_centre = Affine::Translate(
        -(win.x + (win.width - 1) / 2.0), -(win.y + (win.height - 1) / 2.0));
    const Affine fit = Affine::Linear(static_cast<double>(ow) / win.width, 0, 0,
                                      static_cast<double>(oh) / win.height);
    const Affine from_out_centre =
        Affine::Translate((ow - 1) / 2.0, (oh - 1) / 2.0);
    forward = from_out_centre * translate * g * fit * to_window_centre;
  } else {
    if (augment && ap.random_crop()) {
      p->crop_x = w > ow ? rng.Index(w - ow + 1) : FloorHalf(w - ow);
      p->crop_y = h > oh ? rng.Index(h - oh + 1) : FloorHalf(h - oh);
    } else {
      p->crop_x = FloorHalf(w - ow);
      p->crop_y = FloorHalf(h - oh);
    }
    const Affine centre = Affine::Translate((w - 1) / 2.0, (h - 1) / 2.0);
    const Affine uncentre = Affine::Translate(-(w - 1) / 2.0, -(h - 1) / 2.0);
    forward = Affine::Translate(-p->crop_x, -p->crop_y) * centre * translate *
              g * uncentre;
  }
  const Affine inverse = forward.Inverse();
  const double m[6] = {inverse.a, inverse.b, inverse.c,
                       inverse.d, inverse.e, inverse.f};
  std::copy(m, m + 6, p->matrix);
}

void Augmenter::SamplePixels(bool augment, uint64_t geo_key, uint64_t pix_key,
                             SampledParams* p) const {
  const AP& ap = param_;
  p->coord_seed = HashCombine(geo_key, 0x636f6f7264);  // "coord"
  p->pixel_seed = HashCombine(pix_key, 0x706978656c);  // "pixel"
  if (!augment) return;
  CounterRng rng(pix_key);
  if (ap.brightness() > 0) {
    p->brightness = rng.Uniform(1 - ap.brightness(), 1 + ap.brightness());
  }
  if (ap.contrast() > 0) {
    p->contrast = rng.Uniform(1 - ap.contrast(), 1 + ap.contrast());
  }
  if (ap.saturation() > 0) {
    p->saturation = rng.Uniform(1 - ap.saturation(), 1 + ap.saturation());
  }
  if (ap.hue() > 0) p->hue = rng.Uniform(-ap.hue(), ap.hue());
  if (ap.gamma_min() != ap.gamma_max()) {
    p->gamma = rng.LogUniform(ap.gamma_min(), ap.gamma_max());
  } else {
    p->gamma = ap.gamma_min();
  }
  if (ap.pca_lighting_std() > 0) {
    for (double& a : p->pca_alpha) a = rng.Normal(ap.pca_lighting_std());
  }
  if (ap.cutout_prob() > 0 && rng.Bernoulli(ap.cutout_prob())) {
    const int oh = p->out_height, ow = p->out_width;
    for (uint32_t i = 0; i < ap.cutout_count(); ++i) {
      const double area = static_cast<double>(oh) * ow *
                          rng.Uniform(ap.cutout_area_min(),
                                      ap.cutout_area_max());
      const double ratio =
          rng.LogUniform(ap.cutout_ratio_min(), ap.cutout_ratio_max());
      const int cw = static_cast<int>(std::lround(std::sqrt(area * ratio)));
      const int ch = static_cast<int>(std::lround(std::sqrt(area / ratio)));
      const int cx = static_cast<int>(rng.Uniform() * ow);
      const int cy = static_cast<int>(rng.Uniform() * oh);
      const int x0 = std::max(0, cx - cw / 2), y0 = std::max(0, cy - ch / 2);
      const int x1 = std::min(ow, cx - cw / 2 + cw);
      const int y1 = std::min(oh, cy - ch / 2 + ch);
      if (x1 > x0 && y1 > y0) p->cutouts.push_back({x0, y0, x1 - x0, y1 - y0});
    }
  }
}

bool Augmenter::HasPixelWork(const SampledParams& p) const {
  return p.augmented &&
         (p.brightness != 1 || p.contrast != 1 || p.saturation != 1 ||
          p.hue != 0 || p.gamma != 1 || p.pca_alpha[0] != 0 ||
          p.pca_alpha[1] != 0 || p.pca_alpha[2] != 0 ||
          param_.noise_std() > 0 || param_.salt_pepper_prob() > 0);
}

void Augmenter::RenderStage(const uint8_t* src, const SampledParams& p,
                            AugmentedImage* out, uint8_t* stage) const {
  const int c = p.channels;
  CAFFE_REQUIRE(param_.fill_value_size() <= 1 ||
                    param_.fill_value_size() == c,
                ConfigError, Field("fill_value"), " has ",
                param_.fill_value_size(), " values for a ", c,
                "-channel image (give 1 or ", c, ")");
  int rgb[3];
  RgbIndices(rgb);
  const vector<float> fill = internal::ExpandFill(param_, c);
  const internal::CoordNoise noise(param_, p);
  internal::WarpJob job = {src, p.src_height, p.src_width, c,
                           p.out_height, p.out_width, p.matrix,
                           param_.interpolation(), param_.padding(),
                           fill.data(), &noise};
  internal::Warp(job, &out->float_scratch, stage);

  for (const PolicyPixelOp& op : p.policy_ops) {
    const PixelOpArgs args = {op.value, op.seed, p.out_height, p.out_width, c,
                              rgb};
    GetOp(op.type).fast(args, stage, &out->op_scratch);
  }
}

void Augmenter::Render(const uint8_t* src, const SampledParams& p,
                       AugmentedImage* out) const {
  const int c = p.channels;
  out->height = p.out_height;
  out->width = p.out_width;
  out->channels = c;
  out->params = p;
  const size_t count = static_cast<size_t>(p.out_height) * p.out_width * c;
  const bool pixel_work = HasPixelWork(p);
  // The 8-bit stage is the output itself when nothing follows the warp.
  const bool stage_is_output =
      out->layout == AugmentedImage::UINT8_HWC && !pixel_work;
  uint8_t* stage;
  if (stage_is_output) {
    out->u8.resize(count);
    stage = out->u8.data();
  } else {
    out->scratch.resize(count);
    stage = out->scratch.data();
  }
  RenderStage(src, p, out, stage);
  if (!stage_is_output) {
    int rgb[3];
    RgbIndices(rgb);
    const internal::PixelChain chain =
        pixel_work ? internal::BuildPixelChain(param_, p, stage, rgb, eigval_,
                                               eigvec_)
                   : internal::PixelChain();
    internal::RunPixelChain(chain, p, stage, out);
  }
  if (!p.cutouts.empty()) internal::ApplyCutouts(param_, p, out);
}

void Augmenter::RenderRows(
    const uint8_t* src, const SampledParams& p, int top, int rows, int left,
    AugmentedImage* scratch,
    const std::function<void(int r, const uint8_t* pixels)>& row) const {
  CHECK(top >= 0 && rows >= 0 && top + rows <= p.out_height && left >= 0 &&
        left <= p.out_width)
      << "rows [" << top << ", " << top + rows << ") from column " << left
      << " of a " << p.out_height << " x " << p.out_width << " image";
  const int c = p.channels;
  scratch->height = p.out_height;
  scratch->width = p.out_width;
  scratch->channels = c;
  scratch->params = p;
  scratch->scratch.resize(static_cast<size_t>(p.out_height) * p.out_width * c);
  uint8_t* stage = scratch->scratch.data();
  RenderStage(src, p, scratch, stage);
  int rgb[3];
  RgbIndices(rgb);
  const internal::PixelChain chain =
      HasPixelWork(p) ? internal::BuildPixelChain(param_, p, stage, rgb,
                                                  eigval_, eigvec_)
                      : internal::PixelChain();
  const size_t skip = static_cast<size_t>(left) * c;
  internal::RunPixelChainRows(
      param_, chain, p, stage, top, rows, scratch,
      [&](int r, const uint8_t* pixels) { row(r, pixels + skip); });
}

void Augmenter::Apply(const uint8_t* src, int h, int w, int c,
                      const RecordContext& ctx, Phase phase,
                      AugmentedImage* out) const {
  const SampledParams p = Sample(h, w, c, ctx, phase);
  Render(src, p, out);
}

}  // namespace augment
}  // namespace caffe
