// The ops of augmentation policies, one table row per op.
//
// An op is the unit of the policy design. Its row (src/caffe/augment/
// op_table.cpp) says everything about it: the enum value and name, whether it
// is geometric (folded into the single affine matrix) or a pixel op (run on
// the interpolated 8-bit image), whether it takes a random sign, how the
// magnitude m in [0, 1] maps to its strength, its fast kernel, its slow
// double-precision reference kernel, and how far the two may differ.
// Adding an op = one enum value in AugmentationParameter.Op.Type, one row,
// its two kernels and one line in docs/augmentation.md; the build
// (static_assert over the enum count and order) and ValidateOpTable (at the
// first use, and in the tests) refuse a table with a row missing, doubled or
// without its kernels.
//
// Named op sets (the ops RandAugment / TrivialAugment draw from when op_set
// is empty) and the published AutoAugment presets live here too; both are
// frozen once released, so a seeded run never changes when ops are added.
//
// Thread-safety: the table and the sets are immutable; kernels are pure
// functions of their arguments and write only the image they are given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {

typedef AugmentationParameter::Op::Type OpType;

enum class OpKind {
  kNone,       // changes nothing (IDENTITY)
  kGeometric,  // composed into the affine matrix
  kPixel,      // runs on the interpolated 8-bit image
};

// Forward affine map x' = a x + b y + c, y' = d x + e y + f.
struct Affine {
  double a = 1, b = 0, c = 0, d = 0, e = 1, f = 0;
  static Affine Translate(double tx, double ty);
  static Affine Linear(double a, double b, double d, double e);
  // Counter-clockwise on screen (y points down); exact for multiples of 90.
  static Affine Rotate(double degrees);
  // this ∘ r: apply r first.
  Affine operator*(const Affine& r) const;
  Affine Inverse() const;
};

struct GeometryOpArgs {
  double value;     // the op's strength (OpSpec::strength)
  uint64_t seed;    // for draws of its own (CROP's window position)
  int out_height, out_width;
};
// Composes the op after g (about the centre) and records it in p.
typedef void (*GeometryFold)(const GeometryOpArgs& args, Affine* g,
                             SampledParams* p);
// Reference: where the op alone sends point (x, y), given relative to the
// centre, written straight from its definition in double precision.
typedef void (*GeometryReference)(const GeometryOpArgs& args, double x,
                                  double y, double* out_x, double* out_y);

struct PixelOpArgs {
  double value;   // the op's strength (OpSpec::strength)
  uint64_t seed;  // for per-pixel noise; a function of (seed, epoch, key, slot)
  int height, width, channels;
  const int* rgb;  // channel indices of R, G, B (colour ops, 3 channels)
};
// Fast kernel: in place on an 8-bit HWC image, with the caller's scratch
// memory (AugmentedImage::op_scratch).
typedef void (*PixelKernel)(const PixelOpArgs& args, uint8_t* image,
                            OpScratch* scratch);
// Reference kernel: the same op one value at a time in double precision,
// rounded to 8 bits once at the end.
typedef void (*PixelReference)(const PixelOpArgs& args,
                               std::vector<uint8_t>* image);

struct OpSpec {
  OpType type;
  const char* name;  // the enum value's name
  OpKind kind;
  bool is_signed;    // a random sign (p = 1/2) multiplies the magnitude
  // Strength from magnitude m in [0, 1] and sign (+1 or -1).
  double (*strength)(double m, double sign);
  const char* mapping;  // the same in words, for docs and messages
  GeometryFold fold;                  // kGeometric
  GeometryReference reference_map;    // kGeometric
  PixelKernel fast;                   // kPixel
  PixelReference reference;           // kPixel
  int tolerance;  // max |fast - reference| in grey levels; 0 = bit-exact
  const char* alias = nullptr;  // another accepted name (DeepAugment's)
};

// The validated table, one row per Op.Type in enum order.
const OpSpec* OpTable();
int OpTableSize();
const OpSpec& GetOp(OpType type);

// What is wrong with a table (empty when nothing is): an enum value without
// a row or with two, rows out of enum order, a name that is not the enum's,
// a geometric op without fold or reference map, a pixel op without fast or
// reference kernel, a negative tolerance.
std::vector<string> OpTableProblems(const OpSpec* rows, int count);

// "GAUSSIAN_BLUR", "gaussian_blur" and "gaussian-blur" all name
// GAUSSIAN_BLUR, and an alias its op ("additive-gaussian-noise" is
// GAUSSIAN_NOISE). False when no op has that name.
bool OpTypeFromName(const string& name, OpType* type);
// Every op name, comma-separated (for error messages).
string OpNameList();

// The ops of a named op set, in draw order.
const std::vector<OpType>& NamedOpSet(
    AugmentationParameter::Policy::OpSetName name);

// The sub-policies of a preset ("AUTOAUGMENT_IMAGENET", case-insensitive);
// false when there is no such preset.
bool PresetSubPolicies(const string& name,
                       std::vector<AugmentationParameter::SubPolicy>* out);
string PresetNameList();

}  // namespace augment
}  // namespace caffe
