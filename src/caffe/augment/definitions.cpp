// Definitions shared by the fast path and the reference implementation: the
// coordinate noise field, colour matrices, filter kernels and the gaussian
// quantile table.
#include <algorithm>
#include <cmath>
#include <vector>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"
#include "caffe/augment/random.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

// Standard normal CDF.
double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

std::vector<float> MakeQuantileTable() {
  const int n = 65536;
  std::vector<float> table(n);
  const double inv_sqrt_2pi = 0.3989422804014327;
  // Newton on Phi(x) = p, each entry starting from its neighbour; the table
  // is symmetric, so only the upper half is solved.
  double x = 0;
  for (int k = n / 2; k < n; ++k) {
    const double p = (k + 0.5) / n;
    for (int it = 0; it < 6; ++it) {
      const double density = inv_sqrt_2pi * std::exp(-0.5 * x * x);
      x -= (NormalCdf(x) - p) / density;
    }
    table[k] = static_cast<float>(x);
    table[n - 1 - k] = static_cast<float>(-x);
  }
  return table;
}

}  // namespace

const float* NormalQuantileTable() {
  static const std::vector<float> table = MakeQuantileTable();
  return table.data();
}

CoordNoise::CoordNoise(const AugmentationParameter& param,
                       const SampledParams& p)
    : elastic_(p.augmented && param.elastic_alpha() > 0),
      grid_(std::max<int>(2, param.elastic_grid())),
      step_u_(0), step_v_(0),
      jitter_(p.augmented ? param.jitter() : 0),
      jitter_key_(HashCombine(p.coord_seed, kJitterStream)) {
  if (!elastic_) return;
  step_u_ = p.out_width > 1 ? (grid_ - 1.0) / (p.out_width - 1) : 0;
  step_v_ = p.out_height > 1 ? (grid_ - 1.0) / (p.out_height - 1) : 0;
  CounterRng rng(HashCombine(p.coord_seed, kElasticStream));
  lattice_.resize(grid_ * grid_ * 2);
  for (double& d : lattice_) d = rng.Normal(param.elastic_alpha());
}

void CoordNoise::At(int u, int v, double* dx, double* dy) const {
  *dx = 0;
  *dy = 0;
  if (elastic_) {
    const double gu = u * step_u_, gv = v * step_v_;
    const int iu = std::min(static_cast<int>(gu), grid_ - 2);
    const int iv = std::min(static_cast<int>(gv), grid_ - 2);
    const double fu = gu - iu, fv = gv - iv;
    const double* p00 = &lattice_[(iv * grid_ + iu) * 2];
    const double* p01 = p00 + 2;
    const double* p10 = p00 + grid_ * 2;
    const double* p11 = p10 + 2;
    for (int k = 0; k < 2; ++k) {
      const double d = (1 - fv) * ((1 - fu) * p00[k] + fu * p01[k]) +
                       fv * ((1 - fu) * p10[k] + fu * p11[k]);
      *(k == 0 ? dx : dy) += d;
    }
  }
  if (jitter_ > 0) {
    const uint64_t index = (static_cast<uint64_t>(v) << 32) | (uint32_t)u;
    const uint64_t bits = CounterHash(jitter_key_, index);
    *dx += jitter_ * (2 * ToUnit(bits) - 1);
    *dy += jitter_ * (2 * ToUnit(Mix64(bits)) - 1);
  }
}

void LuminanceWeights(const int rgb[3], double weights[3]) {
  weights[rgb[0]] = 0.299;
  weights[rgb[1]] = 0.587;
  weights[rgb[2]] = 0.114;
}

double MeanLuminance(const uint8_t* img, int pixels, int c,
                     const int rgb[3]) {
  if (pixels == 0) return 0;
  if (c != 3) {
    uint64_t sum = 0;
    for (int i = 0; i < pixels * c; ++i) sum += img[i];
    return static_cast<double>(sum) / (static_cast<double>(pixels) * c);
  }
  uint64_t sums[3];
  ChannelSums3(img, pixels, sums);
  double weights[3];
  LuminanceWeights(rgb, weights);
  return (weights[0] * sums[0] + weights[1] * sums[1] + weights[2] * sums[2]) /
         pixels;
}

void HueMatrix(double turns, const int rgb[3], double m[9]) {
  // RGB -> YIQ (NTSC); its inverse is computed rather than tabulated so the
  // round trip is exact to double precision.
  const double yiq[3][3] = {{0.299, 0.587, 0.114},
                            {0.596, -0.274, -0.322},
                            {0.211, -0.523, 0.312}};
  double inv[3][3];
  const double det =
      yiq[0][0] * (yiq[1][1] * yiq[2][2] - yiq[1][2] * yiq[2][1]) -
      yiq[0][1] * (yiq[1][0] * yiq[2][2] - yiq[1][2] * yiq[2][0]) +
      yiq[0][2] * (yiq[1][0] * yiq[2][1] - yiq[1][1] * yiq[2][0]);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const int r0 = (j + 1) % 3, r1 = (j + 2) % 3;
      const int c0 = (i + 1) % 3, c1 = (i + 2) % 3;
      inv[i][j] = (yiq[r0][c0] * yiq[r1][c1] - yiq[r0][c1] * yiq[r1][c0]) / det;
    }
  }
  const double angle = turns * 6.283185307179586;
  const double cs = std::cos(angle), sn = std::sin(angle);
  const double rot[3][3] = {{1, 0, 0}, {0, cs, -sn}, {0, sn, cs}};
  double rgb_m[3][3];  // inv * rot * yiq, in R, G, B order
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) {
        for (int l = 0; l < 3; ++l) s += inv[i][k] * rot[k][l] * yiq[l][j];
      }
      rgb_m[i][j] = s;
    }
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m[rgb[i] * 3 + rgb[j]] = rgb_m[i][j];
  }
}

void HueSaturationMatrix(double delta, const int rgb[3], double m[9]) {
  const double f = 1 + 0.5 * delta;
  double weights[3];
  LuminanceWeights(rgb, weights);
  double saturation[9];
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      saturation[i * 3 + j] = (i == j ? f : 0) + (1 - f) * weights[j];
    }
  }
  double hue[9];
  HueMatrix(0.2 * delta, rgb, hue);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += hue[i * 3 + k] * saturation[k * 3 + j];
      m[i * 3 + j] = s;
    }
  }
}

std::vector<double> GaussianTaps(double sigma) {
  const int radius = sigma > 0 ? static_cast<int>(std::ceil(3 * sigma)) : 0;
  std::vector<double> taps(2 * radius + 1, 1.0);
  double sum = 0;
  for (int j = -radius; j <= radius; ++j) {
    taps[j + radius] = radius ? std::exp(-0.5 * j * j / (sigma * sigma)) : 1.0;
    sum += taps[j + radius];
  }
  for (double& t : taps) t /= sum;
  return taps;
}

void BlendedKernel3x3(OpType type, double alpha, double out[9]) {
  static const double kEmboss[9] = {-2, -1, 0, -1, 1, 1, 0, 1, 2};
  static const double kSharpen[9] = {-1, -1, -1, -1, 9, -1, -1, -1, -1};
  const double* k =
      type == AugmentationParameter::Op::EMBOSS ? kEmboss : kSharpen;
  for (int i = 0; i < 9; ++i) out[i] = alpha * k[i] + (i == 4 ? 1 - alpha : 0);
}

std::vector<float> ExpandFill(const AugmentationParameter& param, int c) {
  std::vector<float> fill(c, 0.f);
  if (param.fill_value_size() == 1) {
    std::fill(fill.begin(), fill.end(), param.fill_value(0));
  } else {
    for (int i = 0; i < c && i < param.fill_value_size(); ++i) {
      fill[i] = param.fill_value(i);
    }
  }
  return fill;
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
