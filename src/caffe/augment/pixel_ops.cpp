// The pixel chain after the interpolation and the policy ops (colour block
// as one affine colour matrix, gamma table, lighting offset, noise, salt &
// pepper): how it is built, and the reference that runs it step by step over
// the whole image. The fast row kernels are in pixel_chain.cpp.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/random.hpp"

namespace caffe {
namespace augment {
namespace internal {

PixelChain BuildPixelChain(const AugmentationParameter& param,
                           const SampledParams& p, const uint8_t* stage,
                           const int rgb[3], const double eigval[3],
                           const double eigvec[9]) {
  PixelChain chain;
  const int c = p.channels;
  const bool colour = c == 3;
  // Affine colour map v' = A v + b, built op by op (3x3 even for fewer
  // channels; only the leading c x c block is used then).
  double a[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, b[3] = {0, 0, 0};
  auto left_multiply = [&](const double l[9]) {
    double na[9], nb[3];
    for (int i = 0; i < 3; ++i) {
      nb[i] = 0;
      for (int j = 0; j < 3; ++j) {
        na[i * 3 + j] = 0;
        for (int k = 0; k < 3; ++k) na[i * 3 + j] += l[i * 3 + k] * a[k * 3 + j];
        nb[i] += l[i * 3 + j] * b[j];
      }
    }
    std::copy(na, na + 9, a);
    std::copy(nb, nb + 3, b);
  };
  if (p.brightness != 1) {
    for (double& v : a) v *= p.brightness;
  }
  if (p.contrast != 1) {
    const int pixels = p.out_height * p.out_width;
    const double mean = p.brightness * MeanLuminance(stage, pixels, c, rgb);
    for (double& v : a) v *= p.contrast;
    for (double& v : b) v = p.contrast * v + (1 - p.contrast) * mean;
  }
  if (colour && p.saturation != 1) {
    double w[3];
    LuminanceWeights(rgb, w);
    double s[9];
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        s[i * 3 + j] = (i == j ? p.saturation : 0) + (1 - p.saturation) * w[j];
      }
    }
    left_multiply(s);
  }
  if (colour && p.hue != 0) {
    double hm[9];
    HueMatrix(p.hue, rgb, hm);
    left_multiply(hm);
  }
  chain.color = p.brightness != 1 || p.contrast != 1 ||
                (colour && (p.saturation != 1 || p.hue != 0));
  const int cc = std::min(c, 3);
  for (int i = 0; i < cc; ++i) {
    for (int j = 0; j < cc; ++j) chain.matrix[i * 4 + j] = a[i * 3 + j];
    chain.matrix[i * 4 + 3] = b[i];
  }
  if (p.gamma != 1) {
    chain.gamma = true;
    for (int v = 0; v < 256; ++v) {
      chain.gamma_lut[v] = Round8(255.0 * std::pow(v / 255.0, p.gamma));
    }
  }
  if (colour) {
    for (int ch = 0; ch < 3; ++ch) {  // ch in R, G, B
      double s = 0;
      for (int i = 0; i < 3; ++i) s += p.pca_alpha[i] * eigval[i] * eigvec[i * 3 + ch];
      chain.offset[rgb[ch]] = s;
    }
  }
  chain.noise_std = param.noise_std();
  chain.salt_pepper = param.salt_pepper_prob();
  return chain;
}

void RunPixelChainReference(const PixelChain& chain, const SampledParams& p,
                            const uint8_t* stage, AugmentedImage* out) {
  const int c = p.channels;
  const int pixels = p.out_height * p.out_width;
  const size_t count = static_cast<size_t>(pixels) * c;
  const bool to_float = out->layout == AugmentedImage::FLOAT_CHW;
  if (to_float) {
    out->f32.resize(count);
  } else {
    out->u8.resize(count);
  }
  float* f32 = out->f32.data();
  uint8_t* u8 = out->u8.data();
  if (!chain.active()) {  // plain layout conversion
    if (to_float) {
      for (int i = 0; i < pixels; ++i) {
        for (int k = 0; k < c; ++k) f32[k * pixels + i] = stage[i * c + k];
      }
    } else {
      std::memcpy(u8, stage, count);
    }
    return;
  }
  // Each step is one simple pass over the float image, which the compiler
  // vectorises; the image stays in cache between passes.
  out->float_scratch.resize(count);
  float* v = out->float_scratch.data();
  for (size_t i = 0; i < count; ++i) v[i] = stage[i];
  if (chain.color) {
    float m[12];
    for (int i = 0; i < 12; ++i) m[i] = static_cast<float>(chain.matrix[i]);
    if (c == 3) {
      for (int i = 0; i < pixels; ++i) {
        float* px = v + 3 * i;
        const float r0 = px[0], r1 = px[1], r2 = px[2];
        px[0] = std::min(255.f, std::max(0.f, m[0] * r0 + m[1] * r1 + m[2] * r2 + m[3]));
        px[1] = std::min(255.f, std::max(0.f, m[4] * r0 + m[5] * r1 + m[6] * r2 + m[7]));
        px[2] = std::min(255.f, std::max(0.f, m[8] * r0 + m[9] * r1 + m[10] * r2 + m[11]));
      }
    } else {
      // Without 3 colour channels only brightness and contrast act; they
      // scale every channel alike (matrix entry 0 and offset entry 3).
      const float gain = m[0], offset = m[3];
      for (size_t i = 0; i < count; ++i) {
        v[i] = std::min(255.f, std::max(0.f, gain * v[i] + offset));
      }
    }
  }
  if (chain.gamma) {
    for (size_t i = 0; i < count; ++i) {
      v[i] = chain.gamma_lut[static_cast<int>(v[i] + 0.5f)];
    }
  }
  const bool has_offset =
      chain.offset[0] != 0 || chain.offset[1] != 0 || chain.offset[2] != 0;
  if (has_offset && c == 3) {
    const float o0 = static_cast<float>(chain.offset[0]);
    const float o1 = static_cast<float>(chain.offset[1]);
    const float o2 = static_cast<float>(chain.offset[2]);
    for (int i = 0; i < pixels; ++i) {
      v[3 * i] += o0;
      v[3 * i + 1] += o1;
      v[3 * i + 2] += o2;
    }
  }
  if (chain.noise_std > 0) {
    // NoiseAt(i) uses hash i / 4 and its 16-bit lane i % 4: one hash feeds
    // four values.
    const float* table = NormalQuantileTable();
    const uint64_t key = HashCombine(p.pixel_seed, kNoiseStream);
    const float std_dev = static_cast<float>(chain.noise_std);
    const size_t quads = count / 4;
    for (size_t q = 0; q < quads; ++q) {
      const uint64_t bits = CounterHash(key, q);
      float* d = v + 4 * q;
      d[0] += std_dev * table[bits & 0xffff];
      d[1] += std_dev * table[(bits >> 16) & 0xffff];
      d[2] += std_dev * table[(bits >> 32) & 0xffff];
      d[3] += std_dev * table[bits >> 48];
    }
    for (size_t i = 4 * quads; i < count; ++i) {
      v[i] += std_dev * NoiseAt(table, key, i);
    }
  }
  if (has_offset || chain.noise_std > 0) {
    for (size_t i = 0; i < count; ++i) v[i] = std::min(255.f, std::max(0.f, v[i]));
  }
  if (chain.salt_pepper > 0) {
    const uint64_t key = HashCombine(p.pixel_seed, kSaltPepperStream);
    const double half = chain.salt_pepper / 2;
    for (int i = 0; i < pixels; ++i) {
      const double r = ToUnit(CounterHash(key, i));
      if (r < chain.salt_pepper) {
        const float value = r < half ? 0.f : 255.f;
        for (int k = 0; k < c; ++k) v[i * c + k] = value;
      }
    }
  }
  if (to_float) {
    for (int i = 0; i < pixels; ++i) {
      for (int k = 0; k < c; ++k) f32[k * pixels + i] = v[i * c + k];
    }
  } else {
    // Values are within [0, 255] here, so rounding is a biased truncation.
    for (size_t i = 0; i < count; ++i) u8[i] = static_cast<uint8_t>(v[i] + 0.5f);
  }
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
