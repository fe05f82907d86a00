// Kernels of the policy ops (internal): the fast and the reference kernel of
// every row of the op table, and the definitions both share (kernel weights,
// cell sizes, noise lattices), so the two paths cannot drift apart.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "caffe/augment/ops.hpp"
#include "caffe/augment/random.hpp"

namespace caffe {
namespace augment {
namespace internal {

// ---- shared definitions ------------------------------------------------------

// The short side S of an op's image: sizes of blur, cells and noise scale
// with it, so a magnitude means the same on 28 and on 512 pixels.
inline int ShortSide(const PixelOpArgs& a) {
  return std::min(a.height, a.width);
}

// GAUSSIAN_BLUR: sigma = value * S / 32 pixels.
inline double BlurSigma(const PixelOpArgs& a) {
  return a.value * ShortSide(a) / 32.0;
}
// Normalised gaussian taps at -r..r, r = ceil(3 sigma) ({1} for sigma 0).
std::vector<double> GaussianTaps(double sigma);

// EMBOSS / SHARPEN: the 3x3 kernel (1 - alpha) * identity + alpha * K,
// row-major, with K the emboss [[-2,-1,0],[-1,1,1],[0,1,2]] or sharpen
// [[-1,-1,-1],[-1,9,-1],[-1,-1,-1]] kernel (both sum to 1).
void BlendedKernel3x3(OpType type, double alpha, double out[9]);

// COARSE_DROPOUT / COARSE_SALT_PEPPER: the side of the square cells.
inline int CoarseCell(const PixelOpArgs& a, int cells_per_side) {
  return std::max(1, static_cast<int>(std::lround(
                         static_cast<double>(ShortSide(a)) / cells_per_side)));
}
constexpr int kDropoutCellsPerSide = 8;
constexpr int kSaltPepperCellsPerSide = 16;
// The uniform draw in [0, 1) deciding pixel (or cell) `index`.
inline double CellDraw(uint64_t seed, int x, int y) {
  return ToUnit(CounterHash(seed, (static_cast<uint64_t>(static_cast<uint32_t>(y))
                                   << 32) | static_cast<uint32_t>(x)));
}

// HUE_SATURATION: saturation factor 1 + 0.5 d, then a chroma rotation of
// 0.2 d turns, as one 3x3 matrix in channel order (d = the signed value).
void HueSaturationMatrix(double delta, const int rgb[3], double m[9]);

// FOG / CLOUDS: smooth value noise. Octave o has lattice cells of S / 2^(o+1)
// pixels whose corners hold uniform draws; a pixel blends the four corners
// around its centre with smoothstep weights.
inline double LatticeValue(uint64_t seed, int octave, int i, int j) {
  return CellDraw(HashCombine(seed, static_cast<uint64_t>(octave) + 1), i, j);
}
inline double OctaveCell(const PixelOpArgs& a, int octave) {
  return ShortSide(a) / static_cast<double>(2 << octave);
}
inline double Smoothstep(double t) { return t * t * (3 - 2 * t); }
// Fog: octaves 0 and 1 weighted 2:1; opacity value * (0.6 + 0.4 n) towards
// grey 220. Clouds: octaves 0..3 weighted 1, 1/2, 1/4, 1/8 (normalised);
// coverage clamp((n - 0.45) * 4, 0, 1), opacity value * coverage towards
// grey 245.
constexpr int kFogOctaves = 2;
constexpr double kFogColour = 220;
constexpr int kCloudOctaves = 4;
constexpr double kCloudColour = 245;
inline double OctaveWeight(OpType type, int octave) {
  if (type == AugmentationParameter::Op::FOG) return octave == 0 ? 2.0 / 3 : 1.0 / 3;
  return (8 >> octave) / 15.0;
}
inline double Opacity(OpType type, double value, double n) {
  if (type == AugmentationParameter::Op::FOG) return value * (0.6 + 0.4 * n);
  return value * std::min(1.0, std::max(0.0, (n - 0.45) * 4));
}

// ---- fast kernels (8-bit image, in place) -------------------------------------
void FastAutoContrast(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastEqualize(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastInvert(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastSolarize(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastPosterize(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastBrightness(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastColor(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastContrast(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastSharpness(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastGaussianBlur(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastEmboss(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastSharpen(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastPixelDropout(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastCoarseDropout(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastSaltPepper(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastCoarseSaltPepper(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastGaussianNoise(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastGamma(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastHueSaturation(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastBrighten(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastFog(const PixelOpArgs&, uint8_t*, OpScratch*);
void FastClouds(const PixelOpArgs&, uint8_t*, OpScratch*);

// ---- reference kernels (double precision, one value at a time) ----------------
void RefAutoContrast(const PixelOpArgs&, std::vector<uint8_t>*);
void RefEqualize(const PixelOpArgs&, std::vector<uint8_t>*);
void RefInvert(const PixelOpArgs&, std::vector<uint8_t>*);
void RefSolarize(const PixelOpArgs&, std::vector<uint8_t>*);
void RefPosterize(const PixelOpArgs&, std::vector<uint8_t>*);
void RefBrightness(const PixelOpArgs&, std::vector<uint8_t>*);
void RefColor(const PixelOpArgs&, std::vector<uint8_t>*);
void RefContrast(const PixelOpArgs&, std::vector<uint8_t>*);
void RefSharpness(const PixelOpArgs&, std::vector<uint8_t>*);
void RefGaussianBlur(const PixelOpArgs&, std::vector<uint8_t>*);
void RefEmboss(const PixelOpArgs&, std::vector<uint8_t>*);
void RefSharpen(const PixelOpArgs&, std::vector<uint8_t>*);
void RefPixelDropout(const PixelOpArgs&, std::vector<uint8_t>*);
void RefCoarseDropout(const PixelOpArgs&, std::vector<uint8_t>*);
void RefSaltPepper(const PixelOpArgs&, std::vector<uint8_t>*);
void RefCoarseSaltPepper(const PixelOpArgs&, std::vector<uint8_t>*);
void RefGaussianNoise(const PixelOpArgs&, std::vector<uint8_t>*);
void RefGamma(const PixelOpArgs&, std::vector<uint8_t>*);
void RefHueSaturation(const PixelOpArgs&, std::vector<uint8_t>*);
void RefBrighten(const PixelOpArgs&, std::vector<uint8_t>*);
void RefFog(const PixelOpArgs&, std::vector<uint8_t>*);
void RefClouds(const PixelOpArgs&, std::vector<uint8_t>*);

// ---- geometric ops: fold into the matrix, and the reference point map ---------
void FoldRotate(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldShearX(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldShearY(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldTranslateX(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldTranslateY(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldCrop(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldHFlip(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldVFlip(const GeometryOpArgs&, Affine*, SampledParams*);
void FoldScale(const GeometryOpArgs&, Affine*, SampledParams*);
void MapRotate(const GeometryOpArgs&, double, double, double*, double*);
void MapShearX(const GeometryOpArgs&, double, double, double*, double*);
void MapShearY(const GeometryOpArgs&, double, double, double*, double*);
void MapTranslateX(const GeometryOpArgs&, double, double, double*, double*);
void MapTranslateY(const GeometryOpArgs&, double, double, double*, double*);
void MapCrop(const GeometryOpArgs&, double, double, double*, double*);
void MapHFlip(const GeometryOpArgs&, double, double, double*, double*);
void MapVFlip(const GeometryOpArgs&, double, double, double*, double*);
void MapScale(const GeometryOpArgs&, double, double, double*, double*);

// CROP: the window centre's offset from the image centre, in pixels of the
// output (|dx| <= (1 - s) W / 2), drawn from the op's seed.
void CropOffset(const GeometryOpArgs& args, double* dx, double* dy);

}  // namespace internal
}  // namespace augment
}  // namespace caffe
