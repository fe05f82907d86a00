// Real-time image augmentation for the data threads.
//
// An Augmenter turns one 8-bit interleaved (HWC) image into one augmented
// image at the output size. It follows the coordinate pipeline: every
// geometric transform (crop/resize, scale, aspect, shear, rotation, flips,
// translation and the geometric ops of a policy) is composed into ONE affine
// matrix that maps output pixels to source coordinates; only the output
// pixels are computed, the source is interpolated once, and the pixel
// operations run afterwards in a fixed order. docs/augmentation.md documents
// every parameter.
//
// Determinism: all random draws come from a counter-based generator keyed by
// (seed, epoch, record, slot); the same record yields the same augmentation
// whatever thread runs it and in whatever order records are processed.
//
// Thread-safety: an Augmenter is immutable after construction; Sample, Render
// and Apply are const and may be called concurrently. Each caller owns its
// AugmentedImage (which also holds the caller's scratch memory).
#pragma once

#include <functional>

#include <cstdint>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {
namespace augment {

// Identifies one image for the generator. record is usually the hash of the
// database key (see FromKey); slot is the image's index inside a multi-image
// record (0, 1, 2 for a triplet).
struct RecordContext {
  uint64_t epoch = 0;
  uint64_t record = 0;
  int slot = 0;
  static RecordContext FromKey(uint64_t epoch, const string& key, int slot);
};

// A pixel operation of a policy, already resolved to its signed strength
// (factor, threshold, bit count, ...; see the op table in ops.hpp) and the
// seed of its own per-pixel draws.
struct PolicyPixelOp {
  AugmentationParameter::Op::Type type;
  double value;
  uint64_t seed = 0;
};

// A policy op that fired for an image (geometric or pixel), as drawn.
struct FiredOp {
  AugmentationParameter::Op::Type type;
  double magnitude;  // m in [0, 1]
  int sign;          // +1, or -1 when a signed op drew the negative sign
  double value;      // the strength m and sign map to (see ops.hpp)
  uint64_t seed;     // the seed of the op's own draws
};

struct Rect {
  int x, y, width, height;
};

// Everything drawn for one image. Render(src, params) is a pure function of
// the source and these values, which is what lets the reference
// implementation replay exactly the same augmentation.
struct SampledParams {
  bool augmented = false;  // false: TEST phase size adaptation only
  int src_height = 0, src_width = 0, channels = 0;
  int out_height = 0, out_width = 0;
  // The drawn values (identity when not drawn).
  double angle_deg = 0;  // rotation incl. rot90 and policy rotations
  int rot90 = 0;         // k of the rot90 part (0..3)
  double scale = 1, aspect = 1;
  double shear_x = 0, shear_y = 0;    // shear factors (tan of the angle)
  double translate_x = 0, translate_y = 0;  // pixels
  bool hflip = false, vflip = false;
  Rect window = {0, 0, 0, 0};  // source window (RESIZE / random-resized-crop)
  int crop_x = 0, crop_y = 0;  // crop offset in the transformed image (CROP)
  // Output pixel (u, v) samples the source at
  //   x = m[0] u + m[1] v + m[2],  y = m[3] u + m[4] v + m[5].
  double matrix[6] = {1, 0, 0, 0, 1, 0};
  uint64_t coord_seed = 0;  // elastic lattice and jitter
  double brightness = 1, contrast = 1, saturation = 1, hue = 0, gamma = 1;
  double pca_alpha[3] = {0, 0, 0};
  uint64_t pixel_seed = 0;  // gaussian noise, salt & pepper, random fill
  vector<PolicyPixelOp> policy_ops;
  vector<FiredOp> fired_ops;  // every policy op that fired, in order
  vector<Rect> cutouts;

  // Fixed-length summary for a data layer's "params" top. Names() holds the
  // name of each entry (the only list of them: Python and the docs test read
  // it): the draws above, the number of policy ops that fired and of
  // cutouts, then type (enum value, -1 for none) and signed magnitude
  // (sign * m) of the first kMaxRecordedOps fired policy ops.
  static constexpr int kMaxRecordedOps = 8;
  static constexpr int kVectorSize = 26 + 2 * kMaxRecordedOps;
  static const vector<string>& Names();
  void ToVector(float* out) const;
};

// Working memory of the policy ops' fast kernels.
struct OpScratch {
  vector<uint8_t> bytes;
  vector<float> floats;
};

// The result of one Apply. Set `layout` before calling; the other fields are
// outputs. Reusing one AugmentedImage per thread avoids reallocations.
struct AugmentedImage {
  enum Layout { UINT8_HWC, FLOAT_CHW };
  Layout layout = UINT8_HWC;
  int height = 0, width = 0, channels = 0;
  vector<uint8_t> u8;   // filled for UINT8_HWC
  vector<float> f32;    // filled for FLOAT_CHW, values in [0, 255]
  SampledParams params;
  // Caller-owned working memory of the pipeline.
  vector<uint8_t> scratch;
  vector<float> float_scratch;
  vector<uint64_t> hash_scratch;
  OpScratch op_scratch;
};

class Augmenter {
 public:
  // Validates the parameters: ConfigError naming `owner` (e.g. the layer,
  // "layer 'data' (Data)"), the field and its allowed range otherwise. A
  // policy preset is expanded into its sub-policies and op names into types,
  // so param() shows what runs.
  explicit Augmenter(const AugmentationParameter& param,
                     const string& owner = "");

  const AugmentationParameter& param() const { return param_; }
  uint64_t seed() const { return seed_; }
  // Output height/width for an input of h x w.
  void OutputSize(int h, int w, int* out_h, int* out_w) const;

  // Draws the parameters for one image. The image itself is not needed.
  SampledParams Sample(int h, int w, int c, const RecordContext& ctx,
                       Phase phase) const;
  // Executes params on src (h x w x c, interleaved, row-major) into out.
  void Render(const uint8_t* src, const SampledParams& params,
              AugmentedImage* out) const;
  // Render's UINT8_HWC result handed over row by row instead of written
  // whole: rows [top, top + rows), each as row(r, pixels) (r from 0, pixels
  // the row's 8-bit HWC values from column `left` on), as soon as the pixel
  // chain has finished it. For a consumer that reads each row once, like the
  // data layer's transform into the batch: the augmented image is then read
  // once after the warp and never written whole. `scratch` is the caller's
  // working memory (its layout is ignored); scratch->params becomes params.
  void RenderRows(const uint8_t* src, const SampledParams& params, int top, int rows, int left,
                  AugmentedImage* scratch,
                  const std::function<void(int r, const uint8_t* pixels)>& row) const;
  // Sample + Render.
  void Apply(const uint8_t* src, int h, int w, int c, const RecordContext& ctx,
             Phase phase, AugmentedImage* out) const;

  // Channel indices of R, G, B under channel_order.
  void RgbIndices(int idx[3]) const;
  // PCA lighting basis in effect (parameter or ImageNet default): 3
  // eigenvalues, 3 eigenvectors of R, G, B components.
  const double* pca_eigval() const { return eigval_; }
  const double* pca_eigvec() const { return eigvec_; }

 private:
  void Validate() const;
  void ResolvePolicy();
  // "<owner>: augmentation_param.<field>" for messages.
  string Field(const string& field) const;
  void SampleGeometry(int h, int w, bool augment, uint64_t geo_key,
                      SampledParams* p) const;
  void SamplePixels(bool augment, uint64_t geo_key, uint64_t pix_key,
                    SampledParams* p) const;
  // Whether p has pixel ops after the warp (the pixel chain or cutout).
  bool HasPixelWork(const SampledParams& p) const;
  // The warp and the policy's pixel ops of Render, into `stage`
  // (p.out_height x p.out_width x p.channels).
  void RenderStage(const uint8_t* src, const SampledParams& p, AugmentedImage* out,
                   uint8_t* stage) const;

  AugmentationParameter param_;
  string owner_;
  uint64_t seed_;
  double eigval_[3];
  double eigvec_[9];
};

}  // namespace augment
}  // namespace caffe
