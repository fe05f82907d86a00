// Fast kernels of the policy ops that are a function of the value (256-entry
// look-up tables), of the channel histograms, or of the pixel's colour.
#include <algorithm>
#include <cmath>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

size_t ValueCount(const PixelOpArgs& a) {
  return static_cast<size_t>(a.height) * a.width * a.channels;
}

void ApplyLut(const uint8_t lut[256], const PixelOpArgs& a, uint8_t* img) {
  const size_t count = ValueCount(a);
  for (size_t i = 0; i < count; ++i) img[i] = lut[img[i]];
}

// Builds lut[v] = f(v) and applies it.
template <typename F>
void LutOp(const PixelOpArgs& a, uint8_t* img, F f) {
  uint8_t lut[256];
  for (int v = 0; v < 256; ++v) lut[v] = f(v);
  ApplyLut(lut, a, img);
}

// Per-channel look-up tables built from each channel's histogram.
void HistogramOp(bool equalize, const PixelOpArgs& a, uint8_t* img) {
  const int pixels = a.height * a.width, c = a.channels;
  for (int k = 0; k < c; ++k) {
    uint32_t hist[256] = {0};
    for (int i = 0; i < pixels; ++i) ++hist[img[i * c + k]];
    uint8_t lut[256];
    for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v);
    if (!equalize) {
      int lo = 0, hi = 255;
      while (lo < 255 && hist[lo] == 0) ++lo;
      while (hi > 0 && hist[hi] == 0) --hi;
      if (hi > lo) {
        for (int v = 0; v < 256; ++v) {
          lut[v] = Round8((v - lo) * 255.0 / (hi - lo));
        }
      }
    } else {
      uint32_t cdf_min = 0;
      for (int v = 0; v < 256 && cdf_min == 0; ++v) cdf_min = hist[v];
      if (static_cast<uint32_t>(pixels) > cdf_min) {
        uint64_t cdf = 0;
        for (int v = 0; v < 256; ++v) {
          cdf += hist[v];
          lut[v] = Round8(255.0 * (static_cast<double>(cdf) - cdf_min) /
                          (pixels - cdf_min));
        }
      }
    }
    for (int i = 0; i < pixels; ++i) img[i * c + k] = lut[img[i * c + k]];
  }
}

// v' = m v over the 3 channels of every pixel (m in channel order).
void ColourMatrix(const double m[9], const PixelOpArgs& a, uint8_t* img) {
  float f[9];
  for (int i = 0; i < 9; ++i) f[i] = static_cast<float>(m[i]);
  const int pixels = a.height * a.width;
  for (int i = 0; i < pixels; ++i) {
    uint8_t* p = img + 3 * i;
    const float r0 = p[0], r1 = p[1], r2 = p[2];
    p[0] = Round8(f[0] * r0 + f[1] * r1 + f[2] * r2);
    p[1] = Round8(f[3] * r0 + f[4] * r1 + f[5] * r2);
    p[2] = Round8(f[6] * r0 + f[7] * r1 + f[8] * r2);
  }
}

}  // namespace

void FastAutoContrast(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  HistogramOp(false, a, img);
}

void FastEqualize(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  HistogramOp(true, a, img);
}

void FastInvert(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [](int v) { return static_cast<uint8_t>(255 - v); });
}

void FastSolarize(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [&](int v) {
    return static_cast<uint8_t>(v >= a.value ? 255 - v : v);
  });
}

void FastPosterize(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  const int mask = (0xff << (8 - static_cast<int>(a.value))) & 0xff;
  LutOp(a, img, [&](int v) { return static_cast<uint8_t>(v & mask); });
}

void FastBrightness(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [&](int v) { return Round8(v * a.value); });
}

void FastBrighten(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [&](int v) { return Round8(v + a.value); });
}

void FastGamma(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [&](int v) { return Round8(255 * std::pow(v / 255.0, a.value)); });
}

void FastContrast(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  const double mean = MeanLuminance(img, a.height * a.width, a.channels, a.rgb);
  LutOp(a, img, [&](int v) { return Round8(mean + a.value * (v - mean)); });
}

void FastColor(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  if (a.channels != 3) return;
  double wd[3];
  LuminanceWeights(a.rgb, wd);
  const float w0 = static_cast<float>(wd[0]), w1 = static_cast<float>(wd[1]),
              w2 = static_cast<float>(wd[2]);
  const float f = static_cast<float>(a.value);
  const int pixels = a.height * a.width;
  for (int i = 0; i < pixels; ++i) {
    uint8_t* p = img + 3 * i;
    const float g = w0 * p[0] + w1 * p[1] + w2 * p[2];
    p[0] = Round8(g + f * (p[0] - g));
    p[1] = Round8(g + f * (p[1] - g));
    p[2] = Round8(g + f * (p[2] - g));
  }
}

void FastHueSaturation(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  if (a.channels != 3) return;
  double m[9];
  HueSaturationMatrix(a.value, a.rgb, m);
  ColourMatrix(m, a, img);
}

void FastSharpness(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  const int h = a.height, w = a.width, c = a.channels;
  if (h < 3 || w < 3) return;
  scratch->bytes.assign(img, img + ValueCount(a));
  const uint8_t* s = scratch->bytes.data();
  const size_t stride = static_cast<size_t>(w) * c;
  const float f = static_cast<float>(a.value);
  for (int y = 1; y < h - 1; ++y) {
    for (int x = 1; x < w - 1; ++x) {
      for (int k = 0; k < c; ++k) {
        const size_t i = y * stride + static_cast<size_t>(x) * c + k;
        const int sum = s[i - stride - c] + s[i - stride] + s[i - stride + c] +
                        s[i - c] + 5 * s[i] + s[i + c] + s[i + stride - c] +
                        s[i + stride] + s[i + stride + c];
        const float smooth = sum / 13.0f;
        img[i] = Round8(smooth + f * (s[i] - smooth));
      }
    }
  }
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
