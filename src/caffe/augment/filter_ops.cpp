// Fast kernels of the filtering policy ops: gaussian blur (separable, the
// symmetric taps folded so each pair of rows costs one multiply) and the
// 3x3 emboss / sharpen blends. Borders are mirrored (REFLECTION padding).
// Every inner loop runs along a contiguous float row, which the compiler
// vectorises.
#include <algorithm>
#include <cmath>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

inline int Mirror(int i, int n) {
  return PaddedIndex(i, n, AugmentationParameter::REFLECTION);
}

// Row `y` of an 8-bit image as floats with `pad` mirrored pixels each side.
void PaddedRow(const uint8_t* img, int y, int w, int c, int pad, float* line) {
  const uint8_t* src = img + static_cast<size_t>(y) * w * c;
  for (int x = -pad; x < w + pad; ++x) {
    const uint8_t* px = src + static_cast<size_t>(Mirror(x, w)) * c;
    float* out = line + static_cast<size_t>(x + pad) * c;
    for (int k = 0; k < c; ++k) out[k] = px[k];
  }
}

void Convolve3x3(OpType type, const PixelOpArgs& a, uint8_t* img,
                 OpScratch* scratch) {
  double kd[9];
  BlendedKernel3x3(type, a.value, kd);
  if (a.value == 0) return;
  float k[9];
  for (int i = 0; i < 9; ++i) k[i] = static_cast<float>(kd[i]);
  const int h = a.height, w = a.width, c = a.channels;
  const size_t row = static_cast<size_t>(w) * c, padded = row + 2 * c;
  scratch->bytes.assign(img, img + row * h);  // the source, read-only
  scratch->floats.resize(4 * padded);
  float* lines[3] = {scratch->floats.data(), scratch->floats.data() + padded,
                     scratch->floats.data() + 2 * padded};
  float* acc = scratch->floats.data() + 3 * padded;
  const uint8_t* src = scratch->bytes.data();
  for (int y = 0; y < h; ++y) {
    for (int dy = 0; dy < 3; ++dy) {
      PaddedRow(src, Mirror(y + dy - 1, h), w, c, 1, lines[dy]);
    }
    std::fill(acc, acc + row, 0.f);
    for (int dy = 0; dy < 3; ++dy) {
      for (int dx = 0; dx < 3; ++dx) {
        const float weight = k[dy * 3 + dx];
        const float* line = lines[dy] + dx * c;
        for (size_t i = 0; i < row; ++i) acc[i] += weight * line[i];
      }
    }
    uint8_t* dst = img + y * row;
    for (size_t i = 0; i < row; ++i) {
      dst[i] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, acc[i])) + 0.5f);
    }
  }
}

}  // namespace

void FastGaussianBlur(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  const std::vector<double> taps = GaussianTaps(BlurSigma(a));
  const int r = static_cast<int>(taps.size() / 2);
  if (r == 0) return;
  std::vector<float> weight(r + 1);
  for (int j = 0; j <= r; ++j) weight[j] = static_cast<float>(taps[r + j]);
  const int h = a.height, w = a.width, c = a.channels;
  const size_t row = static_cast<size_t>(w) * c;
  const size_t padded = row + 2 * static_cast<size_t>(r) * c;
  scratch->floats.resize(row * h + padded + row);
  float* vertical = scratch->floats.data();
  float* line = vertical + row * h;
  float* acc = line + padded;
  // Vertical pass: rows y - j and y + j share weight j.
  for (int y = 0; y < h; ++y) {
    float* out = vertical + y * row;
    const uint8_t* centre = img + y * row;
    for (size_t i = 0; i < row; ++i) out[i] = weight[0] * centre[i];
    for (int j = 1; j <= r; ++j) {
      const uint8_t* up = img + Mirror(y - j, h) * row;
      const uint8_t* down = img + Mirror(y + j, h) * row;
      const float wj = weight[j];
      for (size_t i = 0; i < row; ++i) {
        out[i] += wj * (static_cast<float>(up[i]) + static_cast<float>(down[i]));
      }
    }
  }
  // Horizontal pass on each mirrored-padded row of the vertical result.
  for (int y = 0; y < h; ++y) {
    const float* src = vertical + y * row;
    for (int x = -r; x < w + r; ++x) {
      const float* px = src + static_cast<size_t>(Mirror(x, w)) * c;
      float* out = line + static_cast<size_t>(x + r) * c;
      for (int k = 0; k < c; ++k) out[k] = px[k];
    }
    const float* centre = line + static_cast<size_t>(r) * c;
    for (size_t i = 0; i < row; ++i) acc[i] = weight[0] * centre[i];
    for (int j = 1; j <= r; ++j) {
      const float* left = centre - static_cast<size_t>(j) * c;
      const float* right = centre + static_cast<size_t>(j) * c;
      const float wj = weight[j];
      for (size_t i = 0; i < row; ++i) acc[i] += wj * (left[i] + right[i]);
    }
    // A convex combination of values in [0, 255]: rounding needs no clamp.
    uint8_t* dst = img + y * row;
    for (size_t i = 0; i < row; ++i) dst[i] = static_cast<uint8_t>(acc[i] + 0.5f);
  }
}

void FastEmboss(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Convolve3x3(AugmentationParameter::Op::EMBOSS, a, img, scratch);
}

void FastSharpen(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Convolve3x3(AugmentationParameter::Op::SHARPEN, a, img, scratch);
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
