// Internal interfaces of the augmentation engine: the fast kernels used by
// Augmenter::Render and the definitions shared with the reference
// implementation (padding, rounding, coordinate noise, colour matrices).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {
namespace internal {

typedef AugmentationParameter::Interpolation Interpolation;
typedef AugmentationParameter::Padding Padding;

// Rounds to the nearest grey level (halves up) and saturates to [0, 255].
inline uint8_t Round8(double v) {
  if (!(v > 0)) return 0;  // also maps NaN to 0
  if (v >= 255) return 255;
  return static_cast<uint8_t>(v + 0.5);
}

// The source index that padded index i (of n) reads, or -1 for the constant
// fill of padding ZEROS.
inline int PaddedIndex(int i, int n, Padding padding) {
  if (i >= 0 && i < n) return i;
  switch (padding) {
    case AugmentationParameter::BORDER:
      return i < 0 ? 0 : n - 1;
    case AugmentationParameter::REFLECTION: {
      // Mirror about the outer edges: period 2n, ..., 1, 0 | 0, 1, ... n-1 |
      // n-1, ...
      const int period = 2 * n;
      int k = i % period;
      if (k < 0) k += period;
      return k < n ? k : period - 1 - k;
    }
    default:
      return -1;
  }
}

// Keys' cubic convolution kernel with a = -0.75 at distance t.
inline double CubicWeight(double t) {
  const double a = -0.75;
  t = std::fabs(t);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

// Per-pixel coordinate offsets of elastic distortion and jitter.
class CoordNoise {
 public:
  CoordNoise(const AugmentationParameter& param, const SampledParams& p);
  bool active() const { return elastic_ || jitter_ > 0; }
  // Offset (dx, dy) in source pixels for output pixel (u, v).
  void At(int u, int v, double* dx, double* dy) const;

 private:
  bool elastic_;
  int grid_;
  double step_u_, step_v_;
  std::vector<double> lattice_;  // grid x grid x 2
  double jitter_;
  uint64_t jitter_key_;
};

// Colour weights of the luminance in channel order (zeros beyond 3).
void LuminanceWeights(const int rgb[3], double weights[3]);
// The sum of each channel of `pixels` three-channel 8-bit pixels: the
// reference loop, and the same sums through the kernel of the pixel ISA in
// use (channel_sums.cpp; integer sums, so exactly equal).
void ChannelSums3Reference(const uint8_t* img, int pixels, uint64_t sums[3]);
void ChannelSums3(const uint8_t* img, int pixels, uint64_t sums[3]);
// Mean luminance (or mean value for one channel) of an 8-bit HWC image.
double MeanLuminance(const uint8_t* img, int pixels, int c, const int rgb[3]);
// 3x3 matrix (row-major, channel order) rotating the chroma plane by
// `turns` of a full turn in YIQ space.
void HueMatrix(double turns, const int rgb[3], double m[9]);

// The fill value of each channel for padding ZEROS / cutout.
std::vector<float> ExpandFill(const AugmentationParameter& param, int c);

// ---- fast kernels -----------------------------------------------------------
struct WarpJob {
  const uint8_t* src;
  int h, w, c;
  int out_h, out_w;
  const double* m;  // SampledParams::matrix
  Interpolation interpolation;
  Padding padding;
  const float* fill;  // per channel
  const CoordNoise* noise;  // null or inactive: pure affine
};
// Writes out_h x out_w x c into dst, choosing the cheapest exact method.
void Warp(const WarpJob& job, std::vector<float>* coord_scratch, uint8_t* dst);
// The instruction sets the bilinear warp has kernels for. All write the same
// bytes (tests/cpp/test_warp_isa.cpp compares them); the wider are faster.
enum class WarpIsa { kSse2, kAvx2, kAvx512 };
// The widest this CPU runs (kAvx512 needs AVX-512 F and BW).
WarpIsa BestWarpIsa();
// The kernels Warp uses from now on, process-wide, for tests and benchmarks
// (the default is BestWarpIsa()). Refuses (returns false) an ISA the CPU lacks.
bool SetWarpIsa(WarpIsa isa);
WarpIsa CurrentWarpIsa();
// True when the matrix only moves whole pixels around (integer offsets and a
// signed permutation of the axes): then no interpolation is needed.
bool IsIndexShuffle(const double m[6]);

struct PixelChain {
  bool color = false;  // the linear colour block is not the identity
  double matrix[12] = {};  // c x (c + 1) for c <= 3, row-major, in channel order
  bool gamma = false;
  uint8_t gamma_lut[256];
  double offset[3] = {0, 0, 0};  // PCA lighting
  double noise_std = 0;
  double salt_pepper = 0;
  bool active() const {
    return color || gamma || offset[0] != 0 || offset[1] != 0 ||
           offset[2] != 0 || noise_std > 0 || salt_pepper > 0;
  }
};
// Builds the chain of p for an image whose 8-bit stage is `stage`.
PixelChain BuildPixelChain(const AugmentationParameter& param,
                           const SampledParams& p, const uint8_t* stage,
                           const int rgb[3], const double eigval[3],
                           const double eigvec[9]);
// Runs the chain from the 8-bit stage to the output layout, one step at a
// time over the whole image: the slow, obviously-correct reference.
void RunPixelChainReference(const PixelChain& chain, const SampledParams& p,
                            const uint8_t* stage, AugmentedImage* out);
// The same values, one row at a time through the kernel of the ISA in use
// (pixel_chain.cpp).
void RunPixelChain(const PixelChain& chain, const SampledParams& p,
                   const uint8_t* stage, AugmentedImage* out);
// Rows [top, top + rows) of the chain's 8-bit HWC result with p's cutouts,
// each handed to row(r, pixels) (r from 0, pixels the whole row) as soon as
// it is done: nothing of the image but one row is written. `scratch` lends
// its working memory (float_scratch, hash_scratch, u8).
void RunPixelChainRows(const AugmentationParameter& param, const PixelChain& chain,
                       const SampledParams& p, const uint8_t* stage, int top, int rows,
                       AugmentedImage* scratch,
                       const std::function<void(int r, const uint8_t* pixels)>& row);
void ApplyCutouts(const AugmentationParameter& param, const SampledParams& p,
                  AugmentedImage* out);
// The instruction sets the pixel chain has kernels for. All compute the
// reference's float operations in its order, so all write the same values
// (tests/cpp/test_pixel_chain_isa.cpp).
enum class PixelIsa { kSse2, kAvx2, kAvx512 };
// The widest this CPU runs (kAvx512 needs AVX-512 F, BW, DQ and VL).
PixelIsa BestPixelIsa();
// The kernels the pixel chain uses from now on, process-wide, for tests and
// benchmarks (the default is BestPixelIsa()). Refuses (returns false) an ISA
// the CPU lacks.
bool SetPixelIsa(PixelIsa isa);
PixelIsa CurrentPixelIsa();

}  // namespace internal
}  // namespace augment
}  // namespace caffe
