// Definitions shared by the fast path and the reference implementation: the
// coordinate noise field, colour matrices and the gaussian quantile table.
#include <algorithm>
#include <cmath>
#include <vector>

#include "caffe/augment/kernels.hpp"
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
  uint64_t sums[3] = {0, 0, 0};
  for (int i = 0; i < pixels; ++i) {
    sums[0] += img[3 * i];
    sums[1] += img[3 * i + 1];
    sums[2] += img[3 * i + 2];
  }
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
