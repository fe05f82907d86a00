// Fast kernels of the policy ops that are a function of the value (256-entry
// look-up tables), of the channel histograms, or of the pixel's colour.
#include <algorithm>
#include <cmath>
#include <cstring>

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

// Per-channel look-up tables built from each channel's histogram; one pass
// counts every channel, one pass applies every table.
void HistogramOp(bool equalize, const PixelOpArgs& a, uint8_t* img,
                 OpScratch* scratch) {
  const int pixels = a.height * a.width, c = a.channels;
  std::vector<uint32_t> hist(static_cast<size_t>(c) * 256, 0);
  for (int i = 0; i < pixels; ++i) {
    for (int k = 0; k < c; ++k) ++hist[k * 256 + img[i * c + k]];
  }
  std::vector<uint8_t>& luts = scratch->bytes;
  luts.resize(static_cast<size_t>(c) * 256);
  for (int k = 0; k < c; ++k) {
    const uint32_t* h = &hist[k * 256];
    uint8_t* lut = &luts[k * 256];
    for (int v = 0; v < 256; ++v) lut[v] = static_cast<uint8_t>(v);
    if (!equalize) {
      int lo = 0, hi = 255;
      while (lo < 255 && h[lo] == 0) ++lo;
      while (hi > 0 && h[hi] == 0) --hi;
      if (hi > lo) {
        for (int v = 0; v < 256; ++v) {
          lut[v] = Round8((v - lo) * 255.0 / (hi - lo));
        }
      }
    } else {
      uint32_t cdf_min = 0;
      for (int v = 0; v < 256 && cdf_min == 0; ++v) cdf_min = h[v];
      if (static_cast<uint32_t>(pixels) > cdf_min) {
        uint64_t cdf = 0;
        for (int v = 0; v < 256; ++v) {
          cdf += h[v];
          lut[v] = Round8(255.0 * (static_cast<double>(cdf) - cdf_min) /
                          (pixels - cdf_min));
        }
      }
    }
  }
  for (int i = 0; i < pixels; ++i) {
    for (int k = 0; k < c; ++k) img[i * c + k] = luts[k * 256 + img[i * c + k]];
  }
}

// Round8 for values that are finite: clamp, then round half up, no branch.
inline uint8_t Clamp8(float v) {
  return static_cast<uint8_t>(std::min(255.f, std::max(0.f, v)) + 0.5f);
}

// v' = m v over the 3 channels of every pixel (m in channel order).
void ColourMatrix(const double m[9], const PixelOpArgs& a, uint8_t* img) {
  float f[9];
  for (int i = 0; i < 9; ++i) f[i] = static_cast<float>(m[i]);
  const int pixels = a.height * a.width;
  for (int i = 0; i < pixels; ++i) {
    uint8_t* p = img + 3 * i;
    const float r0 = p[0], r1 = p[1], r2 = p[2];
    p[0] = Clamp8(f[0] * r0 + f[1] * r1 + f[2] * r2);
    p[1] = Clamp8(f[3] * r0 + f[4] * r1 + f[5] * r2);
    p[2] = Clamp8(f[6] * r0 + f[7] * r1 + f[8] * r2);
  }
}

}  // namespace

void FastAutoContrast(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  HistogramOp(false, a, img, scratch);
}

void FastEqualize(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  HistogramOp(true, a, img, scratch);
}

// The ops below are plain byte arithmetic, which the compiler vectorises
// (a table look-up cannot be).
void FastInvert(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  const size_t count = ValueCount(a);
  for (size_t i = 0; i < count; ++i) img[i] = static_cast<uint8_t>(255 - img[i]);
}

void FastSolarize(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  // v >= value  <=>  v >= ceil(value) for integer v.
  const int threshold = static_cast<int>(std::ceil(a.value));
  if (threshold > 255) return;
  const uint8_t t = static_cast<uint8_t>(std::max(0, threshold));
  const size_t count = ValueCount(a);
  for (size_t i = 0; i < count; ++i) {
    img[i] = img[i] >= t ? static_cast<uint8_t>(255 - img[i]) : img[i];
  }
}

void FastPosterize(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  const uint8_t mask = static_cast<uint8_t>((0xff << (8 - static_cast<int>(a.value))) & 0xff);
  const size_t count = ValueCount(a);
  for (size_t i = 0; i < count; ++i) img[i] &= mask;
}

void FastBrightness(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  LutOp(a, img, [&](int v) { return Round8(v * a.value); });
}

void FastBrighten(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  // round(v + value) = v + floor(value + 1/2) for integer v, saturated.
  const int shift = static_cast<int>(std::floor(a.value + 0.5));
  const size_t count = ValueCount(a);
  if (shift >= 255 || shift <= -255) {
    std::memset(img, shift > 0 ? 255 : 0, count);
  } else if (shift >= 0) {
    const uint8_t add = static_cast<uint8_t>(shift), limit = static_cast<uint8_t>(255 - shift);
    for (size_t i = 0; i < count; ++i) {
      img[i] = img[i] > limit ? uint8_t{255} : static_cast<uint8_t>(img[i] + add);
    }
  } else {
    const uint8_t sub = static_cast<uint8_t>(-shift);
    for (size_t i = 0; i < count; ++i) {
      img[i] = img[i] < sub ? uint8_t{0} : static_cast<uint8_t>(img[i] - sub);
    }
  }
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
