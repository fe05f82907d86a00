// Affine maps, and the geometric policy ops: how each folds into the single
// matrix (in the coordinates of the image centre, after the parameter
// geometry) and its reference point map written from the definition.
#include <cmath>

#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

Affine Affine::Translate(double tx, double ty) {
  Affine m;
  m.c = tx;
  m.f = ty;
  return m;
}

Affine Affine::Linear(double a, double b, double d, double e) {
  Affine m;
  m.a = a;
  m.b = b;
  m.d = d;
  m.e = e;
  return m;
}

Affine Affine::Rotate(double degrees) {
  double cs, sn;
  const double turns = degrees / 90.0;
  if (turns == std::floor(turns)) {
    const int k = ((static_cast<int>(std::fmod(turns, 4.0)) % 4) + 4) % 4;
    const int cos_table[4] = {1, 0, -1, 0};
    const int sin_table[4] = {0, 1, 0, -1};
    cs = cos_table[k];
    sn = sin_table[k];
  } else {
    cs = std::cos(degrees * kPi / 180);
    sn = std::sin(degrees * kPi / 180);
  }
  return Linear(cs, sn, -sn, cs);
}

Affine Affine::operator*(const Affine& r) const {
  Affine m;
  m.a = a * r.a + b * r.d;
  m.b = a * r.b + b * r.e;
  m.c = a * r.c + b * r.f + c;
  m.d = d * r.a + e * r.d;
  m.e = d * r.b + e * r.e;
  m.f = d * r.c + e * r.f + f;
  return m;
}

Affine Affine::Inverse() const {
  const double det = a * e - b * d;
  Affine m;
  m.a = e / det;
  m.b = -b / det;
  m.d = -d / det;
  m.e = a / det;
  m.c = -(m.a * c + m.b * f);
  m.f = -(m.d * c + m.e * f);
  return m;
}

namespace internal {

void CropOffset(const GeometryOpArgs& args, double* dx, double* dy) {
  const double slack = 1 - args.value;  // the window is `value` of the size
  *dx = (ToUnit(CounterHash(args.seed, 0)) - 0.5) * slack * args.out_width;
  *dy = (ToUnit(CounterHash(args.seed, 1)) - 0.5) * slack * args.out_height;
}

void FoldRotate(const GeometryOpArgs& args, Affine* g, SampledParams* p) {
  *g = Affine::Rotate(args.value) * *g;
  p->angle_deg += args.value;
}

void FoldShearX(const GeometryOpArgs& args, Affine* g, SampledParams* p) {
  *g = Affine::Linear(1, args.value, 0, 1) * *g;
  p->shear_x += args.value;
}

void FoldShearY(const GeometryOpArgs& args, Affine* g, SampledParams* p) {
  *g = Affine::Linear(1, 0, args.value, 1) * *g;
  p->shear_y += args.value;
}

// Translations join the translation applied after all of G (as the
// parameter translation does).
void FoldTranslateX(const GeometryOpArgs& args, Affine*, SampledParams* p) {
  p->translate_x += args.value * args.out_width;
}

void FoldTranslateY(const GeometryOpArgs& args, Affine*, SampledParams* p) {
  p->translate_y += args.value * args.out_height;
}

void FoldCrop(const GeometryOpArgs& args, Affine* g, SampledParams* p) {
  double dx, dy;
  CropOffset(args, &dx, &dy);
  const double zoom = 1 / args.value;
  *g = Affine::Linear(zoom, 0, 0, zoom) * Affine::Translate(-dx, -dy) * *g;
  p->scale *= zoom;
}

void FoldHFlip(const GeometryOpArgs&, Affine* g, SampledParams* p) {
  *g = Affine::Linear(-1, 0, 0, 1) * *g;
  p->hflip = !p->hflip;
}

void FoldVFlip(const GeometryOpArgs&, Affine* g, SampledParams* p) {
  *g = Affine::Linear(1, 0, 0, -1) * *g;
  p->vflip = !p->vflip;
}

void FoldScale(const GeometryOpArgs& args, Affine* g, SampledParams* p) {
  *g = Affine::Linear(args.value, 0, 0, args.value) * *g;
  p->scale *= args.value;
}

// Content turns counter-clockwise on screen (y down) for positive angles.
void MapRotate(const GeometryOpArgs& args, double x, double y, double* ox,
               double* oy) {
  const double t = args.value * kPi / 180;
  *ox = std::cos(t) * x + std::sin(t) * y;
  *oy = -std::sin(t) * x + std::cos(t) * y;
}

void MapShearX(const GeometryOpArgs& args, double x, double y, double* ox,
               double* oy) {
  *ox = x + args.value * y;
  *oy = y;
}

void MapShearY(const GeometryOpArgs& args, double x, double y, double* ox,
               double* oy) {
  *ox = x;
  *oy = y + args.value * x;
}

void MapTranslateX(const GeometryOpArgs& args, double x, double y, double* ox,
                   double* oy) {
  *ox = x + args.value * args.out_width;
  *oy = y;
}

void MapTranslateY(const GeometryOpArgs& args, double x, double y, double* ox,
                   double* oy) {
  *ox = x;
  *oy = y + args.value * args.out_height;
}

// The window of `value` of the size centred at (dx, dy) fills the image.
void MapCrop(const GeometryOpArgs& args, double x, double y, double* ox,
             double* oy) {
  double dx, dy;
  CropOffset(args, &dx, &dy);
  *ox = (x - dx) / args.value;
  *oy = (y - dy) / args.value;
}

void MapHFlip(const GeometryOpArgs&, double x, double y, double* ox,
              double* oy) {
  *ox = -x;
  *oy = y;
}

void MapVFlip(const GeometryOpArgs&, double x, double y, double* ox,
              double* oy) {
  *ox = x;
  *oy = -y;
}

void MapScale(const GeometryOpArgs& args, double x, double y, double* ox,
              double* oy) {
  *ox = args.value * x;
  *oy = args.value * y;
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
